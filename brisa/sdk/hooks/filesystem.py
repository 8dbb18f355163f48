"""``FSHook``: the base path an ``fs`` connection names (its ``path`` extra), as Airflow's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brisa.sdk.connection import BaseHook


class FSHook(BaseHook):
    """``FSHook(fs_conn_id)``: reads the connection at once, as Airflow's does."""

    conn_name_attr = "fs_conn_id"
    default_conn_name = "fs_default"
    conn_type = "fs"
    hook_name = "File (path)"

    def __init__(self, fs_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn = self.get_connection(fs_conn_id)
        self.basepath = str(self.conn.extra_dejson.get("path", ""))

    def get_conn(self) -> None:
        return None

    def get_path(self) -> str:
        return self.basepath

    def test_connection(self) -> tuple[bool, str]:
        path = self.get_path()
        if not path:
            return False, "File Path is undefined."
        if not Path(path).exists():
            return False, f"Path {path} does not exist."
        return True, f"Path {path} is existing."


__all__ = ["FSHook"]
