"""Who runs ``DAG.test()``: a slot the layers above the SDK fill.

``dag.test()`` (Airflow's way to run a whole DAG from its own file, also under
``python my_dag.py``) starts what ``brisa dags test`` starts: settings, a store, the
in-process executor. The SDK sits far below all that, so it never imports it; the runner
comes from, in order:

1. :func:`set_dag_test_runner`, called by the layers above: the ``import airflow`` hook
   (``brisa.cli.outside.use_store_outside_tasks``) and the CLI;
2. the ``brisa.dag_test`` entry point group (pyproject), so an installed Brisa finds it in a
   file that imports ``brisa.sdk`` directly, with no hook and no CLI.

With neither, :func:`dag_test_runner` raises a :class:`~brisa.errors.ConfigError` that says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from brisa.errors import ConfigError

ENTRY_POINT_GROUP = "brisa.dag_test"


class DagTestRunner(Protocol):
    """Runs one run of ``dag`` here and returns its final state (``brisa dags test``)."""

    def __call__(
        self,
        dag: Any,
        when: datetime | None,
        *,
        conf: dict[str, Any] | None = None,
        mark_success_pattern: Any = None,
    ) -> Any: ...


class _Slot:
    runner: DagTestRunner | None = None


def set_dag_test_runner(runner: DagTestRunner | None) -> None:
    """From now on ``dag.test()`` calls ``runner`` (None: back to the entry point lookup)."""
    _Slot.runner = runner


def dag_test_runner() -> DagTestRunner:
    """The registered runner, else the installed one (entry point), else a ConfigError."""
    if _Slot.runner is not None:
        return _Slot.runner
    found = _from_entry_points()
    if found is None:
        raise ConfigError(
            "dag.test() needs Brisa's CLI, and none is registered in this process: install "
            "Brisa (`pip install brisa` declares it under the 'brisa.dag_test' entry point), or "
            "import the DAG's operators through `airflow.*` so that Brisa's import hook sets it "
            "up, or run the DAG with `brisa dags test <dag_id>`"
        )
    return found


def _from_entry_points() -> DagTestRunner | None:
    import importlib.metadata  # here: every CLI command imports this module, few call this

    # The first one wins; a broken one is an error worth seeing, not a silent skip.
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        runner: DagTestRunner = entry.load()
        return runner
    return None


__all__ = ["ENTRY_POINT_GROUP", "DagTestRunner", "dag_test_runner", "set_dag_test_runner"]
