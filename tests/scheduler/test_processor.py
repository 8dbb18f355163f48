"""The DAG processor: files parsed in zygote children, results written to the store."""

from __future__ import annotations

import textwrap
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from brisa.cli.wiring import child_entry_points
from brisa.process.pool import ProcessPool
from brisa.runner.entrypoints import PRELOAD
from brisa.scheduler import pacing
from brisa.scheduler.processor import DagProcessor, ProcessorConfig
from brisa.store import migrate
from brisa.store.sql import Store

pytestmark = pytest.mark.slow

GOOD = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule="{schedule}"):
    BashOperator(task_id="t", bash_command="true")
"""


def _now():
    return datetime.now(UTC)


@pytest.fixture
def setup(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    pool = ProcessPool(child_entry_points(), preload=PRELOAD)
    pool.start()
    folder = tmp_path / "dags"
    folder.mkdir()
    processor = DagProcessor(
        store,
        pool,
        ProcessorConfig(folders=(folder,), parse_timeout=2.0, paused_at_creation=True),
        clock=_now,
    )
    yield store, processor, folder
    pool.stop()
    store.dispose()


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    # make sure a rewrite within the same second is seen as a change
    stat = path.stat()
    import os

    os.utime(path, (stat.st_atime, stat.st_mtime + time.monotonic() % 1 + 1))


def _dags(store):
    with store.transaction(readonly=True) as tx:
        return {d.dag_id: d for d in tx.dags.list(active=None).items}


def _errors(store):
    with store.transaction(readonly=True) as tx:
        return {Path(e.filename).name: e for e in tx.dags.import_errors().items}


def test_good_files_load_and_a_broken_one_becomes_an_import_error(setup):
    store, processor, folder = setup
    _write(folder, "a.py", GOOD.format(dag_id="a", schedule="@daily"))
    _write(folder, "broken.py", "from airflow import DAG\ndef broken(:\n")
    processor.parse_all()
    dags = _dags(store)
    assert set(dags) == {"a"} and dags["a"].is_paused and dags["a"].is_active
    error = _errors(store)["broken.py"]
    assert error.lineno == 2 and "SyntaxError" in error.message


def test_a_file_that_breaks_keeps_its_dags_as_last_parsed(setup):
    store, processor, folder = setup
    _write(folder, "a.py", GOOD.format(dag_id="a", schedule="@daily"))
    processor.parse_all()
    _write(folder, "a.py", "from airflow import DAG\nraise RuntimeError('oops')\n")
    processor.parse_all()
    assert _dags(store)["a"].is_active
    assert "oops" in _errors(store)["a.py"].message
    _write(folder, "a.py", GOOD.format(dag_id="a", schedule="@hourly"))
    processor.parse_all()
    assert _errors(store) == {}
    assert _dags(store)["a"].timetable_summary == "0 * * * *"  # Airflow shows presets expanded


def test_a_removed_file_deactivates_its_dags_and_clears_its_errors(setup):
    store, processor, folder = setup
    _write(folder, "a.py", GOOD.format(dag_id="a", schedule="@daily"))
    _write(folder, "broken.py", "from airflow import DAG\nraise ValueError('x')\n")
    processor.parse_all()
    (folder / "a.py").unlink()
    (folder / "broken.py").unlink()
    processor.parse_all()
    assert not _dags(store)["a"].is_active
    assert _errors(store) == {}


def test_a_hanging_file_times_out_and_the_others_load(setup):
    store, processor, folder = setup
    _write(folder, "hang.py", "from airflow import DAG\nwhile True:\n    pass\n")
    _write(folder, "b.py", GOOD.format(dag_id="b", schedule="@daily"))
    processor.parse_all(timeout=20)
    assert "b" in _dags(store)
    assert "timeout" in _errors(store)["hang.py"].message.lower()


def test_a_dag_id_defined_in_two_files_is_an_error_on_the_second(setup):
    store, processor, folder = setup
    _write(folder, "first.py", GOOD.format(dag_id="same", schedule="@daily"))
    processor.parse_all()
    _write(folder, "second.py", GOOD.format(dag_id="same", schedule="@hourly"))
    processor.parse_all()
    assert _dags(store)["same"].fileloc.endswith("first.py")
    assert "already defined" in _errors(store)["second.py"].message


TOP_LEVEL_SECRETS = """
from datetime import datetime
from airflow import DAG
from airflow.models import Variable
from airflow.hooks.base import BaseHook
from airflow.operators.bash import BashOperator

bucket = Variable.get("bucket")
host = BaseHook.get_connection("warehouse").host
optional = Variable.get("missing", default_var="fallback")
with DAG("secrets_at_parse", start_date=datetime(2024, 1, 1), schedule=None, tags=[bucket, host, optional]):
    BashOperator(task_id="t", bash_command="true")
