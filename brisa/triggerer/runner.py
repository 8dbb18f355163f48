"""An asyncio event loop in its own thread, running trigger coroutines.

The triggerer's shell adds and cancels triggers from its thread; each trigger's first
event (or its failure) is put on :attr:`TriggerRunner.results`, which the shell drains
and writes.  Thousands of waiting triggers cost one coroutine each, not a process.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any

from brisa.runtime import TaskRuntime, use_runtime

log = logging.getLogger("brisa.triggerer")


@dataclass(frozen=True)
class Result:
    trigger_id: int
    event: Any = None
    """The first ``TriggerEvent``; None when the trigger failed."""
    traceback: tuple[str, ...] = ()
    watcher: bool = False
    """From an asset watcher's trigger, which runs on after each event."""
    final: bool = True
    """The trigger stopped (fired for a task, failed, or a watcher's run() ended)."""


class TriggerRunner:
    def __init__(self, runtime: TaskRuntime | None = None) -> None:
        self.runtime = runtime
        """What triggers' code reads the store, connections and variables through (see
        reads.py); set per trigger, in its own task."""
        self.results: queue.SimpleQueue[Result] = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._lock = threading.Lock()
        self._running: set[int] = set()

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="brisa-triggers", daemon=True)
        self._thread.start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def running(self) -> set[int]:
        with self._lock:
            return set(self._running)

    def add(self, trigger_id: int, trigger: Any, *, watcher: bool = False) -> None:
        with self._lock:
            self._running.add(trigger_id)
        self._call(self._spawn, trigger_id, trigger, watcher)

    def cancel(self, trigger_id: int) -> None:
        self.forget(trigger_id)
        self._call(self._cancel, trigger_id)

    def forget(self, trigger_id: int) -> None:
        """The shell is done with this trigger (its result written, or it was cancelled).

        Until then it counts as running even once it fired, so a result not yet written
        never makes the shell start the trigger again."""
        with self._lock:
            self._running.discard(trigger_id)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel every trigger and end the loop's thread (a second call does nothing)."""
        if self._loop is None or self._thread is None or self._loop.is_closed():
            return
        future = asyncio.run_coroutine_threadsafe(self._cancel_all(), self._loop)
        try:
            future.result(timeout)
        except Exception:
            log.warning("triggers did not all stop within %.0fs", timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def _call(self, function: Any, *args: Any) -> None:
        assert self._loop is not None, "start() the runner first"
        self._loop.call_soon_threadsafe(function, *args)

    # -- in the loop's thread -----------------------------------------------------------
    def _spawn(self, trigger_id: int, trigger: Any, watcher: bool) -> None:
        run = self._watch_assets if watcher else self._watch
        self._tasks[trigger_id] = asyncio.get_running_loop().create_task(run(trigger_id, trigger))

    def _cancel(self, trigger_id: int) -> None:
        task = self._tasks.get(trigger_id)
        if task is not None:
            task.cancel()

    async def _cancel_all(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _watch(self, trigger_id: int, trigger: Any) -> None:
        # Set in the trigger's own task: a task copies the context of the thread that
        # scheduled its creation (the shell's), not the loop's.
        if self.runtime is not None:
            with use_runtime(self.runtime):
                await self._run_trigger(trigger_id, trigger)
        else:
            await self._run_trigger(trigger_id, trigger)

    async def _run_trigger(self, trigger_id: int, trigger: Any) -> None:
        try:
            async for event in trigger.run():
                # A task resumes once: a trigger's later events have nobody to go to.
                self.results.put(Result(trigger_id, event))
                return
            raise RuntimeError("Trigger exited without sending an event")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("trigger %s failed", trigger_id)
            self.results.put(Result(trigger_id, None, tuple(traceback.format_exception(exc))))
        finally:
            await self._cleanup(trigger_id, trigger)

    async def _watch_assets(self, trigger_id: int, trigger: Any) -> None:
        """An asset watcher: every event is an asset event; when run() ends, the shell
        forgets the trigger and starts it again at its next sync, as Airflow's triggerer."""
        try:
            async for event in trigger.run():
                self.results.put(Result(trigger_id, event, watcher=True, final=False))
            self.results.put(Result(trigger_id, watcher=True))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("asset watcher trigger %s failed", trigger_id)
            self.results.put(Result(trigger_id, None, tuple(traceback.format_exception(exc)), watcher=True))
        finally:
            await self._cleanup(trigger_id, trigger)

    async def _cleanup(self, trigger_id: int, trigger: Any) -> None:
        try:
            await trigger.cleanup()
        except Exception:
            log.exception("trigger %s failed to clean up", trigger_id)
        finally:
            self._tasks.pop(trigger_id, None)


__all__ = ["Result", "TriggerRunner"]
