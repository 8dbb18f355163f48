"""The zygote: a single-threaded process that forks task, parse and callback children.

Starting a Python interpreter per task costs ~55 ms and tens of MB; forking a warm one
costs about a millisecond and shares its memory.  But a process with threads (web
server, scheduler, supervisor) must not fork: a lock held by another thread at that
moment stays held forever in the child.  So the executor forks the zygote first, while
the process still has one thread, and every child after that is forked by the zygote.

Protocol (one ``SOCK_SEQPACKET`` socket, JSON messages):

* parent -> zygote ``{"op": "spawn", "id": N, "kind": "task", "payload": {...}}``
* zygote -> parent ``{"op": "spawned", "id": N, "pid": P}`` with two file descriptors
  attached: the child's control socket and the read end of its stdout/stderr pipe.
* zygote -> parent ``{"op": "exited", "pid": P, "status": S}`` (``S`` as ``waitstatus_to_exitcode``)
* parent closes the socket (or dies) -> the zygote kills every child's process group
  and exits, so no try outlives its supervisor.

Each child runs in its own session (process group), so ending a try ends the
processes it started too.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import io
import json
import os
import select
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brisa.errors import ExecutorError

ENTRYPOINTS: dict[str, str] = {
    "task": "brisa.runner.task_runner:child_main",
    "parse": "brisa.scheduler.parse_child:child_main",
    "callback": "brisa.runner.callbacks:child_main",
}
"""What a child of each kind runs: ``fn(payload: dict, control: socket.socket) -> int``."""

_MAX_MESSAGE = 4 * 1024 * 1024
_PR_SET_PDEATHSIG = 1


@dataclass
class Spawned:
    request_id: int
    pid: int
    control: socket.socket
    output_fd: int


class ZygoteClient:
    """The parent's handle on its zygote."""

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self.sock = sock
        self.pid = pid
        self._next_id = 0

    @classmethod
    def start(cls, preload: tuple[str, ...] = ()) -> ZygoteClient:
        """Fork the zygote. Call before the process starts any thread."""
        for module in preload:
            warm_up = getattr(importlib.import_module(module), "warm_up", None)
            if warm_up is not None:
                warm_up()  # e.g. look up the host name once, not in every child
        parent_sock, zygote_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the zygote
            parent_sock.close()
            code = 0
            try:
                _Zygote(zygote_sock).serve()
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        zygote_sock.close()
        return cls(parent_sock, pid)

    def fileno(self) -> int:
        return self.sock.fileno()

    def spawn(self, kind: str, payload: dict[str, Any]) -> int:
        self._next_id += 1
        message = json.dumps({"op": "spawn", "id": self._next_id, "kind": kind, "payload": payload}).encode()
        if len(message) > _MAX_MESSAGE:
            raise ExecutorError(f"workload too large to hand to a task process ({len(message)} bytes)")
        try:
            self.sock.send(message)
        except OSError as exc:
            raise ExecutorError(f"the zygote process is gone: {exc}") from exc
        return self._next_id

    def receive(self) -> tuple[dict[str, Any], Spawned | None] | None:
        """One message from the zygote; None when it is gone."""
        try:
            data, fds, _flags, _addr = socket.recv_fds(self.sock, _MAX_MESSAGE, 2)
        except OSError:
            return None
        if not data:
            return None
        message = json.loads(data)
        if message["op"] != "spawned":
            return message, None
        control = socket.socket(fileno=fds[0])
        return message, Spawned(message["id"], message["pid"], control, fds[1])

    def close(self) -> None:
        """Closing the socket tells the zygote to end every child and exit."""
        try:
            self.sock.close()
        finally:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass


class _Zygote:  # pragma: no cover - runs in the zygote (covered by integration tests)
    def __init__(self, sock: socket.socket) -> None:
        # Children share the zygote's memory copy-on-write; the cyclic GC touching every
        # object would copy those pages into each child. Frozen objects are never scanned.
        gc.collect()
        gc.freeze()
        self.sock = sock
        self.children: set[int] = set()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # the parent decides when children stop

    def serve(self) -> None:
        while True:
            readable, _, _ = select.select([self.sock, self.wake_r], [], [], 1.0)
            if self.wake_r in readable:
                os.read(self.wake_r, 4096)
            self._reap()
            if self.sock in readable and not self._handle_request():
                self._kill_children()
                return

    def _handle_request(self) -> bool:
        try:
            data = self.sock.recv(_MAX_MESSAGE)
        except OSError:
            return False
        if not data:
            return False
        message = json.loads(data)
        if message.get("op") == "spawn":
            self._spawn(message)
        return True

    def _spawn(self, message: dict[str, Any]) -> None:
        control_parent, control_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            control_parent.close()
            os.close(out_r)
            _run_child(message["kind"], message["payload"], control_child, out_w, self)
        control_child.close()
        os.close(out_w)
        self.children.add(pid)
        reply = json.dumps({"op": "spawned", "id": message["id"], "pid": pid}).encode()
        try:
            socket.send_fds(self.sock, [reply], [control_parent.fileno(), out_r])
        finally:
            control_parent.close()
            os.close(out_r)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            try:
                self.sock.send(json.dumps({"op": "exited", "pid": pid, "status": code}).encode())
            except OSError:
                pass

    def _kill_children(self) -> None:
        for pid in list(self.children):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in list(self.children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass

    def close_in_child(self) -> None:
        signal.set_wakeup_fd(-1)
        os.close(self.wake_r)
        os.close(self.wake_w)
        self.sock.close()


def _run_child(  # pragma: no cover - runs in a child of the zygote
    kind: str, payload: dict[str, Any], control: socket.socket, out_w: int, zygote: _Zygote
) -> None:
    code = 1
    try:
        zygote.close_in_child()
        os.setsid()
        _die_with_parent()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        _redirect_output(out_w)
        code = _entrypoint(kind)(payload, control)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _entrypoint(kind: str) -> Callable[[dict[str, Any], socket.socket], int]:
    module_name, _, attr = ENTRYPOINTS[kind].partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _redirect_output(out_w: int) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.close(out_w)
    # These streams live as long as the process: no context managers.
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    out = open(1, "wb", closefd=False)  # noqa: SIM115
    err = open(2, "wb", closefd=False)  # noqa: SIM115
    sys.stdout = io.TextIOWrapper(out, line_buffering=True, errors="backslashreplace")
    sys.stderr = io.TextIOWrapper(err, line_buffering=True, errors="backslashreplace")


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the zygote dies without cleaning up."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


__all__ = ["ENTRYPOINTS", "Spawned", "ZygoteClient"]
