"""The task process's side of the control channel once its supervisor is gone."""

from __future__ import annotations

import socket
import threading

import pytest

from brisa.process.channel import ChannelClosed, LineSocket, reply_for
from brisa.process.child_runtime import ChannelRuntime


def _answering(sock: socket.socket, seen: list[dict]) -> threading.Thread:
    """A supervisor that answers "ok" to every request but a notification until the socket closes."""

    def serve() -> None:
        line = LineSocket(sock)
        while (message := line.receive()) is not None:
            seen.append(message)
            if not message.get("notify"):
                line.send(reply_for(None))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_pushes_reach_a_live_supervisor_and_are_kept_for_the_record():
    task_end, supervisor_end = socket.socketpair()
    seen: list[dict] = []
    server = _answering(supervisor_end, seen)
    runtime = ChannelRuntime(task_end)

    runtime.xcom_push(key="return_value", value={"rows": 3})
    task_end.close()
    server.join(5)

    assert seen == [
        {"op": "xcom_push", "args": {"key": "return_value", "value": {"rows": 3}}, "notify": True}
    ]
    assert runtime.pushed == [("return_value", {"rows": 3})]


def test_a_try_whose_supervisor_died_goes_on_and_keeps_what_it_pushed():
    task_end, supervisor_end = socket.socketpair()
    supervisor_end.close()  # the scheduler was killed with its process group
    runtime = ChannelRuntime(task_end)

    runtime.xcom_push(key="return_value", value=[1, 2])
    runtime.mask_secret("s3cr3t")
    runtime.report_rendered({"bash_command": "echo"})

    assert runtime.pushed == [("return_value", [1, 2])]
    assert runtime.mask_text("the password is s3cr3t") == "***"  # nothing known may leak
    with pytest.raises(ChannelClosed):
        runtime.get_variable("needs_an_answer")
    with pytest.raises(ChannelClosed):
        runtime.report_done({"state": "success"})
