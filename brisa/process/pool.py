"""A thread that watches child processes forked by the zygote.

One ``select`` loop serves every child: it reads their output pipes and control
sockets, hands each event to the child's :class:`ChildHandler`, and calls
``on_exit`` once the process is gone (control socket closed and exit status known).
Handlers run on this thread only, so they need no locks of their own.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from brisa.process.channel import LineSocket, reply_for
from brisa.process.entrypoints import EntryPoints
from brisa.process.zygote import PayloadRefused, Spawned, ZygoteClient

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25


class ChildHandler:
    """Reacts to one child process. Every method runs on the pool's thread."""

    pid: int | None = None

    def on_spawned(self, pid: int) -> None:
        self.pid = pid

    def on_request(self, op: str, args: dict[str, Any]) -> Any:
        raise ValueError(f"unexpected request {op!r}")

    def on_output(self, data: bytes) -> None:
        """Bytes the child wrote to stdout/stderr."""

    def on_tick(self, now: float) -> None:
        """Called every ``TICK_SECONDS`` or so (monotonic ``now``)."""

    def on_exit(self, status: int | None) -> None:
        """The child is gone; ``status`` as ``waitstatus_to_exitcode`` (None if unknown)."""

    def on_spawn_failed(self, error: str) -> None:
        """The zygote could not start the child."""

    def on_spawn_refused(self, error: str) -> None:
        """The child can never be started with this payload (too big, too deep): asking
        again would fail again."""
        self.on_spawn_failed(error)

    @property
    def needs_exit_status(self) -> bool:
        """False once the child reported what it needed to: its exit status changes nothing,
        so the pool need not wait for the zygote to pass it on."""
        return True


