"""``context["task_state_store"]`` (Airflow 3.3, AIP-103) over a runtime."""

from datetime import timedelta

import pytest

from brisa.templating.task_state import NEVER_EXPIRE, TaskStateStore, retention_seconds
from tests.sdk.fakes import MemoryRuntime


def test_get_set_delete_clear_as_airflow_3_3():
    runtime = MemoryRuntime()
    store = TaskStateStore(runtime)
    assert store.get("job_id") is None
    assert store.get("job_id", default="none yet") == "none yet"
    store.set("job_id", "spark_001")
    store.set("lock", True, retention=timedelta(hours=2))
    store.set("cursor", 41, retention=NEVER_EXPIRE)
    assert (store.get("job_id"), store.get("lock"), store.get("cursor")) == ("spark_001", True, 41)
    store.delete("job_id")
    assert store.get("job_id") is None
    store.clear()
    assert store.get("cursor") is None


def test_retention_defaults_to_airflows_30_days_and_never_expire_is_none():
    runtime = MemoryRuntime()
    store = TaskStateStore(runtime)
    store.set("a", 1)
    store.set("b", 1, retention=timedelta(hours=1))
    store.set("c", 1, retention=NEVER_EXPIRE)
    kept = runtime.task_state[("d", "r", "t", -1)]
    assert {k: v[1] for k, v in kept.items()} == {"a": 30 * 86400.0, "b": 3600.0, "c": None}
    with pytest.raises(TypeError, match="timedelta or NEVER_EXPIRE"):
        retention_seconds(30)
    with pytest.raises(ValueError, match="non-empty string"):
        store.get("")


async def _async_round_trip(store):
    await store.aset("k", "v")
    found = await store.aget("k")
    await store.adelete("k")
    return found, await store.aget("k", "gone")


def test_async_forms():
    import asyncio

    assert asyncio.run(_async_round_trip(TaskStateStore(MemoryRuntime()))) == ("v", "gone")


def test_never_expire_imports_from_airflows_path():
    import importlib

    from brisa.compat import shim_installed

    with shim_installed():
        module = importlib.import_module("airflow.sdk.execution_time.context")
    assert module.NEVER_EXPIRE is NEVER_EXPIRE
