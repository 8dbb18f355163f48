"""Parse a DAG file in a forked child process, with a hard timeout.

The parent never runs DAG code: the child (a ``fork`` of the parent, so no new
interpreter starts) runs :func:`~brisa.loader.parse.parse_file` and writes the
:class:`ParseResult` as JSON to a pipe.  A child that runs past ``timeout`` is killed;
one that crashes (segfault, ``os._exit``) becomes an import error.
"""

from __future__ import annotations

import faulthandler
import importlib
import os
import select
import signal
import sys
import time
import traceback

from brisa.loader.parse import parse_file
from brisa.loader.result import ImportErrorInfo, ParseResult

_CHUNK = 1 << 16
_HEADER = 8
_PRELOAD = (
    "brisa.timetables",
    "brisa.sdk.decorators",
    "brisa.sdk.operators.bash",
    "brisa.sdk.operators.python",
    "brisa.sdk.operators.empty",
    "brisa.sdk.sensors.base",
    "brisa.compat.table",
)
"""Modules nearly every DAG file needs: imported once in the parent so that each
forked child starts with them loaded instead of importing them again."""


def preload() -> None:
    for name in _PRELOAD:
        importlib.import_module(name)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _child(path: str, write_fd: int, kwargs: dict[str, object]) -> None:
    """Runs in the forked child; never returns."""
    # A crash is reported as an import error; no C-level traceback on the parent's stderr.
    faulthandler.disable()
    code = 0
    try:
        payload = parse_file(path, timeout=None, **kwargs).to_json()  # type: ignore[arg-type]
    except BaseException as err:  # the child must always answer, whatever happened
        error = ImportErrorInfo(
            path, None, f"the parser failed: {type(err).__name__}: {err}", traceback.format_exc()
        )
        payload = ParseResult(errors=[error]).to_json()
        code = 1
    data = payload.encode()
    try:
        # Length first: the parent stops reading once it has it all, even if a process the
        # DAG file forked still holds the pipe open.
        _write_all(write_fd, len(data).to_bytes(_HEADER, "big") + data)
    finally:
        os._exit(code)


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """The payload the child sends (length-prefixed), b"" if it closed the pipe first;
    and whether time ran out."""
    buffer = bytearray()
    while True:
        if len(buffer) >= _HEADER and len(buffer) >= _HEADER + int.from_bytes(buffer[:_HEADER], "big"):
            return bytes(buffer[_HEADER : _HEADER + int.from_bytes(buffer[:_HEADER], "big")]), False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            return b"", False
        buffer.extend(chunk)


def _describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"was killed by signal {name}"
    return f"exited with code {os.WEXITSTATUS(status)}"


def parse_file_isolated(
    path: str,
    *,
    timeout: float = 30.0,
    generation_default: str = "2",
    catchup_default: bool | None = None,
    dags_folder: str | None = None,
) -> ParseResult:
    """:func:`parse_file` in a forked child, killed after ``timeout`` seconds."""
    kwargs: dict[str, object] = {
        "generation_default": generation_default,
        "catchup_default": catchup_default,
        "dags_folder": dags_folder,
    }
    preload()
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(path, write_fd, kwargs)
    os.close(write_fd)
    try:
        data, timed_out = _read_until(read_fd, time.monotonic() + timeout)
    finally:
        os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        message = f"DagBag import timeout for {path} after {timeout}s: the file ran too long and was stopped"
        return ParseResult(errors=[ImportErrorInfo(path, None, message)])
    try:
        return ParseResult.from_json(data.decode())
    except ValueError:
        message = f"the process parsing {path} {_describe_exit(status)} before it reported a result"
        return ParseResult(errors=[ImportErrorInfo(path, None, message)])


__all__ = ["parse_file_isolated", "preload"]
