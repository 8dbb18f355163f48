"""The ``parse`` child of the zygote: parse one DAG file, send back what it defines."""

from __future__ import annotations

import socket
from typing import Any

from brisa.loader.dag_conf import brisa_conf
from brisa.process.child_runtime import ChannelRuntime
from brisa.process.entrypoints import EntryPoint, EntryPoints
from brisa.runtime import ParseRuntime, use_runtime

PARSE = "parse"


def child_main(payload: dict[str, Any], control: socket.socket) -> int:
    from brisa.loader import parse_file

    channel = ChannelRuntime(control)  # top-level Variable.get asks the DAG processor
    with use_runtime(ParseRuntime(channel)), brisa_conf():
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
    channel.call("result", value=value)
    return 0


def register(registry: EntryPoints) -> EntryPoints:
    """Add ``parse`` (the DAG processor's children) to ``registry``; returns it."""
    registry.register(PARSE, EntryPoint(child_main))
    return registry


__all__ = ["PARSE", "child_main", "register"]
