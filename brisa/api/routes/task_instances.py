"""Task instances: list (``~`` for DAG and run, or a batch body), get, mapped, tries, mark (PATCH), clear."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import (
    Ctx,
    MapIndexPath,
    MapIndexQuery,
    OptionalMapIndex,
    TryNumberPath,
    UpdateMask,
    like,
    order_of,
    page_args,
    unless_wildcard,
)
from brisa.api.schemas import (
    ClearTaskInstancesBody,
    PatchTaskInstanceBody,
    Range,
    TaskInstanceCollectionResponse,
    TaskInstanceHistoryCollectionResponse,
    TaskInstanceHistoryResponse,
    TaskInstanceListQuery,
    TaskInstanceResponse,
    TaskInstancesBatchBody,
    TaskInstanceState,
    check_update_mask,
    fields_to_update,
)
from brisa.api.security import Principal, require
from brisa.api.views import current_try_response, ti_response, try_response
from brisa.auth.roles import Permission
from brisa.errors import NotFoundError
from brisa.serialized import SerializedDag
from brisa.services.tasks import (
    clear_task_instances,
    is_clearable,
    mark_task_instances,
    refuse_running,
    relatives,
)
from brisa.states import FAILED_STATES, TaskState
from brisa.store.records import JobRecord, RunRecord, TaskKey, TiRecord
from brisa.store.repos.triggers import TriggerRecord
from brisa.store.sql import Transaction

TI_PATH = "/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances"
TI_PATCHABLE_FIELDS = ("new_state", "note")

router = APIRouter(tags=["Task Instance"])
Reader = Annotated[Principal, Depends(require(Permission.TASK_INSTANCE_READ))]
Editor = Annotated[Principal, Depends(require(Permission.TASK_INSTANCE_EDIT))]


def _collection(ctx: Ctx, tx: Transaction, tis: list[TiRecord], total: int) -> TaskInstanceCollectionResponse:
    runs = tx.runs.get_many({(ti.dag_id, ti.run_id) for ti in tis})
    triggers = {t.id: t for t in tx.triggers.get_many({ti.trigger_id for ti in tis if ti.trigger_id})}
    jobs = _triggerer_jobs(tx, triggers.values())
    items = []
    for ti in tis:
        trigger = triggers.get(ti.trigger_id or 0)
        triggerer = jobs.get(trigger.triggerer_id or 0) if trigger else None
        items.append(
            ti_response(ctx, ti, runs.get((ti.dag_id, ti.run_id)), trigger=trigger, triggerer=triggerer)
        )
    return TaskInstanceCollectionResponse(task_instances=items, total_entries=total)


# --- reading -----------------------------------------------------------------------------------


@router.get(TI_PATH, response_model=TaskInstanceCollectionResponse)
def list_task_instances(
    ctx: Ctx, dag_id: str, dag_run_id: str, query: Annotated[TaskInstanceListQuery, Query()], _: Reader
) -> TaskInstanceCollectionResponse:
    return _search(ctx, unless_wildcard(dag_id), unless_wildcard(dag_run_id), query)


@router.get(TI_PATH + "/{task_id}/listMapped", response_model=TaskInstanceCollectionResponse)
def list_mapped_task_instances(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    query: Annotated[TaskInstanceListQuery, Query()],
    _: Reader,
) -> TaskInstanceCollectionResponse:
    return _search(ctx, dag_id, dag_run_id, query.model_copy(update={"task_id": task_id}), mapped_only=True)


def _search(
    ctx: Ctx,
    dag_id: str | None,
    run_id: str | None,
    query: TaskInstanceListQuery,
    *,
    mapped_only: bool = False,
) -> TaskInstanceCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        if dag_id is not None and run_id is not None:
            tx.runs.require(dag_id, run_id)
        elif dag_id is not None:
            tx.dags.require(dag_id)
        page = tx.tis.search(
            dag_id=dag_id,
            run_id=run_id,
            task_id=query.task_id,
            mapped_only=mapped_only,
            states=_state_values(query.state),
            pools=query.pool,
            queues=query.queue,
            operators=query.operator,
            try_numbers=query.try_number,
            task_id_like=like(query.task_display_name_pattern),
            bounds=query.ranges(),
            order=order_of(query, {"rendered_map_index": "map_index"}),
            **page_args(query),
        )
        return _collection(ctx, tx, page.items, page.total)


@router.post(TI_PATH + "/list", response_model=TaskInstanceCollectionResponse)
def get_task_instances_batch(
    ctx: Ctx,
    dag_id: Literal["~"],
    dag_run_id: Literal["~"],
    body: TaskInstancesBatchBody,
    _: Reader,
) -> TaskInstanceCollectionResponse:
    """Airflow's batch listing: the filters in a body, for long lists of DAGs, runs or tasks.

    As in Airflow, only ``~`` is accepted for the DAG and the run (422 otherwise).
    """
    with ctx.store.transaction(readonly=True) as tx:
        page = tx.tis.search(
            dag_ids=body.dag_ids or (),
            run_ids=body.dag_run_ids or (),
            task_ids=body.task_ids or (),
            states=_state_values(body.state or ()),
            pools=body.pool or (),
            queues=body.queue or (),
            executors=body.executor or (),
            bounds=body.ranges(),
            order=[(key.field, key.descending) for key in body.sort_keys()],
            limit=body.page_limit,
            offset=body.page_offset,
        )
        return _collection(ctx, tx, page.items, page.total)


def _state_values(states: Sequence[TaskInstanceState | None]) -> list[str | None]:
    """Airflow's state names as stored."""
    return [None if state is None else state.value for state in states]


