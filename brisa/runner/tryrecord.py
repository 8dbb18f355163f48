"""A durable record of each try running on this host, for a scheduler restarted after a crash.

A task process outlives its supervisor when the scheduler's whole process group dies at
once (``kill -9`` of the group, the OOM killer): nothing is left to end it, so it runs
on. A restarted scheduler must then neither start the same task again beside it nor
lose how it ends. So every task process keeps three files under ``<home>/run/tries``
(owner-only):

* ``<id>.json``: written when it starts: its pid, its start time (clock ticks since boot,
  ``/proc/<pid>/stat`` field 22: a reused pid has another) and the boot id, a token
  every process it starts inherits (``BRISA_TRY_TOKEN``), and its workload;
* ``<id>.log``: its output, once the pipe to its supervisor is broken;
* ``<id>.end.json``: its outcome and XComs, when it could not hand them to its supervisor.

The executor deletes them once the try's end is in the store; a restarted scheduler reads
them (see :mod:`brisa.runner.adoption`). Only the LocalExecutor of ``brisa scheduler`` and
``brisa standalone`` keeps them: a Celery worker's task processes still end with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brisa import serde
from brisa.store.records import TaskKey
from brisa.tries.outcome import Outcome
from brisa.tries.workload import Workload

TOKEN_VARIABLE = "BRISA_TRY_TOKEN"
"""Set in a task process's environment: every process it starts carries its try's token."""
END_WAIT_SECONDS = 5.0
"""How long ``end_survivors`` waits for the processes it killed to be gone."""


# -- processes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcessId:
    """A process, named so that a later process given the same pid is not taken for it."""

    pid: int
    started: int
    """Clock ticks after boot at which it started (``/proc/<pid>/stat`` field 22)."""
    boot_id: str

    @classmethod
    def of(cls, pid: int) -> ProcessId | None:
        stat = _stat(pid)
        return cls(pid, stat.started, boot_id()) if stat else None

    def is_alive(self) -> bool:
        """The same process still runs (a zombie has ended)."""
        if self.boot_id != boot_id():
            return False
        stat = _stat(self.pid)
        return stat is not None and stat.state != "Z" and stat.started == self.started


@dataclass(frozen=True)
class _Stat:
    state: str
    pgrp: int
    started: int


def _stat(pid: int) -> _Stat | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and ")"
    return _Stat(state=fields[0], pgrp=int(fields[2]), started=int(fields[19]))


def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def survivors(process: ProcessId, token: str) -> list[int]:
    """Live processes of a try: its process group's members (the group keeps its id while
    it has members) and any process carrying its token (those it started in groups or
    sessions of their own, such as BashOperator's bash)."""
    if process.boot_id != boot_id():
        return []
    needle = f"{TOKEN_VARIABLE}={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        pid = int(name)
        stat = _stat(pid)
        if stat is None or stat.state == "Z":
            continue
        in_group = stat.pgrp == process.pid and stat.started >= process.started
        if in_group or _carries(pid, needle):
            found.append(pid)
    return found


def _carries(pid: int, needle: bytes) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return needle in environ.split(b"\0")


def end_survivors(process: ProcessId, token: str) -> list[int]:
    """SIGKILL what is left of a try and wait (a few seconds at most) until it is gone."""
    killed = survivors(process, token)
    for pid in killed:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + END_WAIT_SECONDS
    while killed and survivors(process, token) and time.monotonic() < deadline:
        time.sleep(0.05)
    return killed


# -- the records --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TryRecord:
    """What a task process left of itself on this host."""

    workload: Workload
    process: ProcessId
    token: str
    started_at: float
    """Unix time at which the task process started."""
    outcome: Outcome | None = None
    xcoms: list[tuple[str, Any]] = field(default_factory=list)

    def is_running(self) -> bool:
        return self.outcome is None and self.process.is_alive()


class TryRecords:
    """The folder of try records (``<home>/run/tries``), as the executor sees it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def base(self, key: TaskKey, try_number: int) -> Path:
        name = "\0".join((key.dag_id, key.run_id, key.task_id, str(key.map_index)))
        return self.folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}-{try_number}"

    def payload_for(self, workload: Workload) -> dict[str, str]:
        """What the task process needs to keep its record (added to its spawn payload)."""
        _make_private_folder(self.folder)
        return {"base": str(self.base(workload.key, workload.try_number)), "token": uuid.uuid4().hex}

    def read(self, key: TaskKey, try_number: int) -> TryRecord | None:
        """The record of that try, if its task process started; its end, if it wrote one."""
        base = self.base(key, try_number)
        start = _read_json(_file(base, ".json"))
        if start is None:
            return None
        end = _read_json(_file(base, ".end.json"))
        return TryRecord(
            workload=Workload.from_dict(start["workload"]),
            process=ProcessId(**start["process"]),
            token=start["token"],
            started_at=start["started_at"],
            outcome=Outcome.from_dict(end["outcome"]) if end else None,
            xcoms=[(k, serde.loads(v)) for k, v in end["xcoms"]] if end else [],
        )

    def output(self, key: TaskKey, try_number: int) -> bytes:
        """What the task process wrote after its supervisor was gone."""
        try:
            return _file(self.base(key, try_number), ".log").read_bytes()
        except OSError:
            return b""

    def forget(self, key: TaskKey, try_number: int) -> None:
        base = self.base(key, try_number)
        for suffix in (".json", ".end.json", ".log"):
            with contextlib.suppress(FileNotFoundError):
                _file(base, suffix).unlink()


# -- in the task process ------------------------------------------------------------------------
class TaskRecord:
    """The task process's side: its start, its output once orphaned, its end."""

    def __init__(self, base: Path, token: str) -> None:
        self.base = base
        self.token = token

    @classmethod
    def begin(cls, payload: dict[str, Any]) -> TaskRecord | None:
        """Write the start record (from the spawn payload); None when there is none to keep."""
        spec = payload.get("record")
        if not spec:
            return None
        process = ProcessId.of(os.getpid())
        if process is None:  # no /proc: nothing could check the record anyway
            return None
        record = cls(Path(spec["base"]), spec["token"])
        os.environ[TOKEN_VARIABLE] = record.token
        workload = {k: v for k, v in payload.items() if k != "record"}
        start = {
            "workload": workload,
            "process": process.__dict__,
            "token": record.token,
            "started_at": time.time(),
        }
        _write_json(_file(record.base, ".json"), start)
        return record

    def end(self, outcome: Outcome, xcoms: list[tuple[str, Any]]) -> None:
        """Keep the outcome and XComs the supervisor could not take."""
        end = {"outcome": outcome.to_dict(), "xcoms": [(k, serde.dumps(v)) for k, v in xcoms]}
        _write_json(_file(self.base, ".end.json"), end)

    def orphan_proof_streams(self) -> None:
        """Make ``sys.stdout``/``sys.stderr`` survive the supervisor: once the pipe to it
        breaks, descriptors 1 and 2 move to the ``.log`` file and the write goes there."""
        import sys

        log_path = _file(self.base, ".log")
        sys.stdout = _text_stream(_PipeOrFile(1, log_path))
        sys.stderr = _text_stream(_PipeOrFile(2, log_path))


class _PipeOrFile(io.RawIOBase):
    def __init__(self, fd: int, log_path: Path) -> None:
        self.fd = fd
        self.log_path = log_path

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        try:
            return os.write(self.fd, data)
        except BrokenPipeError:
            _move_output_to(self.log_path)
            return os.write(self.fd, data)


def _text_stream(raw: io.RawIOBase) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BufferedWriter(raw), line_buffering=True, errors="backslashreplace")


def _move_output_to(log_path: Path) -> None:
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
    finally:
        os.close(fd)


# -- files ----------------------------------------------------------------------------------------
def _file(base: Path, suffix: str) -> Path:
    return base.with_name(base.name + suffix)


def _make_private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def _write_json(path: Path, data: Any) -> None:
    """Whole or not at all: a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        # dumps, not dump: json.dump encodes in Python, chunk by chunk (~900 calls and 150
        # writes for a try's start record); dumps uses the C encoder and writes once.
        handle.write(json.dumps(data))
    os.replace(partial, path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


__all__ = [
    "TOKEN_VARIABLE",
    "ProcessId",
    "TaskRecord",
    "TryRecord",
    "TryRecords",
    "boot_id",
    "end_survivors",
    "survivors",
]
