"""``/dags/{dag_id}/...``: one DAG's tabs: grid, graph, Gantt, durations, code, details.

The grid, graph and Gantt pages are polled while a run is unfinished: the same URL with
``partial=1`` answers the changing part only, with an ETag (``304`` when unchanged) and
``X-Brisa-Live: 0`` once nothing can change any more, which stops the polling.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.serialized import SerializedDag
from brisa.services.limits import shown_conf
from brisa.states import most_pressing
from brisa.store.records import DagRecord, RunRecord, TiRecord
from brisa.store.sql import Transaction
from brisa.ui.charts import durations_chart, gantt_chart
from brisa.ui.graph import layout_graph
from brisa.ui.grid import Cell, build_grid
from brisa.ui.pages._common import dag_url, redirect
from brisa.ui.render import render_fragment, render_page, translator
from brisa.ui.schedule import schedule_text, translate_schedule

router = APIRouter(include_in_schema=False)

DEFAULT_GRID_RUNS = 25
MAX_GRID_RUNS = 100
RUN_CHOICES = 25
DURATION_RUNS = 50

Reader = Annotated[
    Principal, Depends(require(Permission.DAG_READ, Permission.DAG_RUN_READ, Permission.TASK_INSTANCE_READ))
]
DagReader = Annotated[Principal, Depends(require(Permission.DAG_READ))]
CodeReader = Annotated[Principal, Depends(require(Permission.DAG_READ, Permission.DAG_CODE_READ))]


@dataclass(frozen=True)
class DagHeader:
    """What every tab shows above its content."""

    record: DagRecord
    dag: SerializedDag | None
    schedule: str
    """In English; templates translate it with ``translate_schedule``."""


def load_header(tx: Transaction, dag_id: str) -> DagHeader:
    record = tx.dags.require(dag_id)
    dag = tx.dags.serialized(dag_id)
    return DagHeader(record, dag, schedule_text(record, dag))


def newest_runs(tx: Transaction, dag_id: str, limit: int) -> list[RunRecord]:
    return tx.runs.search(dag_id=dag_id, order=[("run_after", True)], limit=limit).items


def chosen_run(tx: Transaction, dag_id: str, run_id: str | None, recent: list[RunRecord]) -> RunRecord | None:
    """The run asked for (404 if it does not exist), else the newest one."""
    if run_id:
        for run in recent:
            if run.run_id == run_id:
                return run
        return tx.runs.require(dag_id, run_id)
    return recent[0] if recent else None


def _page(request: Request, template: str, header: DagHeader, tab: str, **values: Any) -> Response:
    schedule = translate_schedule(header.schedule, translator(request).language)
    return render_page(request, template, header=header, schedule=schedule, tab=tab, **values)


# --- grid ----------------------------------------------------------------------------------


@router.get("/dags/{dag_id:path}/grid", response_class=HTMLResponse)
def grid_page(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    _: Reader,
    run_id: str | None = None,
    runs: Annotated[int, Query(ge=1, le=MAX_GRID_RUNS)] = DEFAULT_GRID_RUNS,
    partial: bool = False,
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
        recent = newest_runs(tx, dag_id, runs)
        selected = chosen_run(tx, dag_id, run_id, recent)
        tis = tx.tis.for_runs(dag_id, [run.run_id for run in recent])
        events = tx.assets.events_of_run(dag_id, selected.run_id) if selected else []
    grid = build_grid(header.dag or _empty(header.record), recent, tis)
    values = {
        "grid": grid,
        "selected": selected,
        "selected_conf": ctx.masker.redact(shown_conf(selected.conf)) if selected else {},
        "run_asset_events": [replace(e, extra=ctx.masker.redact(e.extra)) for e in events],
        "runs_shown": runs,
        "dag_id": dag_id,
    }
    if partial:
        return render_fragment(request, "_grid.html", live=grid.is_live, **values)
    return _page(request, "dag_grid.html", header, "grid", live=grid.is_live, **values)


def _empty(record: DagRecord) -> SerializedDag:
    """A DAG whose serialized form is missing (deleted file): shown with no tasks."""
    return SerializedDag(dag_id=record.dag_id, fileloc=record.fileloc, timetable={}, tasks={})


# --- graph and Gantt -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunView:
    header: DagHeader
    recent: list[RunRecord]
    run: RunRecord | None
    tis: list[TiRecord]


def load_run_view(ctx: ApiContext, dag_id: str, run_id: str | None) -> RunView:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
        recent = newest_runs(tx, dag_id, RUN_CHOICES)
        run = chosen_run(tx, dag_id, run_id, recent)
        tis = tx.tis.for_run(dag_id, run.run_id) if run else []
    return RunView(header, recent, run, tis)


def task_states(tis: list[TiRecord]) -> dict[str, Cell]:
    """One cell per task (mapped instances folded), for colouring graph nodes."""
    grouped: dict[str, list[TiRecord]] = {}
    for ti in tis:
        grouped.setdefault(ti.task_id, []).append(ti)
    return {
        task_id: Cell(
            most_pressing(ti.state.value if ti.state else None for ti in group),
            max(ti.try_number for ti in group),
            len(group),
            group[0].map_index if len(group) == 1 else -1,
        )
        for task_id, group in grouped.items()
    }


def _is_live(run: RunRecord | None) -> bool:
    return run is not None and not run.state.is_finished


@router.get("/dags/{dag_id:path}/graph", response_class=HTMLResponse)
def graph_page(
    ctx: Ctx, request: Request, dag_id: str, _: Reader, run_id: str | None = None, partial: bool = False
) -> Response:
    view = load_run_view(ctx, dag_id, run_id)
    layout = layout_graph(view.header.dag or _empty(view.header.record))
    values = {"layout": layout, "states": task_states(view.tis), "run": view.run, "dag_id": dag_id}
    if partial:
        return render_fragment(request, "_graph.html", live=_is_live(view.run), **values)
    return _page(
        request, "dag_graph.html", view.header, "graph", recent=view.recent, live=_is_live(view.run), **values
    )


@router.get("/dags/{dag_id:path}/gantt", response_class=HTMLResponse)
def gantt_page(
    ctx: Ctx, request: Request, dag_id: str, _: Reader, run_id: str | None = None, partial: bool = False
) -> Response:
    view = load_run_view(ctx, dag_id, run_id)
    chart = gantt_chart(view.tis, now=ctx.now())
    values = {"chart": chart, "run": view.run, "dag_id": dag_id}
    if partial:
        return render_fragment(request, "_gantt.html", live=_is_live(view.run), **values)
    return _page(
        request, "dag_gantt.html", view.header, "gantt", recent=view.recent, live=_is_live(view.run), **values
    )


# --- durations, code, details ----------------------------------------------------------------


@router.get("/dags/{dag_id:path}/durations", response_class=HTMLResponse)
def durations_page(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    _: Reader,
    runs: Annotated[int, Query(ge=1, le=MAX_GRID_RUNS)] = DURATION_RUNS,
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
        recent = newest_runs(tx, dag_id, runs)
    chart = durations_chart(recent, now=ctx.now())
    return _page(request, "dag_durations.html", header, "durations", chart=chart, runs_shown=runs)


@router.get("/dags/{dag_id:path}/code", response_class=HTMLResponse)
def code_page(ctx: Ctx, request: Request, dag_id: str, _: CodeReader) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
        source = tx.dags.source_code(dag_id)
    lines = source.splitlines() if source is not None else None
    return _page(request, "dag_code.html", header, "code", lines=lines)


@router.get("/dags/{dag_id:path}/details", response_class=HTMLResponse)
def details_page(ctx: Ctx, request: Request, dag_id: str, _: DagReader) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
    params = {}
    if header.dag is not None:
        for name, spec in header.dag.params.items():
            spec = spec if isinstance(spec, dict) else {"value": spec}
            params[name] = {**spec, "value": ctx.masker.redact(spec.get("value"), name)}
    return _page(request, "dag_details.html", header, "details", params=params)


@router.get("/dags/{dag_id:path}")
def dag_home(ctx: Ctx, dag_id: str, _: DagReader) -> Response:
    """``/dags/<id>`` opens the grid (declared last: it matches every path under ``/dags/``)."""
    return redirect(dag_url(dag_id) if dag_id.strip("/") else "/dags")


__all__ = [
    "DagHeader",
    "RunView",
    "chosen_run",
    "load_header",
    "load_run_view",
    "newest_runs",
    "router",
    "task_states",
]