@router.get(TI_PATH + "/{task_id}/tries", response_model=TaskInstanceHistoryCollectionResponse)
def get_task_instance_tries(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, _: Reader, map_index: MapIndexQuery = -1
) -> TaskInstanceHistoryCollectionResponse:
    return TaskInstanceHistoryCollectionResponse.model_validate(
        _tries(ctx, TaskKey(dag_id, dag_run_id, task_id, map_index))
    )


@router.get(
    TI_PATH + "/{task_id}/{map_index:int}/tries", response_model=TaskInstanceHistoryCollectionResponse
)
def get_mapped_task_instance_tries(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, map_index: MapIndexPath, _: Reader
) -> TaskInstanceHistoryCollectionResponse:
    return TaskInstanceHistoryCollectionResponse.model_validate(
        _tries(ctx, TaskKey(dag_id, dag_run_id, task_id, map_index))
    )


@router.get(TI_PATH + "/{task_id}/tries/{task_try_number}", response_model=TaskInstanceHistoryResponse)
def get_task_instance_try(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    task_try_number: TryNumberPath,
    _: Reader,
    map_index: MapIndexQuery = -1,
) -> TaskInstanceHistoryResponse:
    return _one_try(ctx, TaskKey(dag_id, dag_run_id, task_id, map_index), task_try_number)


@router.get(
    TI_PATH + "/{task_id}/{map_index:int}/tries/{task_try_number}", response_model=TaskInstanceHistoryResponse
)
def get_mapped_task_instance_try(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    map_index: MapIndexPath,
    task_try_number: TryNumberPath,
    _: Reader,
) -> TaskInstanceHistoryResponse:
    return _one_try(ctx, TaskKey(dag_id, dag_run_id, task_id, map_index), task_try_number)


def _tries(ctx: Ctx, key: TaskKey) -> dict:
    """Archived tries, then the current one unless it is archived already (Airflow's list)."""
    with ctx.store.transaction(readonly=True) as tx:
        ti = tx.tis.require(key)
        run = tx.runs.get(key.dag_id, key.run_id)
        history = tx.tis.tries(key)
    tries = [try_response(attempt, ti, run) for attempt in history]
    if ti.try_number >= 1 and ti.try_number not in {attempt.try_number for attempt in history}:
        tries.append(current_try_response(ti, run))
    return {"task_instances": tries, "total_entries": len(tries)}


def _one_try(ctx: Ctx, key: TaskKey, try_number: int) -> TaskInstanceHistoryResponse:
    for attempt in _tries(ctx, key)["task_instances"]:
        if attempt.try_number == try_number:
            return attempt
    raise NotFoundError(f"try {try_number} of task instance {key} not found")


@router.get(TI_PATH + "/{task_id}", response_model=TaskInstanceResponse)
def get_task_instance(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, _: Reader
) -> TaskInstanceResponse:
    return _one(ctx, TaskKey(dag_id, dag_run_id, task_id, -1))


@router.get(TI_PATH + "/{task_id}/{map_index:int}", response_model=TaskInstanceResponse)
def get_mapped_task_instance(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, map_index: MapIndexPath, _: Reader
) -> TaskInstanceResponse:
    return _one(ctx, TaskKey(dag_id, dag_run_id, task_id, map_index))


def _one(ctx: Ctx, key: TaskKey) -> TaskInstanceResponse:
    with ctx.store.transaction(readonly=True) as tx:
        ti = tx.tis.require(key)
        trigger = next(iter(tx.triggers.get_many([ti.trigger_id] if ti.trigger_id else [])), None)
        owner = trigger.triggerer_id if trigger else None
        triggerer = _triggerer_jobs(tx, [trigger] if trigger else []).get(owner or 0)
        run = tx.runs.get(key.dag_id, key.run_id)
        return ti_response(ctx, ti, run, trigger=trigger, triggerer=triggerer)


