"""The zygote: a single-threaded process that forks task, parse and callback children.

Starting a Python interpreter per task costs ~55 ms and tens of MB; forking a warm one
costs about a millisecond and shares its memory.  But a process with threads (web
server, scheduler, supervisor) must not fork: a lock held by another thread at that
moment stays held forever in the child.  So the executor forks the zygote first, while
the process still has one thread, and every child after that is forked by the zygote.

Protocol (one ``SOCK_SEQPACKET`` socket, JSON messages):

* parent -> zygote ``{"op": "spawn", "id": N, "kind": "task", "payload": {...},
  "file": [path, generation] | null, "detached": bool}``
* zygote -> parent ``{"op": "spawned", "id": N, "pid": P}`` with two file descriptors
  attached: the child's control socket and the read end of its stdout/stderr pipe.
* zygote -> parent ``{"op": "exited", "pid": P, "status": S}`` (``S`` as ``waitstatus_to_exitcode``)
* parent closes the socket (or dies) -> the zygote kills every child's process group
  and exits, so no try outlives its supervisor while the zygote lives. A task process
  outlives a zygote killed with the scheduler's process group: it keeps a durable record
  and a restarted scheduler adopts it (see ``brisa.runner.tryrecord``): it is spawned
  ``detached``.

What a child of each kind runs comes from the :class:`~brisa.process.entrypoints.EntryPoints`
the zygote was started with (inherited by the fork, never looked up by name).

Each child runs in its own process group, so ending a try ends the
processes it started too.

File zygotes: a task child must load its DAG file, which for a big DAG costs more than
the task.  So for a child spawned with a ``file``, whose kind registered a
``preload_file`` (the runner's ``task``), the zygote forks, per file, a *file zygote*
that loads the file once and then forks that file's children, which find the DAG
already built.  A file zygote is replaced when its file
changes or after ``FILE_ZYGOTE_MAX_AGE``, retired when idle or when more than
``MAX_FILE_ZYGOTES`` files are loaded, and skipped for a file whose top-level code fails
or starts threads (those children load the file themselves, as before).  Its children's
``spawned``/``exited`` messages pass through the zygote unchanged.
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import importlib
import io
import json
import os
import select
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from brisa.errors import ExecutorError
from brisa.process.entrypoints import EntryPoints, FilePreload

MAX_MESSAGE_BYTES = 4 * 1024 * 1024
"""The largest spawn request (its payload as JSON) the zygote takes."""
_MAX_MESSAGE = MAX_MESSAGE_BYTES
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
MAX_FILE_ZYGOTES = 8
"""At most this many DAG files stay loaded in file zygotes (least recently used go)."""
FILE_ZYGOTE_IDLE = 300.0
FILE_ZYGOTE_MAX_AGE = 300.0
"""A file zygote is replaced after this long, so top-level code of a DAG file runs again."""


class PayloadRefused(ExecutorError):
    """This payload can never be handed to a child (too big, or not JSON): asking again
    would fail again."""


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
    def start(
        cls,
        entry_points: EntryPoints,
        preload: tuple[str, ...] = (),
        *,
        hidden_env: frozenset[str] = frozenset(),
    ) -> ZygoteClient:
        """Fork the zygote. Call before the process starts any thread.

        ``hidden_env``: variables removed from the zygote's environment, and so from every
        child's (Brisa's own keys and URLs: the children run DAG code)."""
        warm_ups = [getattr(importlib.import_module(module), "warm_up", None) for module in preload]
        warm_ups += [entry.warm_up for entry in entry_points.values()]
        for warm_up in warm_ups:
            if warm_up is not None:
                warm_up()  # e.g. look up the host name once, not in every child
        parent_sock, zygote_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        # Freeze before forking, not after: a collection in the zygote would touch (and so
        # copy) every object page it shares with this process; frozen objects are never
        # scanned, in either process.
        gc.collect()
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the zygote
            parent_sock.close()
            # A parent may switch the collector off while it starts (brisa standalone);
            # the zygote and every child it forks run DAG code: theirs is on.
            gc.enable()
            code = 0
            try:
                _hide_environment(hidden_env)
                _Zygote(zygote_sock, entry_points).serve()
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        zygote_sock.close()
        return cls(parent_sock, pid)

    def fileno(self) -> int:
        return self.sock.fileno()

    def spawn(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        file: tuple[str, str] | None = None,
        detached: bool = False,
    ) -> int:
        """Ask for a child of ``kind``; ``file`` (path, generation) lets a file zygote fork
        it, ``detached`` lets it outlive the zygote (it keeps a durable record)."""
        self._next_id += 1
        request = {
            "op": "spawn",
            "id": self._next_id,
            "kind": kind,
            "payload": payload,
            "file": list(file) if file else None,
            "detached": detached,
        }
        try:
            message = json.dumps(request).encode()
        except (RecursionError, TypeError, ValueError) as exc:
            raise PayloadRefused(f"workload cannot be encoded for a task process: {exc}") from None
        if len(message) > _MAX_MESSAGE:
            raise PayloadRefused(f"workload too large to hand to a task process ({len(message)} bytes)")
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


@dataclass
class _FileZygote:
    """A child zygote that loaded one DAG file and forks that file's task children."""

    path: str
    pid: int
    sock: socket.socket
    signature: tuple[float, int] | None
    born: float
    last_used: float
    ready: bool = False
    pending: list[dict[str, Any]] = field(default_factory=list)


