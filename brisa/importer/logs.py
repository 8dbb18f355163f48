"""Task logs Airflow wrote to files, found where its default ``log_filename_template`` put them.

- Airflow 2.x and 3.x: ``dag_id=D/run_id=R/task_id=T[/map_index=M]/attempt=N.log``
- Airflow 1.10: ``D/T/<execution_date ISO>/N.log``

under ``[logging] base_log_folder`` (1.10: ``[core] base_log_folder``). A try without its
file is left out; logs in remote storage (S3, GCS...) are not read: download them first.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

CHUNK_CHARS = 65536


def try_log_path(
    folder: Path, family: str, key: tuple[str, str, str, int], try_number: int, logical_date: datetime | None
) -> Path | None:
    """Where Airflow ``family`` wrote the log of one try, by its default template."""
    dag_id, run_id, task_id, map_index = key
    if family == "1.10":
        if logical_date is None:
            return None
        return folder / dag_id / task_id / logical_date.isoformat() / f"{try_number}.log"
    path = folder / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    if map_index >= 0:
        path = path / f"map_index={map_index}"
    return path / f"attempt={try_number}.log"


def read_chunks(path: Path) -> list[str]:
    """The file's text in chunks as Brisa stores logs; undecodable bytes are replaced."""
    text = path.read_text("utf-8", errors="replace")
    return [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]


__all__ = ["CHUNK_CHARS", "read_chunks", "try_log_path"]