def _triggerer_jobs(tx: Transaction, triggers: Iterable[TriggerRecord]) -> dict[int, JobRecord]:
    """The jobs of the triggerers that have claimed these triggers, by id."""
    ids = {t.triggerer_id for t in triggers if t.triggerer_id is not None}
    return {j.id: j for j in tx.jobs.recent(limit=len(ids), ids=ids)} if ids else {}


# --- marking (PATCH) --------------------------------------------------------------------------


@router.patch(TI_PATH + "/{task_id}/dry_run", response_model=TaskInstanceCollectionResponse)
def patch_task_instance_dry_run(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    body: PatchTaskInstanceBody,
    user: Editor,
    update_mask: UpdateMask = None,
    map_index: OptionalMapIndex = None,
) -> TaskInstanceCollectionResponse:
    return _patch(
        ctx, user, TaskKey(dag_id, dag_run_id, task_id, -1), map_index, body, update_mask, dry_run=True
    )


@router.patch(TI_PATH + "/{task_id}/{map_index:int}/dry_run", response_model=TaskInstanceCollectionResponse)
def patch_mapped_task_instance_dry_run(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    map_index: MapIndexPath,
    body: PatchTaskInstanceBody,
    user: Editor,
    update_mask: UpdateMask = None,
) -> TaskInstanceCollectionResponse:
    key = TaskKey(dag_id, dag_run_id, task_id, map_index)
    return _patch(ctx, user, key, map_index, body, update_mask, dry_run=True)


@router.patch(TI_PATH + "/{task_id}", response_model=TaskInstanceCollectionResponse)
def patch_task_instance(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    body: PatchTaskInstanceBody,
    user: Editor,
    update_mask: UpdateMask = None,
    map_index: OptionalMapIndex = None,
) -> TaskInstanceCollectionResponse:
    """Mark the task instance (``new_state``) and/or set its note.

    Without ``map_index`` a mapped task's instances are all marked, as Airflow 3.1 does.
    """
    key = TaskKey(dag_id, dag_run_id, task_id, -1)
    return _patch(ctx, user, key, map_index, body, update_mask, dry_run=False)


@router.patch(TI_PATH + "/{task_id}/{map_index:int}", response_model=TaskInstanceCollectionResponse)
def patch_mapped_task_instance(
    ctx: Ctx,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    map_index: MapIndexPath,
    body: PatchTaskInstanceBody,
    user: Editor,
    update_mask: UpdateMask = None,
) -> TaskInstanceCollectionResponse:
    key = TaskKey(dag_id, dag_run_id, task_id, map_index)
    return _patch(ctx, user, key, map_index, body, update_mask, dry_run=False)


def _patch(
    ctx: Ctx,
    user: Principal,
    key: TaskKey,
    map_index: int | None,
    body: PatchTaskInstanceBody,
    update_mask: list[str] | None,
    *,
    dry_run: bool,
) -> TaskInstanceCollectionResponse:
    check_update_mask(update_mask, TI_PATCHABLE_FIELDS)
    changes = fields_to_update(body, update_mask, sent_only=True)
    new_state = TaskState(changes["new_state"]) if changes.get("new_state") else None
    with ctx.store.transaction(readonly=dry_run) as tx:
        run = tx.runs.require(key.dag_id, key.run_id)
        own = _own_instances(tx, key, map_index)
        targets = own
        if new_state is not None:
            dag = tx.dags.require_serialized(key.dag_id)
            targets = _with_relatives(tx, dag, run, own, body)
            targets = [ti for ti in targets if ti.state != new_state]
        if dry_run:
            return _collection(ctx, tx, targets, len(targets))
        if new_state is not None:
            mark_task_instances(tx, targets, new_state, now=ctx.now())
        if "note" in changes:
            for ti in own:
                tx.tis.update_fields(ti.key, note=changes["note"], updated_at=ctx.now())
        extra = {**changes, "task_ids": sorted({ti.task_id for ti in targets})}
        ctx.audit(
            tx,
            "patch_task_instance",
            user,
            dag_id=key.dag_id,
            run_id=key.run_id,
            task_id=key.task_id,
            map_index=map_index,
            extra=extra,
        )
        touched = [tx.tis.require(ti.key) for ti in {ti.key: ti for ti in [*targets, *own]}.values()]
    if new_state is not None:
        ctx.changed()
    return TaskInstanceCollectionResponse(
        task_instances=[ti_response(ctx, ti, run) for ti in touched], total_entries=len(touched)
    )