class _Zygote:  # pragma: no cover - runs in the zygote (covered by integration tests)
    """The fork server loop; also the loop of each file zygote (``file_of`` set)."""

    def __init__(self, sock: socket.socket, entry_points: EntryPoints, *, file_of: str | None = None) -> None:
        # Children share the zygote's memory copy-on-write; the cyclic GC touching every
        # object would copy those pages into each child. Frozen objects are never scanned
        # (what the parent froze before forking us, and what a file zygote loaded since).
        gc.freeze()
        # Processes a task leaves behind (BashOperator runs bash in a process group of its own)
        # are re-parented here when the task process ends; we end them.
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)
        self.sock = sock
        self.entry_points = entry_points
        self.file_of = file_of
        self.children: set[int] = set()
        self.files: dict[str, _FileZygote] = {}
        self.retired: list[_FileZygote] = []
        self.unshareable: dict[str, tuple[float, int] | None] = {}
        self.retiring = False
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # the parent decides when children stop

    def serve(self) -> None:
        while not (self.retiring and not self.children):
            sockets = {fz.sock.fileno(): fz for fz in [*self.files.values(), *self.retired]}
            watched: list[Any] = [self.sock, self.wake_r, *sockets]
            readable, _, _ = select.select(watched, [], [], 1.0)
            if self.wake_r in readable:
                os.read(self.wake_r, 4096)
            self._reap()
            self._end_orphans()
            for fd in readable:
                if fd in sockets:
                    self._from_file_zygote(sockets[fd])
            if self.sock in readable and not self._handle_request():
                self._kill_children()
                return
            self._retire_idle_files()

    def _handle_request(self) -> bool:
        try:
            data = self.sock.recv(_MAX_MESSAGE)
        except OSError:
            return False
        if not data:
            return False
        message = json.loads(data)
        if message.get("op") == "spawn":
            self._route(message)
        elif message.get("op") == "retire":
            self.retiring = True
        return True

    # -- where a child is forked ----------------------------------------------------------
    def _route(self, message: dict[str, Any]) -> None:
        preload = self.entry_points[message["kind"]].preload_file
        shared = message.get("file") and preload is not None and self.file_of is None
        fz = self._file_zygote_for(message, preload) if shared and preload is not None else None
        if fz is None:
            self._spawn(message)
        elif fz.ready:
            fz.last_used = time.monotonic()
            fz.sock.send(json.dumps(message).encode())
        else:
            fz.pending.append(message)

    def _file_zygote_for(self, message: dict[str, Any], preload: FilePreload) -> _FileZygote | None:
        path, generation = message["file"]
        path = os.path.abspath(path)
        signature = file_signature(path)
        if signature is None or self.unshareable.get(path, ()) == signature:
            return None
        fz = self.files.get(path)
        now = time.monotonic()
        if fz is not None and (fz.signature != signature or now - fz.born > FILE_ZYGOTE_MAX_AGE):
            self._retire_file(fz)
            fz = None
        if fz is None:
            if len(self.files) >= MAX_FILE_ZYGOTES:
                self._retire_file(min(self.files.values(), key=lambda f: f.last_used))
            fz = self._start_file_zygote(path, signature, generation, preload)
        return fz

    def _start_file_zygote(
        self, path: str, signature: tuple[float, int] | None, generation: str, preload: FilePreload
    ) -> _FileZygote:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            mine.close()
            _serve_file(path, generation, preload, theirs, self)
        theirs.close()
        now = time.monotonic()
        fz = _FileZygote(path, pid, mine, signature, now, now)
        self.files[path] = fz
        self.children.add(pid)
        return fz

    def _from_file_zygote(self, fz: _FileZygote) -> None:
        try:
            data, fds, _flags, _addr = socket.recv_fds(fz.sock, _MAX_MESSAGE, 2)
        except OSError:
            data, fds = b"", []
        if not data:
            self._file_zygote_gone(fz)
            return
        message = json.loads(data)
        op = message.get("op")
        if op == "ready":
            fz.ready = True
            for pending in fz.pending:
                fz.sock.send(json.dumps(pending).encode())
            fz.pending.clear()
        elif op == "unshareable":
            self.unshareable[fz.path] = fz.signature
            self._file_zygote_gone(fz)
        else:  # "spawned" (with the child's descriptors) and "exited": the parent's business
            try:
                socket.send_fds(self.sock, [data], fds) if fds else self.sock.send(data)
            except OSError:
                pass
            finally:
                for fd in fds:
                    os.close(fd)

    def _file_zygote_gone(self, fz: _FileZygote) -> None:
        if self.files.get(fz.path) is fz:
            del self.files[fz.path]
        if fz in self.retired:
            self.retired.remove(fz)
        fz.sock.close()
        for pending in fz.pending:
            self._spawn(pending)

    def _retire_file(self, fz: _FileZygote) -> None:
        """It stops taking work and exits once its running children are done."""
        if self.files.get(fz.path) is fz:
            del self.files[fz.path]
        try:
            fz.sock.send(json.dumps({"op": "retire"}).encode())
        except OSError:
            pass
        self.retired.append(fz)

    def _retire_idle_files(self) -> None:
        now = time.monotonic()
        for fz in list(self.files.values()):
            if fz.ready and now - fz.last_used > FILE_ZYGOTE_IDLE:
                self._retire_file(fz)

    # -- forking ----------------------------------------------------------------------------
    def _spawn(self, message: dict[str, Any]) -> None:
        control_parent, control_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            control_parent.close()
            os.close(out_r)
            _run_child(message, control_child, out_w, self)
        control_child.close()
        os.close(out_w)
        self.children.add(pid)
        reply = json.dumps({"op": "spawned", "id": message["id"], "pid": pid}).encode()
        try:
            socket.send_fds(self.sock, [reply], [control_parent.fileno(), out_r])
        except OSError:
            pass
        finally:
            control_parent.close()
            os.close(out_r)

    def _reap(self) -> None:
        """Collect every ended child: ours are reported, adopted orphans just reaped."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            if pid in self.children:
                self._report_exit(pid, status)

    def _report_exit(self, pid: int, status: int) -> None:
        self.children.discard(pid)
        if any(fz.pid == pid for fz in [*self.files.values(), *self.retired]):
            return  # a file zygote: its socket closing tells the rest
        code = os.waitstatus_to_exitcode(status)
        try:
            self.sock.send(json.dumps({"op": "exited", "pid": pid, "status": code}).encode())
        except OSError:
            pass

    def _end_orphans(self) -> None:
        """Kill processes re-parented to this zygote: what a finished try left running."""
        for pid in _child_pids() - self.children:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        self._reap()

    def _kill_children(self) -> None:
        for fz in [*self.files.values(), *self.retired]:
            try:
                fz.sock.close()  # the file zygote ends its own children, then exits
            except OSError:
                pass
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
        self.children.clear()
        self._end_orphans()

    def close_in_child(self) -> None:
        signal.set_wakeup_fd(-1)
        os.close(self.wake_r)
        os.close(self.wake_w)
        self.sock.close()
        for fz in [*self.files.values(), *self.retired]:
            fz.sock.close()


def _serve_file(  # pragma: no cover - runs in a file zygote
    path: str, generation: str, preload: FilePreload, sock: socket.socket, parent: _Zygote
) -> None:
    """The file zygote's life: load the DAG file, then fork its task children."""
    code = 0
    try:
        parent.close_in_child()
        _die_with_parent()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # a DAG file printing at import time must not write on the zygote's stdout
        os.close(devnull)
        ok = preload(path, generation)
        sock.send(json.dumps({"op": "ready" if ok else "unshareable"}).encode())
        if ok:
            _Zygote(sock, parent.entry_points, file_of=path).serve()
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _run_child(  # pragma: no cover - runs in a child of the zygote
    message: dict[str, Any], control: socket.socket, out_w: int, zygote: _Zygote
) -> None:
    code = 1
    try:
        zygote.close_in_child()
        # A process group of its own, so that killing the task ends what it started too;
        # not a session of its own: with the kernel's autogroup scheduling (on by default on
        # desktop and many server kernels) every session is one CPU-scheduling unit, and 32
        # task sessions would each get the share of the whole web server or database.
        os.setpgid(0, 0)
        if not message.get("detached"):
            # A task process that keeps a durable record (``brisa.runner.tryrecord``)
            # outlives a zygote killed with its scheduler's process group: a restarted
            # scheduler adopts it. A zygote that lost only its parent still ends it.
            _die_with_parent()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        _redirect_output(out_w)
        faulthandler.enable(file=sys.stderr)  # a crash leaves its Python traceback in the log
        main = zygote.entry_points[message["kind"]].main
        code = main(message["payload"], control)
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


def _hide_environment(names: frozenset[str]) -> None:  # pragma: no cover - runs in the zygote
    for name in names:
        os.environ.pop(name, None)  # unsetenv too: processes a task starts inherit the rest


def _die_with_parent() -> None:
    """Ask Linux to kill this child if the zygote dies without cleaning up."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value)
    except (OSError, AttributeError):
        pass


def file_signature(path: str) -> tuple[float, int] | None:
    """When a loaded file is stale: its modification time and size (None if unreadable)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime, stat.st_size


def _child_pids() -> set[int]:
    """This process's children, from /proc (Linux)."""
    pids: set[int] = set()
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as handle:
                pids.update(int(pid) for pid in handle.read().split())
    except OSError:
        pass
    return pids


__all__ = ["MAX_MESSAGE_BYTES", "PayloadRefused", "Spawned", "ZygoteClient", "file_signature"]
