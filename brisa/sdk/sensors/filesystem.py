"""``FileSensor``: wait for a file (or a non-empty directory) matching a glob."""

from __future__ import annotations

import datetime
import glob
import os
from typing import Any

from brisa.runtime import maybe_runtime
from brisa.sdk.exceptions import AirflowException
from brisa.sdk.sensors.base import BaseSensorOperator
from brisa.sdk.triggers.file import FileTrigger


def connection_base_path(conn_id: str) -> str:
    """The ``path`` extra of the ``fs`` connection, '' when there is none."""
    runtime = maybe_runtime()
    if runtime is None:
        return ""
    connection = runtime.get_connection(conn_id)
    if not connection:
        return ""
    extra = connection.get("extra_dejson") or connection.get("extra") or {}
    if isinstance(extra, str):
        import json

        try:
            extra = json.loads(extra)
        except ValueError:
            extra = {}
    return str(extra.get("path", "")) if isinstance(extra, dict) else ""


class FileSensor(BaseSensorOperator):
    template_fields = ("filepath",)
    ui_color = "#91818a"
    extra_fields = ("fs_conn_id", "recursive", "poke_interval", "timeout", "mode")

    def __init__(
        self,
        *,
        filepath: str,
        fs_conn_id: str = "fs_default",
        recursive: bool = False,
        deferrable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filepath = filepath
        self.fs_conn_id = fs_conn_id
        self.recursive = recursive
        self.deferrable = deferrable

    def poke(self, context: dict[str, Any]) -> bool:
        full_path = os.path.join(connection_base_path(self.fs_conn_id), self.filepath)
        self.log.info("Poking for file %s", full_path)
        for path in glob.glob(full_path, recursive=self.recursive):
            if os.path.isfile(path):
                self.log.info("Found File %s", path)
                return True
            for _, _, files in os.walk(path):
                if files:
                    return True
        return False

    def execute(self, context: dict[str, Any]) -> Any:
        """With ``deferrable``: one poke here, then a ``FileTrigger`` waits in the triggerer."""
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context):
            return None
        self.defer(
            trigger=FileTrigger(
                filepath=os.path.join(connection_base_path(self.fs_conn_id), self.filepath),
                recursive=self.recursive,
                poke_interval=self.poke_interval,  # type: ignore[arg-type]
            ),
            method_name="execute_complete",
            timeout=datetime.timedelta(seconds=self.timeout),  # type: ignore[arg-type]
        )

    def execute_complete(self, context: dict[str, Any], event: Any = None) -> None:
        if not event:
            raise AirflowException(f"{self.task_id} task failed as {self.filepath} not found.")
        self.log.info("%s completed successfully as %s found.", self.task_id, self.filepath)


__all__ = ["FileSensor", "connection_base_path"]
