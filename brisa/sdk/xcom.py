"""``XCom``: the class-level XCom reads Airflow exposes (``XCom.get_one``/``get_many``)."""

from __future__ import annotations

import json
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk.context import get_current_context
from brisa.sdk.xcom_arg import XCOM_RETURN_KEY
from brisa.store.records import XComRecord


def _current_ids(dag_id: str | None, run_id: str | None) -> tuple[str, str]:
    if dag_id and run_id:
        return dag_id, run_id
    ti = get_current_context()["ti"]
    return dag_id or ti.dag_id, run_id or ti.run_id


class XCom:
    """Reads XComs of a run (by default the current task's run)."""

    @classmethod
    def get_many(
        cls,
        *,
        run_id: str | None = None,
        key: str | None = None,
        task_ids: str | list[str] | None = None,
        dag_ids: str | None = None,
        map_indexes: int | list[int] | None = None,
        include_prior_dates: bool = False,
        limit: int | None = None,
        session: Any = None,
    ) -> list[XComRecord]:
        dag_id, run_id = _current_ids(dag_ids if isinstance(dag_ids, str) else None, run_id)
        ids = [task_ids] if isinstance(task_ids, str) else list(task_ids or [])
        if not ids:
            ids = [get_current_context()["ti"].task_id]
        indexes = [map_indexes] if isinstance(map_indexes, int) else map_indexes
        rows = current_runtime().xcom_pull(
            dag_id=dag_id, run_id=run_id, task_ids=ids, key=key or XCOM_RETURN_KEY, map_indexes=indexes
        )
        records = [XComRecord(dag_id, run_id, t, i, key or XCOM_RETURN_KEY, v) for t, i, v in rows]
        return records[:limit] if limit else records

    @classmethod
    def get_one(
        cls,
        *,
        key: str | None = None,
        dag_id: str | None = None,
        task_id: str | None = None,
        run_id: str | None = None,
        map_index: int | None = None,
        include_prior_dates: bool = False,
        session: Any = None,
        **_: Any,
    ) -> Any:
        records = cls.get_many(
            run_id=run_id, key=key, task_ids=task_id, dag_ids=dag_id, map_indexes=map_index
        )
        return records[0].value if records else None

    @classmethod
    def get_value(cls, *, ti_key: Any, key: str | None = None, session: Any = None) -> Any:
        """One XCom of the task instance ``ti_key`` names (its dag, run, task and map
        index): how ``XComOperatorLink``-style links read what ``persist`` pushed."""
        map_index = getattr(ti_key, "map_index", -1)
        return cls.get_one(
            key=key,
            dag_id=ti_key.dag_id,
            task_id=ti_key.task_id,
            run_id=ti_key.run_id,
            map_index=map_index if map_index is not None else -1,
        )

    @staticmethod
    def serialize_value(value: Any, **_: Any) -> str:
        return json.dumps(value)

    @staticmethod
    def deserialize_value(result: Any) -> Any:
        return json.loads(result.value if hasattr(result, "value") else result)


__all__ = ["XCOM_RETURN_KEY", "XCom", "XComRecord"]
