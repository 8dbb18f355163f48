"""Airflow's ``DagBag`` for test suites and scripts: a folder's DAG files, loaded here.

Projects test their DAGs with ``DagBag(dag_folder=..., include_examples=False)`` and
``assert not dagbag.import_errors``. This loads the files in this process as Brisa's DAG
processor would (the import shim, ``.airflowignore``, the safe-mode heuristic, the parse
timeout, the checks that turn a cycle or a bad schedule into an import error), and keeps
the DAG objects themselves, so a test can read their tasks and arguments.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from brisa.loader.discover import discover
from brisa.loader.parse import assign_generation, run_dag_file
from brisa.sdk.exceptions import AirflowException


class DagBag:
    """The DAGs of ``dag_folder`` (default ``[core] dags_folder``), loaded on creation.

    ``import_errors`` maps each file that failed to its traceback (or error), as Airflow's
    does; ``read_dags_from_db=True`` is refused: Brisa's store holds serialized DAGs, not
    the DAG objects a test reads.
    """

    def __init__(
        self,
        dag_folder: str | os.PathLike[str] | None = None,
        include_examples: bool | None = None,
        safe_mode: bool | None = None,
        read_dags_from_db: bool = False,
        load_op_links: bool = True,
        collect_dags: bool = True,
        known_pools: set[str] | None = None,
        bundle_path: Any = None,
        bundle_name: str | None = None,
    ) -> None:
        if read_dags_from_db:
            raise AirflowException(
                "DagBag(read_dags_from_db=True) is not supported by Brisa: it loads the DAG files"
            )
        self._settings = _settings()
        self._secrets: Any = None
        core = self._settings.core
        self.dag_folder = str(dag_folder or bundle_path or core.dags_folder)
        self.dags: dict[str, Any] = {}
        self.import_errors: dict[str, str] = {}
        self.file_last_changed: dict[str, float] = {}
        self.captured_warnings: dict[str, tuple[str, ...]] = {}
        if collect_dags:
            self.collect_dags(
                self.dag_folder,
                include_examples=core.load_examples if include_examples is None else include_examples,
                safe_mode=True if safe_mode is None else safe_mode,
            )

    # -- loading ---------------------------------------------------------------------------
    def collect_dags(
        self,
        dag_folder: str | os.PathLike[str] | None = None,
        only_if_updated: bool = True,
        include_examples: bool = False,
        safe_mode: bool = True,
    ) -> None:
        folder = str(dag_folder or self.dag_folder)
        for path in discover(folder, safe_mode=safe_mode, include_examples=include_examples):
            self.process_file(path, only_if_updated=only_if_updated, safe_mode=safe_mode)

    def process_file(self, filepath: str, only_if_updated: bool = True, safe_mode: bool = True) -> list[Any]:
        """Load one file; its DAGs join :attr:`dags`, its failure :attr:`import_errors`."""
        path = os.path.abspath(filepath)
        if only_if_updated and self.file_last_changed.get(path) == _mtime(path):
            return []
        self.file_last_changed[path] = _mtime(path)
        self.import_errors.pop(path, None)
        loaded = self._run(path)
        if loaded.error is not None:
            self.import_errors[path] = loaded.error.traceback or loaded.error.message
            return []
        found = []
        for dag in loaded.dags:
            assign_generation(dag, loaded.imported_modules, self._settings.core.default_airflow_generation)
            if self._bag(dag, path):
                found.append(dag)
        return found

    def _run(self, path: str) -> Any:
        """The file run with what DAG code may ask at parse time (read-only variables and
        connections, ``conf``), as the DAG processor runs it."""
        from brisa.dag_settings import brisa_conf
        from brisa.runner.adhoc import local_secrets
        from brisa.runtime import ParseRuntime, use_runtime

        if self._secrets is None:
            self._secrets = local_secrets(self._settings)
        folder = self.dag_folder if os.path.isdir(self.dag_folder) else os.path.dirname(path)
        with use_runtime(ParseRuntime(self._secrets)), brisa_conf():
            return run_dag_file(path, timeout=self._settings.core.dagbag_import_timeout, dags_folder=folder)

    def _bag(self, dag: Any, path: str) -> bool:
        """Keep ``dag`` unless it fails Airflow's load-time checks or its id is taken."""
        other = self.dags.get(dag.dag_id)
        if other is not None and os.path.abspath(other.fileloc) != path:
            self.import_errors[path] = (
                f"AirflowDagDuplicatedIdException: Ignoring DAG {dag.dag_id} from {path} - "
                f"also found in {other.fileloc}"
            )
            return False
        try:
            dag.validate()
        except Exception as err:
            self.import_errors[path] = f"{type(err).__name__}: {err}"
            return False
        self.bag_dag(dag)
        return True

    def bag_dag(self, dag: Any, root_dag: Any = None) -> None:
        self.dags[dag.dag_id] = dag

    # -- reading ---------------------------------------------------------------------------
    def get_dag(self, dag_id: str, session: Any = None) -> Any | None:
        return self.dags.get(dag_id)

    @property
    def dag_ids(self) -> list[str]:
        return list(self.dags)

    def size(self) -> int:
        return len(self.dags)

    def dagbag_report(self) -> str:
        return (
            f"DagBag of {self.dag_folder}: {len(self.file_last_changed)} files, {self.size()} DAGs, "
            f"{len(self.import_errors)} import errors"
        )


def _settings() -> Any:
    from brisa.config import load_settings

    return load_settings(os.environ)


def _mtime(path: str) -> float | None:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return None


def check_cycle(dag: Any) -> None:
    """``airflow.utils.dag_cycle_tester.check_cycle``: raises ``AirflowDagCycleException``."""
    dag.check_cycle()


__all__ = ["DagBag", "check_cycle"]
