"""Triggers read connections and variables through the triggerer's secrets, as providers'
async hooks do (``get_async_connection`` looks the connection up in a worker thread)."""

from __future__ import annotations

from typing import Any

from brisa.runtime import NoRuntimeError, current_runtime
from brisa.sdk.provider_surface import get_async_connection
from brisa.sdk.triggers.base import BaseTrigger, TriggerEvent
from brisa.triggerer.reads import TriggerRuntime
from brisa.triggerer.runner import TriggerRunner


class Secrets:
    def get_variable(self, key: str) -> str | None:
        return {"region": "eu-west-1"}.get(key)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        return {"conn_id": conn_id, "conn_type": "http", "host": "api.local"} if conn_id == "api" else None


class ReadsSecrets(BaseTrigger):
    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{__name__}.ReadsSecrets", {}

    async def run(self):  # type: ignore[no-untyped-def]
        conn = await get_async_connection("api")
        yield TriggerEvent({"host": conn.host, "region": current_runtime().get_variable("region")})


class PullsXCom(ReadsSecrets):
    async def run(self):  # type: ignore[no-untyped-def]
        current_runtime().xcom_pull(dag_id="d", run_id="r", task_ids=None, key=None, map_indexes=None)
        yield TriggerEvent(None)


def first_result(runner: TriggerRunner, trigger: BaseTrigger) -> Any:
    runner.start()
    try:
        runner.add(1, trigger)
        return runner.results.get(timeout=60)
    finally:
        runner.stop()


def test_a_trigger_reads_connections_and_variables_through_the_secrets(memory_store):
    result = first_result(TriggerRunner(TriggerRuntime(memory_store, Secrets())), ReadsSecrets())
    assert result.event.payload == {"host": "api.local", "region": "eu-west-1"}


def test_without_secrets_or_for_a_try_only_call_a_trigger_fails_saying_why(memory_store):
    bare = first_result(TriggerRunner(), ReadsSecrets())
    assert bare.event is None and NoRuntimeError.__name__ in bare.traceback[-1]
    refused = first_result(TriggerRunner(TriggerRuntime(memory_store, Secrets())), PullsXCom())
    assert "may read other DAGs' run and task states" in refused.traceback[-1]