def _own_instances(tx: Transaction, key: TaskKey, map_index: int | None) -> list[TiRecord]:
    """The path's task instance; without a map index, every instance of a mapped task."""
    if map_index is not None:
        return [tx.tis.require(key._replace(map_index=map_index))]
    found = tx.tis.get(key)
    if found is not None:
        return [found]
    mapped = tx.tis.search(dag_id=key.dag_id, run_id=key.run_id, task_id=key.task_id).items
    if not mapped:
        raise NotFoundError(f"task instance {key} not found")
    return mapped


def _with_relatives(
    tx: Transaction, dag: SerializedDag, run: RunRecord, own: list[TiRecord], body: PatchTaskInstanceBody
) -> list[TiRecord]:
    if not (body.include_upstream or body.include_downstream):
        return own
    task_ids = relatives(
        dag, {ti.task_id for ti in own}, upstream=body.include_upstream, downstream=body.include_downstream
    )
    own_tasks = {ti.task_id for ti in own}
    others = tx.tis.for_run(run.dag_id, run.run_id)
    return own + [ti for ti in others if ti.task_id in task_ids and ti.task_id not in own_tasks]


# --- clearing ----------------------------------------------------------------------------------


@router.post("/api/v2/dags/{dag_id}/clearTaskInstances", response_model=TaskInstanceCollectionResponse)
def post_clear_task_instances(
    ctx: Ctx, dag_id: str, body: ClearTaskInstancesBody, user: Editor
) -> TaskInstanceCollectionResponse:
    """Clear task instances of one run (``dag_run_id``) or of the runs in a logical-date range.

    ``dry_run`` (the default) lists them without clearing. A running one is restarted,
    or the whole clear refused (409) with ``prevent_running_task``; ``note`` is written on
    those cleared.
    """
    with ctx.store.transaction(readonly=body.dry_run) as tx:
        dag = tx.dags.require_serialized(dag_id)
        wanted = _selector(dag, body)
        selected = [
            (run, [ti for ti in tx.tis.for_run(dag_id, run.run_id) if wanted(ti)])
            for run in _runs_to_clear(tx, dag_id, body)
        ]
        chosen = [ti for _, tis in selected for ti in tis]
        if body.dry_run:
            return _collection(ctx, tx, chosen, len(chosen))
        if body.prevent_running_task:
            refuse_running(chosen)
        cleared = [
            ti for run, tis in selected for ti in clear_task_instances(tx, dag, run, tis, now=ctx.now())
        ]
        if body.note is not None:
            for ti in cleared:
                tx.tis.update_fields(ti.key, note=body.note, updated_at=ctx.now())
        extra = {"task_ids": sorted({ti.task_id for ti in cleared}), "dag_run_id": body.dag_run_id}
        ctx.audit(tx, "post_clear_task_instances", user, dag_id=dag_id, run_id=body.dag_run_id, extra=extra)
        after = [tx.tis.require(ti.key) for ti in cleared]
        response = _collection(ctx, tx, after, len(after))
    ctx.changed()
    return response


def _runs_to_clear(tx: Transaction, dag_id: str, body: ClearTaskInstancesBody) -> list[RunRecord]:
    if body.dag_run_id is None:
        bounds = {"logical_date": Range(gte=body.start_date, lte=body.end_date)}
        return tx.runs.search(dag_id=dag_id, bounds=bounds).items
    run = tx.runs.require(dag_id, body.dag_run_id)
    if not (body.include_past or body.include_future) or run.logical_date is None:
        return [run]
    bounds = {
        "logical_date": Range(
            gte=None if body.include_past else run.logical_date,
            lte=None if body.include_future else run.logical_date,
        )
    }
    return tx.runs.search(dag_id=dag_id, bounds=bounds).items


def _selector(dag: SerializedDag, body: ClearTaskInstancesBody) -> Callable[[TiRecord], bool]:
    """Which task instances the body asks to clear."""
    names = {t for t in body.task_ids or () if isinstance(t, str)}
    pairs = {(t[0], t[1]) for t in body.task_ids or () if not isinstance(t, str)}
    names = relatives(dag, names, upstream=body.include_upstream, downstream=body.include_downstream)

    def wanted(ti: TiRecord) -> bool:
        if not is_clearable(ti.state):
            return False
        if body.only_failed and ti.state not in FAILED_STATES:
            return False
        if body.only_running and ti.state != TaskState.RUNNING:
            return False
        return body.task_ids is None or ti.task_id in names or (ti.task_id, ti.map_index) in pairs

    return wanted


__all__ = ["TI_PATCHABLE_FIELDS", "TI_PATH", "router"]