"""


class _Secrets:
    def __init__(self, variables, connections):
        self.variables = variables
        self.connections = connections

    def get_variable(self, key):
        return self.variables.get(key)

    def get_connection(self, conn_id):
        return self.connections.get(conn_id)


def _processor_with(setup, secrets):
    store, processor, folder = setup
    return store, DagProcessor(store, processor.pool, processor.config, clock=_now, secrets=secrets), folder


def test_top_level_variables_and_connections_are_read_while_parsing(setup):
    warehouse = {"conn_type": "postgres", "host": "db.internal"}
    secrets = _Secrets({"bucket": "raw-data"}, {"warehouse": warehouse})
    store, processor, folder = _processor_with(setup, secrets)
    _write(folder, "uses_secrets.py", TOP_LEVEL_SECRETS)
    processor.parse_all()
    assert _errors(store) == {}
    assert sorted(_dags(store)["secrets_at_parse"].tags) == ["db.internal", "fallback", "raw-data"]


def test_a_missing_top_level_variable_is_an_import_error_naming_it(setup):
    store, processor, folder = _processor_with(setup, _Secrets({}, {}))
    _write(folder, "uses_secrets.py", TOP_LEVEL_SECRETS)
    processor.parse_all()
    assert "bucket" in _errors(store)["uses_secrets.py"].stacktrace
    assert "secrets_at_parse" not in _dags(store)


def test_a_parse_may_not_write_variables(setup):
    store, processor, folder = _processor_with(setup, _Secrets({}, {}))
    writes = 'from airflow import DAG\nfrom airflow.models import Variable\nVariable.set("k", "v")\n'
    _write(folder, "writes.py", writes)
    processor.parse_all()
    assert "may only read variables and connections" in _errors(store)["writes.py"].stacktrace


def _processor(store, pool, folder, max_parallel, woken):
    return DagProcessor(
        store,
        pool,
        ProcessorConfig(folders=(folder,), parse_timeout=10.0, max_parallel=max_parallel),
        clock=_now,
        wake=woken.set,
    )


def _wait_until(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.01)


def test_parsing_goes_on_between_scheduler_ticks_and_wakes_the_scheduler(setup):
    store, first, folder = setup
    pool = first.pool
    woken = threading.Event()
    processor = _processor(store, pool, folder, 2, woken)
    for i in range(6):
        _write(folder, f"d{i}.py", GOOD.format(dag_id=f"d{i}", schedule="@daily"))
    processor.poll(_now())  # one tick: lists the folder and starts two parses
    assert woken.wait(60)
    # Without another tick, each finished parse started the next one.
    _wait_until(lambda: processor.backlog() == (0, 0, 6))
    for _ in range(6):  # each tick writes at least one result (more within its budget)
        processor.poll(_now())
    assert set(_dags(store)) == {f"d{i}" for i in range(6)}
    assert processor.backlog() == (0, 0, 0)
    assert processor.take_changed()


def test_results_waiting_to_be_written_hold_back_new_parses(setup):
    store, first, folder = setup
    pool = first.pool
    woken = threading.Event()
    processor = _processor(store, pool, folder, 1, woken)
    files = pacing.RESULTS_PER_PARSE + 3
    for i in range(files):
        _write(folder, f"d{i}.py", GOOD.format(dag_id=f"d{i}", schedule="@daily"))
    processor.poll(_now())
    _wait_until(lambda: processor.backlog()[2] == pacing.RESULTS_PER_PARSE)
    # Memory stays bounded: nothing more starts until the scheduler writes.
    assert processor.backlog() == (3, 0, pacing.RESULTS_PER_PARSE)
    processor.parse_all()
    assert len(_dags(store)) == files


def _serialized_written(store, dag_id):
    import sqlalchemy as sa

    from brisa.store import schema

    with store.transaction(readonly=True) as tx:
        table = schema.serialized_dag
        return tx.conn.execute(
            sa.select(table.c.last_updated, table.c.source_code).where(table.c.dag_id == dag_id)
        ).one()


def test_an_unchanged_reparse_only_moves_the_parse_time(setup):
    store, processor, folder = setup
    _write(folder, "a.py", GOOD.format(dag_id="a", schedule="@daily"))
    processor.parse_all()
    parsed, written = _dags(store)["a"].last_parsed_time, _serialized_written(store, "a")
    processor.parse_all()  # every file again: the periodic re-parse
    assert _dags(store)["a"].last_parsed_time > parsed
    assert _serialized_written(store, "a") == written


def test_a_changed_source_is_written_even_when_the_dag_is_the_same(setup):
    store, processor, folder = setup
    _write(folder, "a.py", GOOD.format(dag_id="a", schedule="@daily"))
    processor.parse_all()
    hashed = _dags(store)["a"].serialized_hash
    _write(folder, "a.py", "# a comment only\n" + GOOD.format(dag_id="a", schedule="@daily"))
    processor.parse_all()
    assert _dags(store)["a"].serialized_hash == hashed
    assert _serialized_written(store, "a").source_code.startswith("# a comment only")
