"""Children run what their kind registered: functions handed over, never module paths."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from brisa.errors import ExecutorError
from brisa.process import ChildHandler, EntryPoint, EntryPoints, ProcessPool

PRELOADED: dict[str, str] = {}
"""Set in a file zygote by ``_preload``; its children inherit it."""


def _say(payload: dict[str, Any], control: socket.socket) -> int:  # runs in a child
    print(json.dumps({"word": payload["word"], "preloaded": PRELOADED.get(payload["word"])}), flush=True)
    return 3


def _preload(path: str, generation: str) -> bool:  # runs in a file zygote
    PRELOADED[path] = generation
    return True


class _Collect(ChildHandler):
    def __init__(self) -> None:
        self.output = b""
        self.status: int | None = None
        self.refused: str | None = None
        self.done = threading.Event()

    def on_output(self, data: bytes) -> None:
        self.output += data

    def on_exit(self, status: int | None) -> None:
        self.status = status
        self.done.set()

    def on_spawn_refused(self, error: str) -> None:
        self.refused = error
        self.done.set()


@pytest.fixture
def pool():
    registry = EntryPoints()
    registry.register("say", EntryPoint(_say, preload_file=_preload))
    pool = ProcessPool(registry)
    pool.start()
    yield pool
    pool.stop()


def _spawn(pool: ProcessPool, kind: str, word: str, **options: Any) -> _Collect:
    handler = _Collect()
    pool.spawn(kind, {"word": word}, handler, **options)
    assert handler.done.wait(60), "the child never ended"
    return handler


def test_a_child_runs_its_kinds_registered_function(pool: ProcessPool) -> None:
    handler = _spawn(pool, "say", "hello")
    assert handler.status == 3
    assert json.loads(handler.output) == {"word": "hello", "preloaded": None}


def test_a_child_spawned_for_a_file_is_forked_by_a_zygote_that_preloaded_it(
    pool: ProcessPool, tmp_path: Path
) -> None:
    path = tmp_path / "dag.py"
    path.write_text("")
    handler = _spawn(pool, "say", str(path), file=(str(path), "3"))
    assert handler.status == 3
    assert json.loads(handler.output)["preloaded"] == "3"


def test_an_unregistered_kind_is_refused_without_reaching_the_zygote(pool: ProcessPool) -> None:
    handler = _spawn(pool, "task", "x")
    assert handler.refused == "no child process kind 'task' is registered"
    assert _spawn(pool, "say", "still serving").status == 3


def test_a_kind_is_registered_once() -> None:
    registry = EntryPoints()
    registry.register("say", EntryPoint(_say))
    with pytest.raises(ExecutorError, match="already registered"):
        registry.register("say", EntryPoint(_say))
    assert list(registry) == ["say"] and registry["say"].main is _say


def _collector(payload: dict[str, Any], control: socket.socket) -> int:  # runs in a child
    import gc

    print(json.dumps({"gc": gc.isenabled()}), flush=True)
    return 0


def test_children_run_with_the_collector_on_when_the_parent_started_with_it_off() -> None:
    import gc

    registry = EntryPoints()
    registry.register("gc", EntryPoint(_collector))
    pool = ProcessPool(registry)
    gc.disable()  # as brisa standalone does while it starts
    try:
        pool.start()
    finally:
        gc.enable()
    try:
        handler = _spawn(pool, "gc", "-")
        assert json.loads(handler.output) == {"gc": True}
    finally:
        pool.stop()
