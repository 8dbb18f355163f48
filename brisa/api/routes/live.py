"""``/ui/api/...``: small JSON endpoints the web UI polls for live updates.

Polling rather than Server-Sent Events: each answer is one short read transaction, it
survives proxies that cut idle connections (Heroku's router does after 55 s) and it
never holds a worker thread. Every response carries an ``ETag``; a client that sends it
back in ``If-None-Match`` gets ``304 Not Modified`` with no body while nothing changed.
Shapes (all datetimes ISO 8601 UTC) are documented in docs/web.md ("Live endpoints").
These routes are not in ``/openapi.json``: they serve Brisa's own pages, not clients.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from brisa.api.routes._common import Ctx, MapIndexQuery
from brisa.api.routes.logs import read_log_page
from brisa.api.schemas import DB_INT_MAX
from brisa.api.security import Principal, authenticated, csrf_for, require
from brisa.auth.roles import Permission, permissions_for
from brisa.serialized import SerializedDag
from brisa.states import most_pressing
from brisa.store.records import RunRecord, TaskKey, TiRecord

router = APIRouter(prefix="/ui/api", tags=["UI"], include_in_schema=False)

MAX_GRID_RUNS = 100
MAX_SUMMARY_DAGS = 100


def json_with_etag(request: Request, payload: Any) -> Response:
    """``payload`` as JSON with an ETag; 304 when the client already has this version."""
    body = json.dumps(payload, default=_iso, separators=(",", ":"), sort_keys=True).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _iso(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"cannot encode {type(value).__name__}")


@router.get("/me")
def me(request: Request, user: Annotated[Principal, Depends(authenticated)]) -> Response:
    """Who is logged in, what they may do, and a CSRF token for the page's scripts."""
    payload = {
        "username": user.username,
        "role": user.role.value,
        "permissions": sorted(f"{p.action.value}:{p.resource.value}" for p in permissions_for(user.role)),
        "csrf_token": csrf_for(request),
    }
    return json_with_etag(request, payload)


@router.get("/dags/{dag_id}/grid")
def grid(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ, Permission.TASK_INSTANCE_READ))],
    limit: Annotated[int, Query(ge=1, le=MAX_GRID_RUNS)] = 25,
) -> Response:
    """The newest runs of a DAG and the state of every task in each."""
    with ctx.store.transaction(readonly=True) as tx:
        record = tx.dags.require(dag_id)
        dag = tx.dags.serialized(dag_id)
        runs = tx.runs.search(dag_id=dag_id, order=[("run_after", True)], limit=limit).items
        tis = tx.tis.for_runs(dag_id, [run.run_id for run in runs])
    payload = {
        "dag_id": dag_id,
        "is_paused": record.is_paused,
        "tasks": _tasks(dag),
        "runs": [_run(run) for run in runs],
        "instances": _instances(tis),
    }
    return json_with_etag(request, payload)


@router.get("/dags/recent_runs")
def recent_runs(
    ctx: Ctx,
    request: Request,
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))],
    dag_ids: Annotated[list[str], Query(max_length=MAX_SUMMARY_DAGS)],
    runs: Annotated[int, Query(ge=1, le=25)] = 5,
) -> Response:
    """The ``runs`` newest runs of each DAG in ``dag_ids`` (for the DAG list)."""
    with ctx.store.transaction(readonly=True) as tx:
        latest = tx.runs.latest(list(dict.fromkeys(dag_ids)), per_dag=runs)
    payload = {dag_id: [_run(run) for run in latest.get(dag_id, [])] for dag_id in dag_ids}
    return json_with_etag(request, payload)


@router.get("/dags/{dag_id}/runs/{run_id}/tasks/{task_id}/log")
def log_tail(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    run_id: str,
    task_id: str,
    _: Annotated[Principal, Depends(require(Permission.TASK_LOG_READ))],
    map_index: MapIndexQuery = -1,
    try_number: Annotated[int | None, Query(ge=0, le=DB_INT_MAX)] = None,
    token: str | None = None,
) -> Response:
    """New log lines of a try since ``token`` (the current try when ``try_number`` is omitted)."""
    key = TaskKey(dag_id, run_id, task_id, map_index)
    with ctx.store.transaction(readonly=True) as tx:
        ti = tx.tis.require(key)
    number = ti.try_number if try_number is None else try_number
    page = read_log_page(ctx, key, number, token=token)
    payload = {
        "lines": [item.as_line() if not isinstance(item, str) else item for item in page.content],
        "token": page.continuation_token,
        "try_number": number,
        "state": ti.state.value if ti.state else None,
        "finished": bool(ti.state and ti.state.is_finished and number == ti.try_number),
    }
    return json_with_etag(request, payload)


def _tasks(dag: SerializedDag | None) -> list[dict[str, Any]]:
    if dag is None:
        return []
    return [
        {
            "task_id": task.task_id,
            "operator": task.operator,
            "upstream": list(task.upstream),
            "task_group": task.task_group,
            "is_mapped": task.is_mapped,
        }
        for task in dag.tasks.values()
    ]


def _run(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "state": run.state.value,
        "run_type": run.run_type,
        "logical_date": run.logical_date,
        "run_after": run.run_after,
        "start_date": run.start_date,
        "end_date": run.end_date,
        "note": run.note,
    }


def _instances(tis: list[TiRecord]) -> dict[str, dict[str, Any]]:
    grouped: dict[tuple[str, str], list[TiRecord]] = {}
    for ti in tis:
        grouped.setdefault((ti.run_id, ti.task_id), []).append(ti)
    cells: dict[str, dict[str, Any]] = {}
    for (run_id, task_id), group in grouped.items():
        cells.setdefault(run_id, {})[task_id] = _cell(group)
    return cells


def _cell(group: list[TiRecord]) -> dict[str, Any]:
    states = [ti.state.value if ti.state else None for ti in group]
    cell: dict[str, Any] = {
        "state": most_pressing(states),  # a mapped task's instances may disagree
        "try_number": max(ti.try_number for ti in group),
        "start_date": min((ti.start_date for ti in group if ti.start_date), default=None),
        "end_date": max((ti.end_date for ti in group if ti.end_date), default=None),
    }
    if len(group) > 1 or group[0].map_index >= 0:
        cell["map_count"] = len(group)
        cell["state_counts"] = dict(Counter(str(state) for state in states))
    return cell


__all__ = ["MAX_GRID_RUNS", "json_with_etag", "router"]
