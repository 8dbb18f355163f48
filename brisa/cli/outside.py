"""DAG code outside Brisa's processes: a test suite's ``DagBag``, a script, ``python dag.py``.

Inside Brisa every piece of DAG code runs under a runtime (a parse, a try, a DAG
callback). A plain script that does ``from airflow.models import Variable`` has none, so
:func:`use_store_outside_tasks` (called by :mod:`brisa.airflow_hook` on the first
``import airflow``) gives it one built the way the ``brisa variables`` command builds its
own: configuration from the environment, the configured metadata database and secrets
backends. It is built on first use, not at import, so importing ``airflow`` costs nothing.

It is wiring (settings -> store -> secrets, as the commands build them), so it lives with
the commands: the CLI package is the only place that builds everything.
"""

from __future__ import annotations

import atexit
from datetime import datetime
from typing import Any, Protocol

from brisa import runtime
from brisa.runtime import ReadOnlyRuntime, SecretsReader
from brisa.sdk.dag_test import set_dag_test_runner


class SecretsWriter(SecretsReader, Protocol):
    """What a script may also do: write variables (as ``brisa variables set/delete``)."""

    def set_variable(self, key: str, value: str, description: str | None = None) -> None: ...

    def delete_variable(self, key: str) -> None: ...


class ScriptRuntime(ReadOnlyRuntime):
    """A script's runtime: variables read and written, connections read, through the
    configured backends (``[secrets] backends``) and metadata database. XComs, triggering
    and the rest belong to a running task and stay refused."""

    allowed = "a script outside a task may read and write variables and read connections"

    source: SecretsWriter

    def __init__(self, source: SecretsWriter, store: Any) -> None:
        super().__init__(source)
        self.store = store

    def set_variable(self, key: str, value: str, description: str | None = None) -> None:
        self.source.set_variable(key, value, description)

    def delete_variable(self, key: str) -> None:
        self.source.delete_variable(key)

    def close(self) -> None:
        self.store.dispose()


def open_script_runtime() -> ScriptRuntime:
    """Settings from the environment -> store -> secrets, as ``brisa variables`` does
    (a new local SQLite home gets its keys and schema)."""
    from brisa.cli import wiring

    settings = wiring.prepare_settings()
    wiring.ensure_schema(settings)
    store = wiring.open_store(settings)
    script = ScriptRuntime(wiring.make_secrets(settings, store), store)
    atexit.register(script.close)
    return script


def use_store_outside_tasks() -> None:
    """From now on, DAG code running outside any runtime gets a :class:`ScriptRuntime`,
    and ``dag.test()`` runs as ``brisa dags test`` does."""
    runtime.set_outside_runtime(open_script_runtime)
    set_dag_test_runner(run_dag_test)


def run_dag_test(dag: Any, when: datetime | None, **options: Any) -> Any:
    """``dag.test()``: the CLI's ``dags test`` machinery, imported only when a DAG calls it."""
    from brisa.cli.adhoc import test_dag_object

    return test_dag_object(dag, when, **options)


__all__ = ["ScriptRuntime", "open_script_runtime", "run_dag_test", "use_store_outside_tasks"]
