"""The ``parse`` child of the zygote: parse one DAG file, send back what it defines."""

from __future__ import annotations

import socket
from typing import Any

from brisa.runner.channel import LineSocket


def child_main(payload: dict[str, Any], control: socket.socket) -> int:
    from brisa.loader import parse_file

    result = parse_file(
        payload["path"],
        timeout=payload["timeout"],
        generation_default=payload["generation_default"],
        catchup_default=payload["catchup_default"],
        dags_folder=payload.get("folder"),
    )
    value = {
        "dags": [dag.to_dict() for dag in result.dags],
        "errors": [
            {"lineno": e.lineno, "message": e.message, "stacktrace": e.traceback} for e in result.errors
        ],
    }
    line = LineSocket(control)
    line.send({"op": "result", "args": {"value": value}})
    line.receive()
    return 0


__all__ = ["child_main"]
