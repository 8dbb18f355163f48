"""The durable record of a try on this host: real processes, real files, real /proc."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from brisa.runner.tryrecord import (
    TOKEN_VARIABLE,
    ProcessId,
    TaskRecord,
    TryRecords,
    end_survivors,
    survivors,
)
from brisa.states import TaskState
from brisa.store.records import TaskKey
from brisa.tries.outcome import Outcome
from brisa.tries.workload import RunContext, Workload

KEY = TaskKey("dag", "manual__2024-01-01", "task", -1)
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _workload(try_number: int = 1) -> Workload:
    run = RunContext("manual__2024-01-01", "manual", NOW, NOW, NOW, NOW, NOW, {})
    return Workload(KEY, try_number, 2, "/dags/dag.py", run, execution_timeout=30.0)


def _sleeper(**options) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["sleep", "60"], **options)


def _alive(pid: int) -> bool:
    return ProcessId.of(pid) is not None and ProcessId.of(pid).is_alive()


def test_a_process_is_named_by_its_pid_and_start_time():
    child = _sleeper()
    process = ProcessId.of(child.pid)
    assert process is not None and process.is_alive()
    # Another process given the same pid later has another start time: not the same one.
    assert not ProcessId(child.pid, process.started + 1, process.boot_id).is_alive()
    assert not ProcessId(child.pid, process.started, "another boot").is_alive()
    child.kill()
    child.wait()
    assert not process.is_alive()


def test_what_a_try_left_running_is_found_and_ended_even_in_groups_of_its_own():
    token = "t" * 32
    leader = _sleeper(process_group=0)  # the task process: leader of its own group
    in_group = _sleeper(process_group=leader.pid)
    elsewhere = _sleeper(start_new_session=True, env={**os.environ, TOKEN_VARIABLE: token})
    stranger = _sleeper(start_new_session=True, env={**os.environ, TOKEN_VARIABLE: "u" * 32})
    try:
        process = ProcessId.of(leader.pid)
        assert process is not None
        assert set(survivors(process, token)) == {leader.pid, in_group.pid, elsewhere.pid}

        assert set(end_survivors(process, token)) == {leader.pid, in_group.pid, elsewhere.pid}

        for child in (leader, in_group, elsewhere):
            assert child.wait(5) == -signal.SIGKILL
        assert stranger.poll() is None
        assert survivors(process, token) == []
    finally:
        for child in (leader, in_group, elsewhere, stranger):
            child.kill()
            child.wait()


def test_a_record_keeps_the_start_and_the_end_of_a_try_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, "")  # restored (unset) after the test
    records = TryRecords(tmp_path / "run" / "tries")
    workload = _workload()
    payload = {**workload.to_dict(), "record": records.payload_for(workload)}
    task = TaskRecord.begin(payload)
    assert task is not None
    assert os.environ[TOKEN_VARIABLE] == payload["record"]["token"]

    started = records.read(KEY, 1)
    assert started is not None
    assert started.workload == workload
    assert started.process == ProcessId.of(os.getpid())
    assert started.is_running() and started.outcome is None

    outcome = Outcome(TaskState.SUCCESS, NOW)
    task.end(outcome, [("return_value", {"rows": 3, "at": NOW}), ("other", [1, 2])])
    ended = records.read(KEY, 1)
    assert ended is not None and not ended.is_running()
    assert ended.outcome == outcome
    assert ended.xcoms == [("return_value", {"rows": 3, "at": NOW}), ("other", [1, 2])]
    assert records.read(KEY, 2) is None

    assert stat.S_IMODE(records.folder.stat().st_mode) == 0o700
    for path in records.folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    records.forget(KEY, 1)
    assert records.read(KEY, 1) is None
    assert list(records.folder.iterdir()) == []


ORPHAN_OUTPUT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from brisa.runner.tryrecord import TaskRecord
    TaskRecord(Path(sys.argv[1]), "token").orphan_proof_streams()
    print("to the supervisor", flush=True)
    sys.stdin.readline()  # the supervisor's end of the pipe is closed meanwhile
    print("after the supervisor died", flush=True)
    os.system("echo from a child process")
    print("on stderr too", file=sys.stderr, flush=True)
    """
)


def test_output_moves_to_the_record_once_the_supervisor_is_gone(tmp_path):
    base = tmp_path / "record"
    child = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_OUTPUT, str(base)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.stdout.readline() == b"to the supervisor\n"
    child.stdout.close()  # as the supervisor's death closes the pipe
    child.stdin.write(b"\n")
    child.stdin.close()
    assert child.wait(30) == 0
    assert Path(f"{base}.log").read_text().splitlines() == [
        "after the supervisor died",
        "from a child process",
        "on stderr too",
    ]
