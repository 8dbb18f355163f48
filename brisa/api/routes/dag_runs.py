"""``/api/v2/dags/{dag_id}/dagRuns``: list (``~`` for every DAG), trigger, clear, mark, delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx, UpdateMask, like, order_of, page_args, unless_wildcard
from brisa.api.schemas import (
    ClearTaskInstanceCollectionResponse,
    DAGRunClearBody,
    DAGRunCollectionResponse,
    DagRunListQuery,
    DAGRunPatchBody,
    DAGRunResponse,
    DAGRunsBatchBody,
    DagRunType,
    NewTaskResponse,
    TaskInstanceResponse,
    TriggerDAGRunPostBody,
    check_update_mask,
    fields_to_update,
)
from brisa.api.security import Principal, require
from brisa.api.views import run_fields, run_response, ti_response
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError
from brisa.serialized import SerializedDag
from brisa.services.runs import trigger_run
from brisa.services.tasks import clear_task_instances, is_clearable, mark_run, new_task_ids, queue_new_tasks
from brisa.states import FAILED_STATES, RunState
from brisa.store.records import RunRecord, TiRecord
from brisa.store.sql import Transaction
from brisa.timetables.base import DataInterval, to_utc

router = APIRouter(prefix="/api/v2/dags/{dag_id}/dagRuns", tags=["DagRun"])

RUN_PATCHABLE_FIELDS = ("state", "note")


@router.get("", response_model=DAGRunCollectionResponse)
def list_dag_runs(
    ctx: Ctx,
    dag_id: str,
    query: Annotated[DagRunListQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))],
) -> DAGRunCollectionResponse:
    return _search_runs(ctx, dag_id, query)


@router.post("/list", response_model=DAGRunCollectionResponse)
def list_dag_runs_batch(
    ctx: Ctx,
    dag_id: str,
    body: DAGRunsBatchBody,
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))],
) -> DAGRunCollectionResponse:
    """Airflow's ``POST /dags/~/dagRuns/list``: the list's filters (and ``dag_ids``) in a body."""
    unsupported = [name for name in body.UNSUPPORTED if getattr(body, name) is not None]
    if unsupported:
        raise InvalidInputError(f"Filtering by {', '.join(unsupported)} is not supported")
    ranges = body.model_dump(include=set(DagRunListQuery.model_fields), exclude_none=True)
    query = DagRunListQuery.model_validate(
        {
            **ranges,
            "state": [state for state in body.states or () if state is not None],
            "order_by": [body.order_by] if body.order_by else ["id"],
            "limit": body.page_limit,
            "offset": body.page_offset,
        }
    )
    return _search_runs(ctx, dag_id, query, dag_ids=body.dag_ids or ())


def _search_runs(
    ctx: ApiContext, dag_id: str, query: DagRunListQuery, *, dag_ids: Sequence[str] = ()
) -> DAGRunCollectionResponse:
    """The page of runs of ``dag_id`` (``~``: every DAG, or those in ``dag_ids``)."""
    only_dag = unless_wildcard(dag_id)
    with ctx.store.transaction(readonly=True) as tx:
        if only_dag is not None:
            tx.dags.require(only_dag)
        page = tx.runs.search(
            dag_id=only_dag,
            dag_ids=dag_ids,
            states=[state.value for state in query.state],
            run_types=_stored_run_types(query.run_type),
            bounds=query.ranges(),
            run_id_like=like(query.run_id_pattern),
            triggering_user_like=like(query.triggering_user_name_pattern),
            order=order_of(query),
            **page_args(query),
        )
    runs = [run_fields(run) for run in page.items]
    return DAGRunCollectionResponse.model_validate({"dag_runs": runs, "total_entries": page.total})


@router.get("/{dag_run_id}", response_model=DAGRunResponse)
def get_dag_run(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))],
) -> DAGRunResponse:
    with ctx.store.transaction(readonly=True) as tx:
        return run_response(tx.runs.require(dag_id, dag_run_id))


@router.post("", response_model=DAGRunResponse)
def trigger_dag_run(
    ctx: Ctx,
    dag_id: str,
    body: TriggerDAGRunPostBody,
    user: Annotated[Principal, Depends(require(Permission.DAG_RUN_CREATE))],
) -> DAGRunResponse:
    """Create a manual run; ``conf`` is checked against the DAG's params (400 when it does not fit)."""
    interval = None
    if body.data_interval_start is not None and body.data_interval_end is not None:
        interval = DataInterval(to_utc(body.data_interval_start), to_utc(body.data_interval_end))
    with ctx.store.transaction() as tx:
        if tx.dags.require(dag_id).has_import_errors:
            raise InvalidInputError(f"DAG with dag_id: '{dag_id}' has import errors and cannot be triggered")
        run = trigger_run(
            tx,
            tx.dags.require_serialized(dag_id),
            now=ctx.now(),
            run_id=body.dag_run_id,
            logical_date=body.logical_date,
            data_interval=interval,
            conf=body.conf,
            triggered_by="rest_api",
            triggering_user=user.username,
            note=body.note,
            limits=ctx.run_limits,
            partition_key=body.partition_key,
        )
        ctx.audit(tx, "trigger_dag_run", user, dag_id=dag_id, run_id=run.run_id, extra={"conf": run.conf})
        response = run_response(run)
        response.model_dump_json()  # an answer that cannot be written rolls the run back (no 500 after)
    ctx.changed()
    return response


