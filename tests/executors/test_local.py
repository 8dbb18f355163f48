"""The LocalExecutor with real child processes, a real SQLite store and real DAG files."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from brisa.executors.local import LocalExecutor
from brisa.secrets.backends import EnvironmentBackend
from brisa.secrets.fernet import FernetCodec, generate_key
from brisa.secrets.masking import SecretsMasker
from brisa.secrets.service import SecretsService
from brisa.services.run_actions import ServiceActions
from brisa.services.runs import trigger_run
from brisa.states import TaskState, advance_ti
from brisa.store import migrate
from brisa.store.records import TaskKey
from brisa.store.sql import Store
from brisa.tries.build import build_workload, run_context
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

DAG_HEADER = """
import os, sys, time, threading, ctypes
from datetime import datetime, timedelta
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
"""


@pytest.fixture
def env(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    secrets = SecretsService(store, FernetCodec([generate_key()]), [EnvironmentBackend({})])
    secrets.chain = type(secrets.chain)([secrets.metastore])
    executor = LocalExecutor(
        store,
        parallelism=4,
        secrets=secrets,
        masker_factory=SecretsMasker,
        actions=ServiceActions(),
        heartbeat_seconds=0.5,
    )
    executor.start_zygote()
    executor.start()
    yield store, executor, tmp_path, secrets
    executor.stop(grace=0)
    store.dispose()


def _dag_file(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(DAG_HEADER + textwrap.dedent(body))
    return path


def _submit(store, executor, path, dag_id, task_id, conf=None):
    from brisa.loader import parse_file

    (dag,) = parse_file(str(path), timeout=10).dags
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=False, now=_now())
        run = trigger_run(tx, dag, now=_now())
        key = TaskKey(dag.dag_id, run.run_id, task_id)
        ti = tx.tis.require(key)
        advance_ti(tx, key, None, TaskState.SCHEDULED)
        advance_ti(tx, key, TaskState.SCHEDULED, TaskState.QUEUED, try_number=1)
        context = run_context(tx, dag.dag_id, run.run_id)
    from dataclasses import replace

    if conf is not None:  # past the API's limits, as a run stored by an older Brisa
        context = replace(context, conf=conf)

    workload = build_workload(dag, key, context, try_number=1, max_tries=ti.max_tries)
    executor.submit([workload])
    return key


def _wait(store, executor, key, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in executor.poll(timeout=0.5):
            if event.key == key:
                with store.transaction(readonly=True) as tx:
                    ti = tx.tis.require(key)
                    log = tx.logs.read(key, 1)[0]
                return ti, log
    raise AssertionError(f"{key} did not finish")


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_bash_task_succeeds_and_its_output_is_stored(env):
    store, executor, tmp, _ = env
    path = _dag_file(
        tmp,
        "ok",
        """
        with DAG("ok", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="hello", bash_command="echo hello from {{ dag.dag_id }}")
    """,
    )
    ti, log = _wait(store, executor, _submit(store, executor, path, "ok", "hello"))
    assert ti.state == TaskState.SUCCESS
    assert "hello from ok" in log
    assert ti.rendered_fields["bash_command"] == "echo hello from ok"


def test_tasks_get_a_process_group_not_a_session_of_their_own(env):
    # Under the kernel's autogroup scheduling each session is one CPU-scheduling unit: a
    # session per task would give 32 tasks 32 times the CPU share of the web server or the
    # database. A process group is what killing a try and everything it started needs.
    import os

    store, executor, tmp, _ = env
    probe = tmp / "probe.py"
    probe.write_text("import os\nprint('ids', os.getsid(0), os.getpgrp(), os.getpid())\n")
    path = _dag_file(
        tmp,
        "ids",
        f"""
        import runpy
        with DAG("ids", start_date=datetime(2024, 1, 1), schedule=None):
            PythonOperator(task_id="py", python_callable=lambda: runpy.run_path("{probe}") and None)
            BashOperator(task_id="sh", bash_command="python3 {probe}")
    """,
    )
    for task_id in ("py", "sh"):
        ti, log = _wait(store, executor, _submit(store, executor, path, "ids", task_id))
        assert ti.state == TaskState.SUCCESS, log
        line = next(line for line in log.splitlines() if "ids " in line)
        session, group, pid = (int(x) for x in line.split("ids ", 1)[1].split()[:3])
        assert session == os.getsid(0)
        assert group == pid != os.getpgrp()


def test_failure_with_retries_left_is_up_for_retry(env):
    store, executor, tmp, _ = env
    path = _dag_file(
        tmp,
        "fail",
        """
        with DAG("fail", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="boom", bash_command="echo about to fail; exit 3", retries=1,
                         retry_delay=timedelta(seconds=30))
    """,
    )
    ti, log = _wait(store, executor, _submit(store, executor, path, "fail", "boom"))
    assert ti.state == TaskState.UP_FOR_RETRY
    assert ti.next_try_at is not None
    assert "about to fail" in log


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ctypes.string_at(0)", "SIGSEGV"), ("os._exit(3)", "exit code 3")],
)
def test_a_dying_task_process_is_recorded_as_failed(env, code, expected):
    store, executor, tmp, _ = env
    path = _dag_file(
        tmp,
        "dies",
        f"""
        def die():
            print("before", flush=True)
            {code}

        with DAG("dies", start_date=datetime(2024, 1, 1), schedule=None):
            PythonOperator(task_id="die", python_callable=die)
    """,
    )
    ti, log = _wait(store, executor, _submit(store, executor, path, "dies", "die"))
    assert ti.state == TaskState.FAILED
    assert "before" in log
    assert expected in log


def test_execution_timeout_fails_the_try(env):
    store, executor, tmp, _ = env
    path = _dag_file(
        tmp,
        "slow",
        """
        with DAG("slow", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="slow", bash_command="sleep 30", execution_timeout=timedelta(seconds=1))
    """,
    )
    started = time.monotonic()
    ti, log = _wait(store, executor, _submit(store, executor, path, "slow", "slow"))
    assert ti.state == TaskState.FAILED
    assert time.monotonic() - started < 20
    assert "AirflowTaskTimeout" in log or "Timeout" in log


def test_a_dag_file_that_starts_threads_still_runs(env):
    store, executor, tmp, _ = env
    path = _dag_file(
        tmp,
        "threads",
        """
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        with DAG("threads", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="t", bash_command="echo fine")
    """,
    )
    ti, log = _wait(store, executor, _submit(store, executor, path, "threads", "t"))
    assert ti.state == TaskState.SUCCESS
    assert "fine" in log


def test_an_edited_dag_file_is_loaded_again(env):
    store, executor, tmp, _ = env
    body = """
        with DAG("edit", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="t", bash_command="echo version {v}")
    """
    path = _dag_file(tmp, "edit", body.format(v=1))
    _, log = _wait(store, executor, _submit(store, executor, path, "edit", "t"))
    assert "version 1" in log
    # "22" makes the file longer, so its signature (mtime, size) changes whatever the mtime's
    # resolution: no need to wait for the clock to tick.
    path.write_text(DAG_HEADER + textwrap.dedent(body.format(v=22)))
    _, log = _wait(store, executor, _submit(store, executor, path, "edit", "t"))
    assert "version 22" in log


def test_secrets_are_masked_in_stored_logs(env):
    store, executor, tmp, secrets = env
    secrets.set_variable("api_token", "s3cr3t-value-123")
    path = _dag_file(
        tmp,
        "mask",
        """
        from airflow.sdk import Variable

        def show():
            print("token is", Variable.get("api_token"))

        with DAG("mask", start_date=datetime(2024, 1, 1), schedule=None):
            PythonOperator(task_id="show", python_callable=show)
    """,
    )
    ti, log = _wait(store, executor, _submit(store, executor, path, "mask", "show"))
    assert ti.state == TaskState.SUCCESS
    assert "token is ***" in log
    assert "s3cr3t-value-123" not in log


def test_shutdown_ends_running_tries_and_marks_them_for_retry(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    secrets = SecretsService(store, FernetCodec([generate_key()]), [])
    executor = LocalExecutor(
        store, parallelism=2, secrets=secrets, masker_factory=SecretsMasker, actions=ServiceActions()
    )
    executor.start_zygote()
    executor.start()
    path = _dag_file(
        tmp_path,
        "long",
        """
        with DAG("long", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="t", bash_command="sleep 60")
    """,
    )
    key = _submit(store, executor, path, "long", "t")

    def running() -> bool:
        with store.transaction(readonly=True) as tx:
            return tx.tis.require(key).state == TaskState.RUNNING

    wait_until(running, timeout=60, what="the try to run")
    started = time.monotonic()
    executor.stop(grace=0.5)
    assert time.monotonic() - started < 15
    with store.transaction(readonly=True) as tx:
        ti = tx.tis.require(key)
    assert ti.state == TaskState.UP_FOR_RETRY
    assert ti.max_tries == 1  # the interrupted try does not use up a retry


def test_processes_a_dead_task_left_behind_are_ended(env):
    import os
    import signal

    store, executor, tmp, _ = env
    marker = tmp / "orphan.pid"
    path = _dag_file(
        tmp,
        "orphan",
        f"""
        with DAG("orphan", start_date=datetime(2024, 1, 1), schedule=None):
            # bash runs in its own session (as Airflow's BashOperator), then the task process dies
            BashOperator(task_id="t", bash_command="sleep 300 & echo $! > {marker}; kill -9 $PPID; sleep 300")
    """,
    )
    ti, _ = _wait(store, executor, _submit(store, executor, path, "orphan", "t"))
    assert ti.state == TaskState.FAILED
    pid = int(marker.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("the background sleep outlived its task")


def test_a_try_keeps_a_durable_record_while_it_runs_and_not_after(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    secrets = SecretsService(store, FernetCodec([generate_key()]), [EnvironmentBackend({})])
    folder = tmp_path / "run" / "tries"
    executor = LocalExecutor(
        store,
        parallelism=2,
        secrets=secrets,
        masker_factory=SecretsMasker,
        actions=ServiceActions(),
        tries_folder=folder,
    )
    executor.start_zygote()
    executor.start()
    release = tmp_path / "release"
    path = _dag_file(
        tmp_path,
        "held",
        f"""
        from pathlib import Path
        def wait():
            while not Path("{release}").exists():
                time.sleep(0.02)
            return os.environ["BRISA_TRY_TOKEN"]
        with DAG("held", start_date=datetime(2024, 1, 1), schedule=None):
            PythonOperator(task_id="py", python_callable=wait)
    """,
    )
    try:
        key = _submit(store, executor, path, "held", "py")
        deadline = time.monotonic() + 30
        while not list(folder.glob("*.json")):
            assert time.monotonic() < deadline, "no record was written"
            time.sleep(0.02)
        record = executor.records.read(key, 1)
        assert record is not None and record.is_running() and record.workload.key == key
        assert key in {k for k, _ in executor.running_keys()}
        release.touch()
        ti, log = _wait(store, executor, key)
        assert ti.state == TaskState.SUCCESS, log
        with store.transaction(readonly=True) as tx:
            assert tx.xcoms.raw_value(key) == f'"{record.token}"'  # its processes carry the token
        assert list(folder.iterdir()) == []  # gone once the end is in the store
    finally:
        executor.stop(grace=0)
        store.dispose()


def test_a_workload_too_big_for_a_task_process_fails_the_try_and_counts_it(env):
    """It was restarted at once without counting: try_number grew without bound at 100 % CPU."""
    store, executor, tmp, _ = env
    path = _dag_file(
        tmp,
        "big",
        """
        with DAG("big", start_date=datetime(2024, 1, 1), schedule=None):
            BashOperator(task_id="echo", bash_command="echo hi", retries=1, retry_delay=timedelta(seconds=30))
    """,
    )
    key = _submit(store, executor, path, "big", "echo", conf={"x": "y" * (5 * 1024 * 1024)})
    ti, log = _wait(store, executor, key)
    assert (ti.state, ti.try_number, ti.max_tries) == (TaskState.UP_FOR_RETRY, 1, 1)
    assert ti.next_try_at is not None
    assert "workload too large to hand to a task process" in log
    assert "counts as a failed try" in log
