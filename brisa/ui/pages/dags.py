"""``/dags``: the DAG list (search, tag and status filters, paging) and the pause switch.

One read transaction per page, a fixed number of queries whatever the number of DAGs:
the page of DAGs (with its count and their tags), the newest runs of just those DAGs
(``tx.runs.recent_states``: one windowed query of a few columns), the number of import
errors and the tag list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.services.dags import set_paused
from brisa.store.records import DagRecord
from brisa.store.repos.runs import RecentRun
from brisa.ui.pages._common import PAGE_SIZE, Pager, back_to, page_number, read_form
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)

RECENT_RUNS = 10
STATUS_FILTERS = {"all": None, "active": False, "paused": True}
"""The status tabs: ``is_paused`` to filter on (``active`` means not paused, as in Airflow)."""


@dataclass(frozen=True)
class DagRow:
    dag: DagRecord
    recent: list[RecentRun]
    """Oldest first, the newest run last."""

    @property
    def last_run(self) -> RecentRun | None:
        return self.recent[-1] if self.recent else None


@dataclass(frozen=True)
class DagListing:
    rows: list[DagRow]
    pager: Pager
    tags: list[str]
    import_errors: int


def load_dag_list(
    ctx: ApiContext, *, search: str, tag: str, status: str, page: int, size: int = PAGE_SIZE
) -> DagListing:
    with ctx.store.transaction(readonly=True) as tx:
        found = tx.dags.list(
            active=True,
            paused=STATUS_FILTERS.get(status),
            tags=[tag] if tag else (),
            dag_id_pattern=search or None,
            limit=size,
            offset=(page - 1) * size,
            subdags=False,  # as Airflow 1.10/2.x's home page: reachable by id, not listed
        )
        recent = tx.runs.recent_states([dag.dag_id for dag in found.items], per_dag=RECENT_RUNS)
        errors = tx.dags.search_import_errors(limit=0).total
        tags = tx.dags.all_tags()
    rows = [DagRow(dag, list(reversed(recent.get(dag.dag_id, [])))) for dag in found.items]
    return DagListing(rows, Pager(page, size, found.total), tags, errors)


@router.get("/dags", response_class=HTMLResponse)
def dag_list(
    ctx: Ctx,
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.DAG_READ))],
    q: Annotated[str, Query(max_length=250)] = "",
    tag: Annotated[str, Query(max_length=100)] = "",
    status: str = "all",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    status = status if status in STATUS_FILTERS else "all"
    listing = load_dag_list(ctx, search=q.strip(), tag=tag, status=status, page=page_number(page))
    return render_page(request, "dags.html", listing=listing, q=q, tag=tag, status=status)


@router.post("/dags/{dag_id:path}/pause")
async def pause(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    user: Annotated[Principal, Depends(require(Permission.DAG_EDIT))],
) -> Response:
    """Pause (``is_paused=true``) or unpause; unpausing wakes the scheduler."""
    form = await read_form(request)
    paused = form.get("is_paused") == "true"
    await run_in_threadpool(set_dag_paused, ctx, user, dag_id, paused)
    return back_to(form, "/dags")


def set_dag_paused(ctx: ApiContext, user: Principal, dag_id: str, paused: bool) -> None:
    with ctx.store.transaction() as tx:
        record = tx.dags.require(dag_id)
        if record.is_paused != paused:
            set_paused(tx, dag_id, paused, now=ctx.now())
            ctx.audit(tx, "patch_dag", user, dag_id=dag_id, extra={"is_paused": paused, "via": "ui"})
    if not paused:
        ctx.changed()


__all__ = ["RECENT_RUNS", "DagListing", "DagRow", "load_dag_list", "router", "set_dag_paused"]
