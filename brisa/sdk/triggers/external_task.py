"""The standard provider's triggers that watch another DAG in the metadata database:
``WorkflowTrigger`` (``ExternalTaskSensor(deferrable=True)``) and ``DagStateTrigger``.

They read the store through the ambient runtime (:func:`brisa.runtime.current_runtime`):
the triggerer installs a store-reading one in its event loop, ``brisa dags test`` the try's.
Every read runs in a worker thread (``asyncio.to_thread``), so a slow database never stalls
the other triggers of the loop.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk.triggers.base import BaseTrigger, TriggerEvent

_LIVE = ["scheduled", "queued", "running", "success", "failed", "skipped", "upstream_failed"]
_LIVE += ["up_for_retry", "up_for_reschedule", "restarting", "deferred", "none"]


def _iso(dates: Sequence[datetime.datetime | str] | None) -> list[str]:
    return [d.isoformat() if isinstance(d, datetime.datetime) else str(d) for d in dates or ()]


async def _count(
    dag_id: str, dates: list[str], task_ids: Sequence[str] | None, states: Collection[str]
) -> int:
    """Task instances (runs when ``task_ids`` is None) of ``dag_id`` at ``dates`` in ``states``."""
    runtime = current_runtime()
    return await asyncio.to_thread(
        runtime.count_task_states,
        dag_id=dag_id,
        logical_dates=dates,
        task_ids=list(task_ids) if task_ids else None,
        states=[None if s == "none" else str(s) for s in states],
    )


class WorkflowTrigger(BaseTrigger):
    """Fire ``{"status": "failed" | "skipped" | "success"}`` once any watched task (or run)
    is in ``failed_states``, then ``skipped_states``, or all are in ``allowed_states``;
    polled every ``poke_interval`` seconds, as Airflow's."""

    def __init__(
        self,
        external_dag_id: str,
        run_ids: list[str] | None = None,
        execution_dates: list[Any] | None = None,
        logical_dates: list[Any] | None = None,
        external_task_ids: Collection[str] | None = None,
        external_task_group_id: str | None = None,
        failed_states: Collection[str] | None = None,
        skipped_states: Collection[str] | None = None,
        allowed_states: Collection[str] | None = None,
        poke_interval: float = 2.0,
        soft_fail: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if run_ids and not (logical_dates or execution_dates):
            raise ValueError("Brisa's WorkflowTrigger watches logical dates: give logical_dates")
        self.external_dag_id = external_dag_id
        self.run_ids = run_ids
        self.execution_dates = execution_dates
        self.logical_dates = logical_dates
        self.external_task_ids = list(external_task_ids) if external_task_ids else None
        self.external_task_group_id = external_task_group_id
        self.failed_states = list(failed_states or [])
        self.skipped_states = list(skipped_states or [])
        self.allowed_states = list(allowed_states or ["success"])
        self.poke_interval = poke_interval
        self.soft_fail = soft_fail

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return "brisa.sdk.triggers.external_task.WorkflowTrigger", {
            "external_dag_id": self.external_dag_id,
            "run_ids": self.run_ids,
            "execution_dates": self.execution_dates,
            "logical_dates": self.logical_dates,
            "external_task_ids": self.external_task_ids,
            "external_task_group_id": self.external_task_group_id,
            "failed_states": self.failed_states,
            "skipped_states": self.skipped_states,
            "allowed_states": self.allowed_states,
            "poke_interval": self.poke_interval,
            "soft_fail": self.soft_fail,
        }

    @property
    def _dates(self) -> list[str]:
        return _iso(self.logical_dates or self.execution_dates)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while True:
            status = await self.status()
            if status is not None:
                yield TriggerEvent({"status": status})
                return
            self.log.info("Sleeping for %s seconds", self.poke_interval)
            await asyncio.sleep(self.poke_interval)

    async def status(self) -> str | None:
        """``failed``/``skipped``/``success`` when decided, else None (look again later)."""
        task_ids = await self._task_ids()
        if task_ids == []:
            return None  # the group does not exist (yet)
        if self.failed_states and await self._matching(task_ids, self.failed_states):
            return "failed"
        if self.skipped_states and await self._matching(task_ids, self.skipped_states):
            return "skipped"
        return "success" if await self._all_allowed(task_ids) else None

    async def _task_ids(self) -> list[str] | None:
        if self.external_task_group_id is None:
            return self.external_task_ids
        runtime = current_runtime()
        found = await asyncio.to_thread(
            runtime.get_task_group_task_ids, dag_id=self.external_dag_id, group_id=self.external_task_group_id
        )
        return found or []

    async def _matching(self, task_ids: list[str] | None, states: Collection[str]) -> int:
        return await _count(self.external_dag_id, self._dates, task_ids, states)

    async def _all_allowed(self, task_ids: list[str] | None) -> bool:
        dates = self._dates
        allowed = await self._matching(task_ids, self.allowed_states)
        if self.external_task_group_id is not None and task_ids:
            # Every instance of the group (mapped ones each) allowed, and all created.
            instances = await self._matching(task_ids, _LIVE)
            return instances >= len(task_ids) * len(dates) and allowed == instances
        per_date = allowed // len(task_ids) if task_ids else allowed
        return per_date == len(dates)


class DagStateTrigger(BaseTrigger):
    """Fire once every run of ``dag_id`` named by ``run_ids`` (or at ``execution_dates``)
    is in one of ``states``; the event is ``(classpath, kwargs)``, with each run's state by
    run id added to kwargs when watching run ids (Airflow 3's)."""

    def __init__(
        self,
        dag_id: str,
        states: list[str],
        run_ids: list[str] | None = None,
        execution_dates: list[Any] | None = None,
        poll_interval: float = 5.0,
    ) -> None:
        super().__init__()
        self.dag_id = dag_id
        self.states = [str(s) for s in states]
        self.run_ids = run_ids
        self.execution_dates = execution_dates
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return "brisa.sdk.triggers.external_task.DagStateTrigger", {
            "dag_id": self.dag_id,
            "states": self.states,
            "poll_interval": self.poll_interval,
            "run_ids": self.run_ids,
            "execution_dates": self.execution_dates,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        classpath, data = self.serialize()
        while True:
            if self.run_ids:
                states = await self._run_states()
                if all(state in self.states for state in states.values()):
                    yield TriggerEvent((classpath, {**data, **states}))
                    return
            elif await _count(self.dag_id, _iso(self.execution_dates), None, self.states) == len(
                self.execution_dates or ()
            ):
                yield TriggerEvent((classpath, data))
                return
            await asyncio.sleep(self.poll_interval)

    async def _run_states(self) -> dict[str, str | None]:
        runtime = current_runtime()
        states = {}
        for run_id in self.run_ids or ():
            states[run_id] = await asyncio.to_thread(runtime.get_run_state, dag_id=self.dag_id, run_id=run_id)
        return states


__all__ = ["DagStateTrigger", "WorkflowTrigger"]
