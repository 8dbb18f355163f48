"""``/dags/{dag_id}/task``: one try of a task instance, and the clear and mark actions.

The page shows the try's log (the first page rendered here; the rest and whatever a
running try writes is fetched by ``brisa.js`` from ``/ui/api/.../log`` with the
continuation token), its rendered template fields, the instance's XComs and the list
of tries. A mapped task asked for without a map index lists its instances instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.routes.logs import read_log_page
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import InvalidInputError, NotFoundError
from brisa.serialized import SerializedTask
from brisa.services.deps import WAITING, Reason, failed_deps
from brisa.services.tasks import clear_task_instances, mark_task_instances, relatives
from brisa.states import TaskState
from brisa.store.records import RunRecord, TaskKey, TiRecord, TryRecord
from brisa.store.sql import Transaction
from brisa.ui.pages._common import form_int, read_form, redirect, task_url
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.DAG_READ, Permission.TASK_INSTANCE_READ))]
Editor = Annotated[Principal, Depends(require(Permission.TASK_INSTANCE_EDIT))]
MARK_STATES = {"success": TaskState.SUCCESS, "failed": TaskState.FAILED}
MAX_XCOMS = 100


@dataclass(frozen=True)
class Attempt:
    """One row of the tries list (archived tries and the current one)."""

    try_number: int
    state: str | None
    start_date: Any
    end_date: Any
    duration: float | None
    hostname: str


@dataclass(frozen=True)
class TryPage:
    ti: TiRecord
    run: RunRecord
    task: SerializedTask | None
    attempts: list[Attempt]
    try_number: int
    rendered: dict[str, Any]
    xcoms: list[tuple[str, Any]]
    failed_deps: list[Reason]
    """Why the instance waits (a pool that does not exist...): ``brisa tasks failed-deps``."""
    links: list[tuple[str, str | None]] = field(default_factory=list)
    """Operator extra links: name and URL (None unless the try gave an http(s) URL)."""

    @property
    def is_current_try(self) -> bool:
        return self.try_number == self.ti.try_number

    @property
    def is_live(self) -> bool:
        """Whether the shown try may still write to its log."""
        return self.is_current_try and not (self.ti.state is not None and self.ti.state.is_finished)


def _attempts(ti: TiRecord, history: list[TryRecord]) -> list[Attempt]:
    rows = [Attempt(t.try_number, t.state, t.start_date, t.end_date, t.duration, t.hostname) for t in history]
    if ti.try_number >= 1 and ti.try_number not in {t.try_number for t in history}:
        state = ti.state.value if ti.state else None
        rows.append(Attempt(ti.try_number, state, ti.start_date, ti.end_date, ti.duration, ti.hostname))
    return sorted(rows, key=lambda row: row.try_number)


def load_try_page(
    ctx: ApiContext, user: Principal, key: TaskKey, try_number: int | None
) -> TryPage | list[TiRecord]:
    """The page of one try; or the instances of a mapped task asked for without a map index."""
    with ctx.store.transaction(readonly=True) as tx:
        run = tx.runs.require(key.dag_id, key.run_id)
        ti = tx.tis.get(key)
        if ti is None:
            return _mapped_instances(tx, key)
        dag = tx.dags.serialized(key.dag_id)
        history = tx.tis.tries(key)
        waiting = failed_deps(tx, ti, dag, now=ctx.now()) if ti.state in WAITING else []
        task = dag.tasks.get(key.task_id) if dag else None
        links = _extra_links(tx, key, task)
        xcoms = (
            tx.xcoms.list(**_xcom_filter(key), limit=MAX_XCOMS).items
            if user.can(Permission.XCOM_READ)
            else []
        )
    number = ti.try_number if try_number is None else try_number
    archived = {t.try_number: t for t in history}
    if number != ti.try_number and number not in archived:
        raise NotFoundError(f"try {number} of task instance {key} not found")
    rendered = ti.rendered_fields if number == ti.try_number else archived[number].rendered_fields
    masker = ctx.secrets_masker() if xcoms or rendered else ctx.masker
    return TryPage(
        ti=ti,
        run=run,
        task=task,
        attempts=_attempts(ti, history),
        try_number=number,
        rendered=masker.redact(rendered or {}),
        xcoms=[(x.key, masker.redact(x.value, x.key)) for x in xcoms],
        failed_deps=waiting,
        links=links,
    )


def _extra_links(tx: Transaction, key: TaskKey, task: SerializedTask | None) -> list[tuple[str, str | None]]:
    """The task's extra links, from the XComs its tries stored (brisa/sdk/extra_links.py)."""
    if task is None:
        return []
    found = []
    for name, xcom_key in sorted(task.extra_links.items()):
        record = tx.xcoms.get(key, xcom_key)
        found.append((name, safe_url(record.value if record else None)))
    return found


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) address, else None: a link's URL comes from DAG code
    and XComs anyone with DAG access can write, so ``javascript:`` and other schemes are
    never rendered as a link."""
    if not isinstance(url, str):
        return None
    scheme, sep, rest = url.strip().partition(":")
    if not sep or scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        return None
    return url.strip()


def _sees_xcoms(user: Principal) -> bool:
    return user.can(Permission.XCOM_READ)


def _xcom_filter(key: TaskKey) -> dict[str, Any]:
    return {"dag_id": key.dag_id, "run_id": key.run_id, "task_id": key.task_id, "map_index": key.map_index}


def _mapped_instances(tx: Transaction, key: TaskKey) -> list[TiRecord]:
    found = tx.tis.search(dag_id=key.dag_id, run_id=key.run_id, task_id=key.task_id).items
    if key.map_index >= 0 or not found:
        raise NotFoundError(f"task instance {key} not found")
    return sorted(found, key=lambda ti: ti.map_index)


@router.get("/dags/{dag_id:path}/task", response_class=HTMLResponse)
def task_page(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    user: Reader,
    run_id: str = "",
    task_id: str = "",
    map_index: int = -1,
    try_number: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    key = _key_from(dag_id, {"run_id": run_id, "task_id": task_id, "map_index": str(map_index)})
    page = load_try_page(ctx, user, key, try_number)
    if isinstance(page, list):
        return render_page(request, "task_mapped.html", key=key, instances=page)
    log, lines = None, []
    if user.can(Permission.TASK_LOG_READ) and page.try_number >= 1:
        log = read_log_page(ctx, key, page.try_number, token=None)
        lines = [item if isinstance(item, str) else item.as_line() for item in log.content]
    return render_page(request, "task.html", key=key, page=page, log=log, log_lines=lines)


# --- actions -----------------------------------------------------------------------------------


def _key_from(dag_id: str, form: dict[str, str]) -> TaskKey:
    run_id, task_id = form.get("run_id"), form.get("task_id")
    if not run_id or not task_id:
        raise InvalidInputError("run_id and task_id are required")
    return TaskKey(dag_id, run_id, task_id, form_int(form, "map_index", -1))


@router.post("/dags/{dag_id:path}/task/clear")
async def clear(ctx: Ctx, request: Request, dag_id: str, user: Editor) -> Response:
    """Clear the try (and its downstream tasks when asked) so that the scheduler runs it again."""
    form = await read_form(request)
    key = _key_from(dag_id, form)
    await run_in_threadpool(clear_task, ctx, user, key, downstream=form.get("downstream") == "on")
    return redirect(task_url(*key))


def clear_task(ctx: ApiContext, user: Principal, key: TaskKey, *, downstream: bool) -> list[TiRecord]:
    with ctx.store.transaction() as tx:
        run = tx.runs.require(key.dag_id, key.run_id)
        dag = tx.dags.require_serialized(key.dag_id)
        ti = tx.tis.require(key)
        targets = [ti]
        if downstream:
            wanted = relatives(dag, {key.task_id}, upstream=False, downstream=True) - {key.task_id}
            targets += [other for other in tx.tis.for_run(key.dag_id, key.run_id) if other.task_id in wanted]
        cleared = clear_task_instances(tx, dag, run, targets, now=ctx.now())
        extra = {"task_ids": sorted({t.task_id for t in cleared}), "via": "ui"}
        ctx.audit(tx, "post_clear_task_instances", user, **_audit_key(key), extra=extra)
    ctx.changed()
    return cleared


@router.post("/dags/{dag_id:path}/task/mark")
async def mark(ctx: Ctx, request: Request, dag_id: str, user: Editor) -> Response:
    """Mark the task instance ``success`` or ``failed`` by hand."""
    form = await read_form(request)
    key = _key_from(dag_id, form)
    state = MARK_STATES.get(form.get("state", ""))
    if state is None:
        raise InvalidInputError("state must be success or failed")
    await run_in_threadpool(mark_task, ctx, user, key, state)
    return redirect(task_url(*key))


def mark_task(ctx: ApiContext, user: Principal, key: TaskKey, state: TaskState) -> bool:
    with ctx.store.transaction() as tx:
        ti = tx.tis.require(key)
        marked = bool(mark_task_instances(tx, [ti], state, now=ctx.now()))
        extra = {"new_state": state.value, "via": "ui"}
        ctx.audit(tx, "patch_task_instance", user, **_audit_key(key), extra=extra)
    ctx.changed()
    return marked


def _audit_key(key: TaskKey) -> dict[str, Any]:
    return {
        "dag_id": key.dag_id,
        "run_id": key.run_id,
        "task_id": key.task_id,
        "map_index": key.map_index if key.map_index >= 0 else None,
    }


__all__ = ["Attempt", "TryPage", "clear_task", "load_try_page", "mark_task", "router"]
