"""Requests a task process does not wait for (XCom pushes, rendered fields)."""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

import pytest

from brisa.process import ChildHandler, EntryPoint, EntryPoints, ProcessPool
from brisa.process.channel import LineSocket
from brisa.process.child_runtime import ChannelRuntime


def _push_then_ask(payload: dict[str, Any], control: socket.socket) -> int:  # runs in a child
    runtime = ChannelRuntime(control)
    runtime.xcom_push(key="return_value", value=payload["value"])
    runtime.report_rendered({"bash_command": "true"})
    print(json.dumps({"answer": runtime.get_variable("v")}), flush=True)
    return 0


class _Supervisor(ChildHandler):
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.output = b""
        self.done = threading.Event()

    def on_request(self, op: str, args: dict[str, Any]) -> Any:
        self.requests.append(op)
        return "the variable" if op == "get_variable" else None

    def on_output(self, data: bytes) -> None:
        self.output += data

    def on_exit(self, status: int | None) -> None:
        self.done.set()


@pytest.fixture
def pool():
    registry = EntryPoints()
    registry.register("push_then_ask", EntryPoint(_push_then_ask))
    pool = ProcessPool(registry)
    pool.start()
    yield pool
    pool.stop()


def test_a_notified_request_gets_no_reply_and_the_next_call_its_own_answer(pool):
    supervisor = _Supervisor()
    pool.spawn("push_then_ask", {"value": 7}, supervisor)

    assert supervisor.done.wait(30)
    # Handled in the order sent; a reply to the push would have been read as the answer.
    assert supervisor.requests == ["xcom_push", "rendered", "get_variable"]
    assert json.loads(supervisor.output.decode().strip().splitlines()[-1]) == {"answer": "the variable"}


def test_a_push_does_not_wait_for_the_supervisor():
    task_end, supervisor_end = socket.socketpair()
    runtime = ChannelRuntime(task_end)
    pushed = threading.Thread(target=runtime.xcom_push, kwargs={"key": "k", "value": 1}, daemon=True)

    pushed.start()
    pushed.join(10)  # the supervisor below never answers

    assert not pushed.is_alive()
    assert LineSocket(supervisor_end).receive() == {
        "op": "xcom_push",
        "args": {"key": "k", "value": 1},
        "notify": True,
    }
    task_end.close()
    supervisor_end.close()
