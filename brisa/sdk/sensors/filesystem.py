"""``FileSensor``: wait for a file (or a non-empty directory) matching a glob."""

from __future__ import annotations

import glob
import os
from typing import Any

from brisa.runtime import maybe_runtime
from brisa.sdk.sensors.base import BaseSensorOperator


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


__all__ = ["FileSensor", "connection_base_path"]