@router.post("/{dag_run_id}/clear", response_model=ClearTaskInstanceCollectionResponse | DAGRunResponse)
def clear_dag_run(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    body: DAGRunClearBody,
    user: Annotated[Principal, Depends(require(Permission.DAG_RUN_EDIT))],
) -> ClearTaskInstanceCollectionResponse | DAGRunResponse:
    """Clear the run's task instances (only the failed ones with ``only_failed``).

    ``dry_run`` (the default, as in Airflow) lists what would be cleared and changes nothing.
    ``only_new`` clears nothing: the tasks added to the DAG since the run began get task
    instances and the run is queued again (a dry run lists those tasks as ``NewTaskResponse``).
    """
    with ctx.store.transaction(readonly=body.dry_run) as tx:
        run = tx.runs.require(dag_id, dag_run_id)
        dag = tx.dags.require_serialized(dag_id)
        if body.dry_run:
            return _clear_preview(ctx, tx, dag, run, body)
        if body.only_new:
            task_ids = queue_new_tasks(tx, dag, run, now=ctx.now())
        else:
            cleared = clear_task_instances(tx, dag, run, _to_clear(tx, run, body), now=ctx.now())
            task_ids = sorted({ti.task_id for ti in cleared})
        if body.note is not None:
            tx.runs.update_fields(dag_id, dag_run_id, note=body.note, updated_at=ctx.now())
        extra = {"only_failed": body.only_failed, "only_new": body.only_new, "task_ids": task_ids}
        ctx.audit(tx, "clear_dag_run", user, dag_id=dag_id, run_id=dag_run_id, extra=extra)
        run = tx.runs.require(dag_id, dag_run_id)
    ctx.changed()
    return run_response(run)


def _to_clear(tx: Transaction, run: RunRecord, body: DAGRunClearBody) -> list[TiRecord]:
    tis = [ti for ti in tx.tis.for_run(run.dag_id, run.run_id) if is_clearable(ti.state)]
    return [ti for ti in tis if ti.state in FAILED_STATES] if body.only_failed else tis


def _clear_preview(
    ctx: ApiContext, tx: Transaction, dag: SerializedDag, run: RunRecord, body: DAGRunClearBody
) -> ClearTaskInstanceCollectionResponse:
    """What the clear would do: the task instances it clears, or (``only_new``) the tasks it adds."""
    found: list[TaskInstanceResponse | NewTaskResponse]
    if body.only_new:
        found = [NewTaskResponse(task_id=t, task_display_name=t) for t in new_task_ids(tx, dag, run)]
    else:
        found = [ti_response(ctx, ti, run) for ti in _to_clear(tx, run, body)]
    return ClearTaskInstanceCollectionResponse(task_instances=found, total_entries=len(found))


@router.patch("/{dag_run_id}", response_model=DAGRunResponse)
def patch_dag_run(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    body: DAGRunPatchBody,
    user: Annotated[Principal, Depends(require(Permission.DAG_RUN_EDIT))],
    update_mask: UpdateMask = None,
) -> DAGRunResponse:
    """Mark the run (``state``: queued, success, failed) and/or set its ``note``."""
    check_update_mask(update_mask, RUN_PATCHABLE_FIELDS)
    changes = fields_to_update(body, update_mask, sent_only=True)
    marked = False
    with ctx.store.transaction() as tx:
        run = tx.runs.require(dag_id, dag_run_id)
        if changes.get("state") is not None:
            marked = mark_run(tx, run, RunState(changes["state"]), now=ctx.now())
        if "note" in changes:
            tx.runs.update_fields(dag_id, dag_run_id, note=changes["note"], updated_at=ctx.now())
        ctx.audit(tx, "patch_dag_run", user, dag_id=dag_id, run_id=dag_run_id, extra=changes)
        run = tx.runs.require(dag_id, dag_run_id)
    if marked:
        ctx.changed()
    return run_response(run)


@router.delete("/{dag_run_id}", status_code=204, response_class=Response)
def delete_dag_run(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    user: Annotated[Principal, Depends(require(Permission.DAG_RUN_DELETE))],
) -> Response:
    with ctx.store.transaction() as tx:
        tx.runs.require(dag_id, dag_run_id)
        tx.runs.delete(dag_id, dag_run_id)
        ctx.audit(tx, "delete_dag_run", user, dag_id=dag_id, run_id=dag_run_id)
    return Response(status_code=204)


def _stored_run_types(run_types: list[DagRunType]) -> list[str]:
    """The run types to match: ``asset_triggered`` also finds a 2.x DAG's ``dataset_triggered`` runs."""
    names = [run_type.value for run_type in run_types]
    return [*names, "dataset_triggered"] if DagRunType.ASSET_TRIGGERED.value in names else names


__all__ = ["RUN_PATCHABLE_FIELDS", "router"]