@dataclass
class _Child:
    handler: ChildHandler
    pid: int = 0
    control: Any = None
    line: LineSocket | None = None
    output_fd: int | None = None
    control_open: bool = True
    status: int | None = None
    status_known: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class ProcessPool:
    """Owns the zygote and the watcher thread."""

    def __init__(
        self,
        entry_points: EntryPoints,
        *,
        preload: tuple[str, ...] = (),
        name: str = "brisa-procpool",
        hidden_env: frozenset[str] = frozenset(),
    ) -> None:
        self.entry_points = entry_points
        self._preload = preload
        self._hidden_env = hidden_env
        self._name = name
        self._zygote: ZygoteClient | None = None
        self._requests: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._spawn_lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._pending: dict[int, ChildHandler] = {}
        self._children: dict[int, _Child] = {}
        self._by_pid: dict[int, _Child] = {}
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._periodic: list[Callable[[float], None]] = []
        self._after_dispatch: list[Callable[[], None]] = []
        self.zygote_alive = True
        self.on_zygote_lost: Callable[[], None] = lambda: None

    # -- life cycle -----------------------------------------------------------------
    def start_zygote(self) -> None:
        """Fork the zygote: must happen while the process has a single thread."""
        if self._zygote is None:
            self._zygote = ZygoteClient.start(self.entry_points, self._preload, hidden_env=self._hidden_env)

    def start(self) -> None:
        self.start_zygote()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def add_periodic(self, fn: Callable[[float], None]) -> None:
        """Run ``fn(monotonic_now)`` on the pool thread every tick (before handlers tick)."""
        self._periodic.append(fn)

    def add_after_dispatch(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` on the pool thread after each round of events (batching writes)."""
        self._after_dispatch.append(fn)

    def spawn(
        self,
        kind: str,
        payload: dict[str, Any],
        handler: ChildHandler,
        *,
        file: tuple[str, str] | None = None,
        detached: bool = False,
    ) -> None:
        """Start a child of ``kind`` (a kind of :attr:`entry_points`); thread-safe.
        ``file`` and ``detached``: see :meth:`ZygoteClient.spawn`.

        The request goes to the zygote from the calling thread (no hand-off to the pool's
        thread on the way: a try starts a GIL switch sooner); the handler still only ever
        runs on the pool's thread.
        """
        with self._spawn_lock:
            error = None
            refused = False
            if kind not in self.entry_points:
                error, refused = f"no child process kind {kind!r} is registered", True
            elif not self.zygote_alive or self._zygote is None:
                error = "the zygote process is gone"
            else:
                try:
                    request_id = self._zygote.spawn(kind, payload, file=file, detached=detached)
                    self._pending[request_id] = handler
                except PayloadRefused as exc:
                    error, refused = str(exc), True
                except Exception as exc:
                    error = str(exc)
        if error is not None:
            failed = handler.on_spawn_refused if refused else handler.on_spawn_failed
            self.call_soon(lambda: failed(error))

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the pool thread; thread-safe."""
        self._requests.put(fn)
        self.wake()

    def wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except BlockingIOError:
            pass

    @property
    def active(self) -> int:
        return len(self._children) + len(self._pending)

    def signal_all(self, sig: int) -> None:
        """Send ``sig`` to every child's process group (thread-safe enough: pids are ints)."""
        for child in list(self._by_pid.values()):
            kill_group(child.pid, sig)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._zygote is not None:
            self._zygote.close()

    # -- the loop ---------------------------------------------------------------------
    def _run(self) -> None:
        next_tick = time.monotonic()
        while not (self._stopping.is_set() and not self._children and not self._pending):
            timeout = max(0.0, next_tick - time.monotonic())
            try:
                self._wait_and_dispatch(timeout)
            except Exception:
                log.exception("process pool loop error")
            now = time.monotonic()
            if now >= next_tick:
                self._tick(now)
                next_tick = now + TICK_SECONDS

    def _wait_and_dispatch(self, timeout: float) -> None:
        assert self._zygote is not None
        fds: dict[int, tuple[str, _Child | None]] = {self._wake_r: ("wake", None)}
        if self.zygote_alive:
            fds[self._zygote.fileno()] = ("zygote", None)
        for child in self._children.values():
            if child.control_open and child.control is not None:
                fds[child.control.fileno()] = ("control", child)
            if child.output_fd is not None:
                fds[child.output_fd] = ("output", child)
        readable, _, _ = select.select(list(fds), [], [], timeout)
        for fd in readable:
            kind, ready = fds[fd]
            if kind == "wake":
                os.read(self._wake_r, 65536)
                self._drain_requests()
            elif kind == "zygote":
                self._read_zygote()
            elif kind == "control" and ready is not None:
                self._read_control(ready)
            elif kind == "output" and ready is not None:
                self._read_output(ready)
        for child in list(self._children.values()):
            self._maybe_finish(child)
        for fn in self._after_dispatch:
            try:
                fn()
            except Exception:
                log.exception("after-dispatch hook failed")

    def _drain_requests(self) -> None:
        while True:
            try:
                item = self._requests.get_nowait()
            except queue.Empty:
                return
            item()

    def _read_zygote(self) -> None:
        assert self._zygote is not None
        received = self._zygote.receive()
        if received is None:
            self._zygote_gone()
            return
        message, spawned = received
        if spawned is not None:
            self._adopt(spawned)
        elif message.get("op") == "exited":
            child = self._by_pid.get(message["pid"])
            if child is not None:
                child.status = message["status"]
                child.status_known = True

    def _adopt(self, spawned: Spawned) -> None:
        with self._spawn_lock:
            handler = self._pending.pop(spawned.request_id, None)
        if handler is None:
            spawned.control.close()
            os.close(spawned.output_fd)
            return
        os.set_blocking(spawned.output_fd, False)
        spawned.control.setblocking(False)
        child = _Child(handler, spawned.pid, spawned.control, LineSocket(spawned.control), spawned.output_fd)
        self._children[spawned.request_id] = child
        self._by_pid[spawned.pid] = child
        handler.on_spawned(spawned.pid)

    def _read_control(self, child: _Child) -> None:
        try:
            chunk = child.control.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            child.control_open = False
            return
        assert child.line is not None
        for message in child.line.feed(chunk):
            self._answer(child, message)

    def _answer(self, child: _Child, message: dict[str, Any]) -> None:
        op, notify = message.get("op", ""), bool(message.get("notify"))
        try:
            reply = reply_for(child.handler.on_request(op, message.get("args") or {}))
        except Exception as exc:  # the child gets the error; the pool carries on
            if notify:
                log.exception("a task process's %r request failed", op)
            reply = reply_for(error=exc)
        if notify:
            return  # the child does not wait for an answer: sending one would desync it
        try:
            child.control.setblocking(True)
            assert child.line is not None
            child.line.send(reply)
        except OSError:
            child.control_open = False
        finally:
            try:
                child.control.setblocking(False)
            except OSError:
                pass

    def _read_output(self, child: _Child) -> None:
        assert child.output_fd is not None
        try:
            data = os.read(child.output_fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            child.handler.on_output(data)
            return
        os.close(child.output_fd)
        child.output_fd = None

    def _maybe_finish(self, child: _Child) -> None:
        if child.control_open:
            return
        if not (child.status_known or not self.zygote_alive or not child.handler.needs_exit_status):
            return
        # The process is gone: end whatever it left behind, then read the rest of its output.
        kill_group(child.pid, signal.SIGKILL)
        self._drain_output(child)
        for request_id, other in list(self._children.items()):
            if other is child:
                del self._children[request_id]
        self._by_pid.pop(child.pid, None)
        try:
            child.control.close()
        except OSError:
            pass
        child.handler.on_exit(child.status)

    def _drain_output(self, child: _Child) -> None:
        deadline = time.monotonic() + 1.0
        while child.output_fd is not None and time.monotonic() < deadline:
            readable, _, _ = select.select([child.output_fd], [], [], 0.05)
            if not readable:
                break
            self._read_output(child)
        if child.output_fd is not None:
            os.close(child.output_fd)
            child.output_fd = None

    def _zygote_gone(self) -> None:
        if not self.zygote_alive:
            return
        self.zygote_alive = False
        log.error("the zygote process died; running tries are lost")
        with self._spawn_lock:
            pending, self._pending = list(self._pending.values()), {}
        for handler in pending:
            handler.on_spawn_failed("the zygote process died")
        self.on_zygote_lost()

    def _tick(self, now: float) -> None:
        for fn in self._periodic:
            try:
                fn(now)
            except Exception:
                log.exception("periodic task failed")
        for child in list(self._children.values()):
            try:
                child.handler.on_tick(now)
            except Exception:
                log.exception("child handler tick failed")


def kill_group(pid: int, sig: int) -> None:
    if pid <= 0:
        return
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


__all__ = ["ChildHandler", "ProcessPool", "kill_group"]
