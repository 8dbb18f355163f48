"""``/assets`` (every asset: producers, consumers, latest event, the DAGs waiting, and the
DAG-to-DAG dependencies through assets) and ``/assets/{asset_id}`` (one asset and its
latest events with the runs they triggered)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from brisa.api.routes._common import Ctx
from brisa.api.security import Principal, require
from brisa.assets.views import asset_fields
from brisa.auth.roles import Permission
from brisa.errors import NotFoundError
from brisa.store.sql import Transaction
from brisa.ui.pages._common import PAGE_SIZE, Pager
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.DAG_READ))]
EVENTS_SHOWN = 25


def _waiting(tx: Transaction) -> dict[int, list[str]]:
    """Per asset, the consumer DAGs that have it queued (waiting for the rest of their condition)."""
    waiting: dict[int, list[str]] = {}
    for row in tx.assets.queued():
        waiting.setdefault(row.asset_id, []).append(row.target_dag_id)
    return waiting


def dependencies(assets: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(producer DAG, asset name, consumer DAG) for each DAG-to-DAG edge through an asset."""
    edges = set()
    for asset in assets:
        for producer in {t["dag_id"] for t in asset["producing_tasks"]}:
            for consumer in asset["scheduled_dags"]:
                edges.add((producer, asset["name"], consumer["dag_id"]))
    return sorted(edges)


@router.get("/assets", response_class=HTMLResponse)
def assets_page(
    ctx: Ctx,
    request: Request,
    _: Reader,
    search: Annotated[str, Query(max_length=250)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        records, total = tx.assets.list(
            name_pattern=search or None, order_by="name", limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        assets = asset_fields(tx, records)
        waiting = _waiting(tx)
        every, _count = tx.assets.list(order_by="name", limit=10_000)
        edges = dependencies(asset_fields(tx, every))
    for asset in assets:
        asset["waiting"] = waiting.get(asset["id"], [])
    pager = Pager(page, PAGE_SIZE, total)
    return render_page(request, "assets.html", assets=assets, edges=edges, pager=pager, search=search)


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(ctx: Ctx, request: Request, asset_id: int, _: Reader) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        record = tx.assets.get(asset_id)
        if record is None:
            raise NotFoundError(f"The Asset with ID: `{asset_id}` was not found")
        (asset,) = asset_fields(tx, [record])
        events, total = tx.assets.events(asset_id=asset_id, order_by="-timestamp", limit=EVENTS_SHOWN)
        runs = tx.assets.runs_of_events(e.id for e in events)
        asset["waiting"] = _waiting(tx).get(asset_id, [])
    rows = [(e, ctx.masker.redact(e.extra), runs[e.id]) for e in events]
    return render_page(request, "asset.html", asset=asset, events=rows, total_events=total)


__all__ = ["dependencies", "router"]
