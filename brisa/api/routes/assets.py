"""``/api/v2/assets``: assets, aliases, asset events (GET, and POST to create one from
outside, which queues it for the consumers), materializing, and the queued events of
the consumer DAGs (also under ``/dags/{dag_id}/assets``), as Airflow 3's routes.

Permissions map onto Brisa's roles: reading needs DAG read (Viewer), creating an event
or materializing creates runs (DAG run create), dropping queued events edits the DAG.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from brisa.api.routes._common import Ctx, IdPath, like, page_args
from brisa.api.schemas import DAGRunResponse
from brisa.api.schemas.assets import (
    AssetAliasCollectionResponse,
    AssetAliasListQuery,
    AssetAliasResponse,
    AssetCollectionResponse,
    AssetEventCollectionResponse,
    AssetEventListQuery,
    AssetEventResponse,
    AssetListQuery,
    AssetResponse,
    CreateAssetEventsBody,
    QueuedEventCollectionResponse,
    QueuedEventQuery,
    QueuedEventResponse,
)
from brisa.api.security import Principal, require
from brisa.api.views import run_response
from brisa.assets.events import register_asset_change
from brisa.assets.views import asset_fields
from brisa.auth.roles import Permission
from brisa.errors import NotFoundError
from brisa.services.assets import materialize
from brisa.store.repos.assets import AssetEventRecord, AssetRecord
from brisa.store.sql import Transaction

router = APIRouter(prefix="/api/v2", tags=["Asset"])
Reader = Annotated[Principal, Depends(require(Permission.DAG_READ))]
Creator = Annotated[Principal, Depends(require(Permission.DAG_RUN_CREATE))]
Editor = Annotated[Principal, Depends(require(Permission.DAG_EDIT))]


def _order(query: Any) -> str:
    key = query.sort_keys()[0] if query.sort_keys() else None
    return "id" if key is None else ("-" if key.descending else "") + key.field


def _asset_responses(tx: Transaction, assets: list[AssetRecord]) -> list[AssetResponse]:
    return [AssetResponse.model_validate(fields) for fields in asset_fields(tx, assets)]


def _event_responses(tx: Transaction, events: list[AssetEventRecord]) -> list[AssetEventResponse]:
    runs = tx.assets.runs_of_events(e.id for e in events)
    out = []
    for event in events:
        created = [
            {
                "run_id": r.run_id,
                "dag_id": r.dag_id,
                "logical_date": r.logical_date,
                "start_date": r.start_date,
                "end_date": r.end_date,
                "state": r.state,
                "data_interval_start": r.data_interval_start,
                "data_interval_end": r.data_interval_end,
                "partition_key": r.partition_key,
            }
            for r in runs[event.id]
        ]
        fields = {
            **event.__dict__,
            "source_map_index": event.source_map_index or -1,
            "created_dagruns": created,
        }
        out.append(AssetEventResponse.model_validate(fields))
    return out


@router.get("/assets", response_model=AssetCollectionResponse)
def get_assets(ctx: Ctx, query: Annotated[AssetListQuery, Query()], _: Reader) -> AssetCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        assets, total = tx.assets.list(
            name_pattern=_bare(query.name_pattern),
            uri_pattern=_bare(query.uri_pattern),
            dag_ids=query.dag_ids,
            order_by=_order(query),
            **page_args(query),
        )
        return AssetCollectionResponse(assets=_asset_responses(tx, assets), total_entries=total)


def _bare(pattern: str | None) -> str | None:
    """A ``*_pattern`` as the substring the store matches (``~``: no filter)."""
    return None if like(pattern) is None else pattern


@router.get("/assets/aliases", response_model=AssetAliasCollectionResponse)
def get_asset_aliases(
    ctx: Ctx, query: Annotated[AssetAliasListQuery, Query()], _: Reader
) -> AssetAliasCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        rows, total = tx.assets.list_aliases(
            name_pattern=_bare(query.name_pattern), order_by=_order(query), **page_args(query)
        )
    aliases = [AssetAliasResponse(id=i, name=n, group=g) for i, n, g in rows]
    return AssetAliasCollectionResponse(asset_aliases=aliases, total_entries=total)


@router.get("/assets/aliases/{asset_alias_id}", response_model=AssetAliasResponse)
def get_asset_alias(ctx: Ctx, asset_alias_id: IdPath, _: Reader) -> AssetAliasResponse:
    with ctx.store.transaction(readonly=True) as tx:
        row = tx.assets.get_alias(asset_alias_id)
    if row is None:
        raise NotFoundError(f"The Asset Alias with ID: `{asset_alias_id}` was not found")
    return AssetAliasResponse(id=row[0], name=row[1], group=row[2])


@router.get("/assets/events", response_model=AssetEventCollectionResponse)
def get_asset_events(
    ctx: Ctx, query: Annotated[AssetEventListQuery, Query()], _: Reader
) -> AssetEventCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        events, total = tx.assets.events(
            asset_id=query.asset_id,
            source_dag_id=query.source_dag_id,
            source_task_id=query.source_task_id,
            source_run_id=query.source_run_id,
            source_map_index=query.source_map_index,
            since=query.timestamp_gte,
            until=query.timestamp_lte,
            order_by=_order(query),
            **page_args(query),
        )
        return AssetEventCollectionResponse(asset_events=_event_responses(tx, events), total_entries=total)


@router.post("/assets/events", response_model=AssetEventResponse)
def create_asset_event(ctx: Ctx, body: CreateAssetEventsBody, user: Creator) -> AssetEventResponse:
    """An event from outside: stored with no source task and queued for the consumers."""
    with ctx.store.transaction() as tx:
        if tx.assets.get(body.asset_id) is None:
            raise NotFoundError(f"Asset with ID: `{body.asset_id}` was not found")
        event = register_asset_change(
            tx, body.asset_id, now=ctx.now(), extra=body.extra, partition_key=body.partition_key
        )
        ctx.audit(tx, "create_asset_event", user, extra={"asset_id": body.asset_id})
        (response,) = _event_responses(tx, [event])
    ctx.changed()
    return response


@router.post("/assets/{asset_id}/materialize", response_model=DAGRunResponse)
def materialize_asset(ctx: Ctx, asset_id: IdPath, user: Creator) -> DAGRunResponse:
    with ctx.store.transaction() as tx:
        run = materialize(tx, asset_id, now=ctx.now(), triggered_by="rest_api", triggering_user=user.username)
        ctx.audit(tx, "materialize_asset", user, dag_id=run.dag_id, run_id=run.run_id)
        response = run_response(run)
    ctx.changed()
    return response


@router.get("/assets/{asset_id}/queuedEvents", response_model=QueuedEventCollectionResponse)
def get_asset_queued_events(
    ctx: Ctx, asset_id: IdPath, query: Annotated[QueuedEventQuery, Query()], _: Reader
) -> QueuedEventCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        rows = [r for r in tx.assets.queued() if r.asset_id == asset_id and _before(r, query)]
    if not rows:
        raise NotFoundError(f"Queue event with asset_id: `{asset_id}` was not found")
    return _queued(rows)


@router.delete("/assets/{asset_id}/queuedEvents", status_code=204)
def delete_asset_queued_events(
    ctx: Ctx, asset_id: IdPath, query: Annotated[QueuedEventQuery, Query()], _: Editor
) -> Response:
    with ctx.store.transaction() as tx:
        dags = {r.target_dag_id for r in tx.assets.queued() if r.asset_id == asset_id}
        deleted = sum(tx.assets.clear_queue(d, asset_id=asset_id, before=query.before) for d in dags)
    if not deleted:
        raise NotFoundError(f"Queue event with asset_id: `{asset_id}` was not found")
    return Response(status_code=204)


@router.get("/assets/{asset_id}", response_model=AssetResponse)
def get_asset(ctx: Ctx, asset_id: IdPath, _: Reader) -> AssetResponse:
    with ctx.store.transaction(readonly=True) as tx:
        asset = tx.assets.get(asset_id)
        if asset is None:
            raise NotFoundError(f"The Asset with ID: `{asset_id}` was not found")
        return _asset_responses(tx, [asset])[0]


@router.get("/dags/{dag_id}/assets/queuedEvents", response_model=QueuedEventCollectionResponse)
def get_dag_asset_queued_events(
    ctx: Ctx, dag_id: str, query: Annotated[QueuedEventQuery, Query()], _: Reader
) -> QueuedEventCollectionResponse:
    with ctx.store.transaction(readonly=True) as tx:
        rows = [r for r in tx.assets.queued(dag_id) if _before(r, query)]
    if not rows:
        raise NotFoundError(f"Queue event with dag_id: `{dag_id}` was not found")
    return _queued(rows)


@router.get("/dags/{dag_id}/assets/{asset_id}/queuedEvents", response_model=QueuedEventResponse)
def get_dag_asset_queued_event(
    ctx: Ctx, dag_id: str, asset_id: IdPath, query: Annotated[QueuedEventQuery, Query()], _: Reader
) -> QueuedEventResponse:
    with ctx.store.transaction(readonly=True) as tx:
        rows = [r for r in tx.assets.queued(dag_id) if r.asset_id == asset_id and _before(r, query)]
    if not rows:
        raise NotFoundError(f"Queued event with dag_id: `{dag_id}` and asset_id: `{asset_id}` was not found")
    return _queued(rows).queued_events[0]


@router.delete("/dags/{dag_id}/assets/queuedEvents", status_code=204)
def delete_dag_asset_queued_events(
    ctx: Ctx, dag_id: str, query: Annotated[QueuedEventQuery, Query()], _: Editor
) -> Response:
    with ctx.store.transaction() as tx:
        deleted = tx.assets.clear_queue(dag_id, before=query.before)
    if not deleted:
        raise NotFoundError(f"Queue event with dag_id: `{dag_id}` was not found")
    return Response(status_code=204)


@router.delete("/dags/{dag_id}/assets/{asset_id}/queuedEvents", status_code=204)
def delete_dag_asset_queued_event(
    ctx: Ctx, dag_id: str, asset_id: IdPath, query: Annotated[QueuedEventQuery, Query()], _: Editor
) -> Response:
    with ctx.store.transaction() as tx:
        deleted = tx.assets.clear_queue(dag_id, asset_id=asset_id, before=query.before)
    if not deleted:
        raise NotFoundError(f"Queued event with dag_id: `{dag_id}` and asset_id: `{asset_id}` was not found")
    return Response(status_code=204)


def _before(row: Any, query: QueuedEventQuery) -> bool:
    return query.before is None or row.created_at <= query.before


def _queued(rows: list[Any]) -> QueuedEventCollectionResponse:
    items = [
        QueuedEventResponse(
            dag_id=r.target_dag_id,
            asset_id=r.asset_id,
            created_at=r.created_at,
            dag_display_name=r.target_dag_id,
        )
        for r in rows
    ]
    return QueuedEventCollectionResponse(queued_events=items, total_entries=len(items))


__all__ = ["router"]
