"""DAG folders parsed in this process, like Airflow's ``DagBag``: ``dags test``,
``tasks test``, ``dags list --local``, ``dags report`` and ``dag.test()``.

The scheduler parses in children (:mod:`brisa.loader.isolated`); these commands run
DAG code anyway, so they parse here, with the same per-file timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brisa.errors import NotFoundError
from brisa.loader.dag_conf import brisa_conf
from brisa.loader.discover import discover
from brisa.loader.parse import parse_file
from brisa.loader.result import ImportErrorInfo
from brisa.runtime import ParseRuntime, use_runtime
from brisa.serialized import SerializedDag


@dataclass(frozen=True)
class FileStat:
    """One DAG file as parsed: how long it took and what it defined."""

    path: str
    seconds: float
    dags: tuple[SerializedDag, ...]


def parse_dag_files(
    settings: Any,
    secrets: Any,
    folders: Iterable[str | Path],
    errors: list[ImportErrorInfo] | None = None,
    stats: list[FileStat] | None = None,
) -> Generator[SerializedDag, None, None]:
    """Every DAG the files of ``folders`` define now, parsed in this process.

    Top-level ``Variable.get`` / ``get_connection`` read ``secrets``
    (:func:`brisa.secrets.local.local_secrets`), as they read the DAG processor's when
    the scheduler parses. The files' import errors are appended to ``errors`` when it is
    given, and each file's parse time and DAGs to ``stats`` (``brisa dags report``).
    """
    with use_runtime(ParseRuntime(secrets)), brisa_conf():
        for folder in folders:
            for path in discover(str(folder)):
                started = time.monotonic()
                result = parse_file(
                    str(path),
                    timeout=settings.core.dagbag_import_timeout,
                    generation_default=settings.core.default_airflow_generation,
                    catchup_default=settings.scheduler.catchup_by_default,
                    dags_folder=str(folder),
                )
                if errors is not None:
                    errors.extend(result.errors)
                if stats is not None:
                    stats.append(FileStat(str(path), time.monotonic() - started, tuple(result.dags)))
                yield from result.dags


def find_dag(settings: Any, secrets: Any, folders: tuple[Path, ...], dag_id: str) -> SerializedDag:
    """The DAG as the files of ``folders`` define it now."""
    errors: list[ImportErrorInfo] = []
    # closing() ends the parse runtime as soon as the DAG is found
    with contextlib.closing(parse_dag_files(settings, secrets, folders, errors)) as dags:
        for dag in dags:
            if dag.dag_id == dag_id:
                return dag
    return the_dag([], dag_id, folders, errors)


def the_dag(
    dags: list[SerializedDag], dag_id: str, folders: tuple[Path, ...], errors: list[ImportErrorInfo]
) -> SerializedDag:
    """``dag_id`` among ``dags``; else a not-found error that names the files that failed
    to load (one of them may be where the DAG is defined)."""
    for dag in dags:
        if dag.dag_id == dag_id:
            return dag
    message = f"DAG {dag_id!r} not found in {', '.join(str(f) for f in folders)}"
    if errors:
        failed = "; ".join(f"{e.filename}: {e.message}" for e in errors)
        message += f". These DAG files failed to load and may define it: {failed}"
    raise NotFoundError(message)


__all__ = ["FileStat", "find_dag", "parse_dag_files", "the_dag"]
