"""A control channel between a child process and its parent: JSON lines over a socket.

The child sends a request and waits for its reply; the parent's pool thread answers
(see :class:`brisa.process.pool.ChildHandler`).  Request ``{"op": "xcom_pull", "args":
{...}}``; reply ``{"ok": value}`` or ``{"error": "message", "kind": "NotFoundError"}``.
A request marked ``"notify": true`` gets no reply and the child does not wait for one
(an XCom push, the rendered fields): one round trip less per request, while the order of
requests on the socket still puts it before the child's next call.
"""

from __future__ import annotations

import socket
from typing import Any

from brisa import serde
from brisa.errors import BrisaError, ExecutorError, NotFoundError


class ChannelClosed(ExecutorError):
    """The parent (a try's supervisor) is gone: the child cannot report and must stop."""


class LineSocket:
    """Send and receive whole JSON lines over a stream socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        self.sock.sendall(serde.dumps(message).encode() + b"\n")

    def receive(self) -> dict[str, Any] | None:
        while b"\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return serde.loads(line.decode())

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        """Non-blocking side: add received bytes, return the complete messages."""
        self._buffer += chunk
        messages = []
        while b"\n" in self._buffer:
            line, _, self._buffer = self._buffer.partition(b"\n")
            messages.append(serde.loads(line.decode()))
        return messages


_ERRORS: dict[str, type[BrisaError]] = {"NotFoundError": NotFoundError}


def error_from(reply: dict[str, Any]) -> Exception:
    """The exception a reply carries, as the answering side raised it (as near as can be)."""
    kind = reply.get("kind", "")
    if kind == "KeyError":
        return KeyError(reply["error"])
    if kind == "ValueError":
        return ValueError(reply["error"])
    cls = _ERRORS.get(kind)
    if cls is not None:
        return cls(reply["error"])
    from brisa import errors

    return getattr(errors, kind, BrisaError)(reply["error"]) if kind else BrisaError(reply["error"])


def reply_for(result: Any = None, error: BaseException | None = None) -> dict[str, Any]:
    if error is None:
        return {"ok": result}
    return {"error": str(error), "kind": type(error).__name__}


__all__ = ["ChannelClosed", "LineSocket", "error_from", "reply_for"]
