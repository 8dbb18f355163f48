"""The task process's side of its control channel: the ``TaskRuntime`` of a try.

The channel itself (JSON lines over a Unix socket) is :mod:`brisa.process.channel`;
the supervisor answers from the store, so task processes never open the metadata
database (SQLite has one writer; small Postgres plans have few connections).
``done`` carries the try's outcome and is the last request.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from typing import Any

from brisa.process.channel import ChannelClosed, LineSocket, error_from

OPS = (
    "start",
    "xcom_pull",
    "xcom_sequence",
    "xcom_push",
    "get_variable",
    "set_variable",
    "delete_variable",
    "get_connection",
    "trigger_dag",
    "get_run_state",
    "count_task_states",
    "get_task_instances",
    "get_task_instance",
    "skip_tasks",
    "mask_secret",
    "mask_text",
    "smtp_password",
    "rendered",
    "done",
)


class ChannelRuntime:
    """The ``TaskRuntime`` of a task process: every call goes to the supervisor.

    If the supervisor dies (its scheduler was killed with its process group), the try
    goes on: what needs no answer (XCom pushes, masks, rendered fields) is kept or
    dropped, and the pushed XComs are there for the try's durable record (``pushed``).
    """

    def __init__(self, sock: socket.socket) -> None:
        self._line = LineSocket(sock)
        self._lock = threading.Lock()
        self.pushed: list[tuple[str, Any]] = []
        """Every XCom this try pushed, in order (the supervisor may not have them any more)."""

    def call(self, op: str, **args: Any) -> Any:
        with self._lock:
            try:
                self._line.send({"op": op, "args": args})
                reply = self._line.receive()
            except OSError as exc:
                raise ChannelClosed(f"lost contact with the supervisor: {exc}") from exc
        if reply is None:
            raise ChannelClosed("lost contact with the supervisor")
        if "error" in reply:
            raise error_from(reply)
        return reply.get("ok")

    # -- TaskRuntime ------------------------------------------------------------------
    def xcom_pull(
        self,
        *,
        dag_id: str,
        run_id: str,
        task_ids: Sequence[str] | None,
        key: str | None,
        map_indexes: Sequence[int] | None,
    ) -> list[tuple[str, int, Any]]:
        rows = self.call(
            "xcom_pull",
            dag_id=dag_id,
            run_id=run_id,
            task_ids=None if task_ids is None else list(task_ids),
            key=key,
            map_indexes=None if map_indexes is None else list(map_indexes),
        )
        return [tuple(r) for r in rows]

    def xcom_sequence(
        self, *, dag_id: str, run_id: str, task_id: str, key: str, index: int | None
    ) -> dict[str, Any]:
        answer: dict[str, Any] = self.call(
            "xcom_sequence", dag_id=dag_id, run_id=run_id, task_id=task_id, key=key, index=index
        )
        return answer

    def xcom_push(self, *, key: str, value: Any) -> None:
        self.pushed.append((key, value))
        self._notify("xcom_push", key=key, value=value)

    def _tell(self, op: str, **args: Any) -> None:
        """A request whose only answer is "ok": a lost supervisor does not fail the try."""
        try:
            self.call(op, **args)
        except ChannelClosed:
            pass

    def _notify(self, op: str, **args: Any) -> None:
        """A request the supervisor answers nothing to: the try does not wait for it.

        Requests on the channel are handled in order, so a later call (an XCom pull, the
        outcome) still finds it done; a mask must not be one: the log lines travel on
        another pipe and could be read before it.
        """
        with self._lock:
            try:
                self._line.send({"op": op, "args": args, "notify": True})
            except OSError:
                pass  # a lost supervisor does not fail the try

    def get_variable(self, key: str) -> str | None:
        return self.call("get_variable", key=key)

    def set_variable(self, key: str, value: str, description: str | None = None) -> None:
        self.call("set_variable", key=key, value=value, description=description)

    def delete_variable(self, key: str) -> None:
        self.call("delete_variable", key=key)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        return self.call("get_connection", conn_id=conn_id)

    def trigger_dag(
        self,
        *,
        dag_id: str,
        run_id: str | None,
        conf: dict[str, Any] | None,
        logical_date: str | None,
        reset_dag_run: bool | str,
    ) -> str:
        return self.call(
            "trigger_dag",
            dag_id=dag_id,
            run_id=run_id,
            conf=conf,
            logical_date=logical_date,
            reset_dag_run=reset_dag_run,
        )

    def get_run_state(self, *, dag_id: str, run_id: str) -> str | None:
        return self.call("get_run_state", dag_id=dag_id, run_id=run_id)

    def get_asset_events(
        self,
        *,
        dag_id: str | None = None,
        run_id: str | None = None,
        name: str | None = None,
        uri: str | None = None,
        alias: str | None = None,
    ) -> list[dict[str, Any]]:
        return self.call("get_asset_events", dag_id=dag_id, run_id=run_id, name=name, uri=uri, alias=alias)

    def count_task_states(
        self,
        *,
        dag_id: str,
        logical_dates: Sequence[str],
        task_ids: Sequence[str] | None,
        states: Sequence[str | None],
    ) -> int:
        return self.call(
            "count_task_states",
            dag_id=dag_id,
            logical_dates=list(logical_dates),
            task_ids=None if task_ids is None else list(task_ids),
            states=list(states),
        )

    def get_task_instances(
        self, *, dag_id: str, run_id: str, states: Sequence[str | None] | None
    ) -> list[dict[str, Any]]:
        return self.call(
            "get_task_instances",
            dag_id=dag_id,
            run_id=run_id,
            states=None if states is None else list(states),
        )

    def get_task_instance(
        self, *, dag_id: str, run_id: str, task_id: str, map_index: int
    ) -> dict[str, Any] | None:
        return self.call(
            "get_task_instance", dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index
        )

    def skip_tasks(self, *, task_ids: Sequence[str], map_index: int | None = None) -> None:
        self.call("skip_tasks", task_ids=list(task_ids), map_index=map_index)

    def get_task_group_task_ids(self, *, dag_id: str, group_id: str) -> list[str] | None:
        return self.call("get_task_group_task_ids", dag_id=dag_id, group_id=group_id)

    def get_task_state(self, *, key: str) -> dict[str, Any] | None:
        return self.call("get_task_state", key=key)

    def set_task_state(self, *, key: str, value: Any, retention: float | None) -> None:
        self.call("set_task_state", key=key, value=value, retention=retention)

    def delete_task_state(self, *, key: str) -> None:
        self.call("delete_task_state", key=key)

    def clear_task_state(self) -> None:
        self.call("clear_task_state")

    def mask_secret(self, value: str | dict[str, Any]) -> None:
        self._tell("mask_secret", value=value)

    def mask_text(self, text: str) -> str:
        try:
            return self.call("mask_text", text=text)
        except ChannelClosed:
            return "***"  # only the supervisor knows the secrets: hide all of it

    # -- runner-only requests -----------------------------------------------------------
    def report_rendered(self, fields: dict[str, Any]) -> None:
        self._notify("rendered", fields=fields)

    def report_done(self, outcome: dict[str, Any]) -> None:
        self.call("done", outcome=outcome)

    def smtp_password(self) -> str | None:
        """``[smtp] smtp_password`` from the supervisor: task processes do not get Brisa's
        secrets in their environment."""
        return self.call("smtp_password")


__all__ = ["OPS", "ChannelRuntime"]
