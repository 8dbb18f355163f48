"""``/dags/{dag_id}/trigger``: the trigger form, built from the DAG's params.

The run's conf is what the param fields say, with the raw JSON editor's keys on top
(it may also carry keys that are not params, as Airflow allows). It is validated with
the same :func:`~brisa.services.runs.param_errors` as ``POST /api/v2/.../dagRuns``, and
every problem is shown next to its field; nothing is created until all are fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import ConflictError, InvalidInputError
from brisa.serialized import SerializedDag
from brisa.services.runs import param_errors, trigger_run
from brisa.ui.pages._common import dag_url, read_form, redirect
from brisa.ui.pages.dag import DagHeader, load_header
from brisa.ui.params import build_fields, parse_conf_json, parse_fields
from brisa.ui.render import render_page, translator
from brisa.ui.schedule import translate_schedule

router = APIRouter(include_in_schema=False)
Trigger = Annotated[Principal, Depends(require(Permission.DAG_READ, Permission.DAG_RUN_CREATE))]


@dataclass
class TriggerRequest:
    """The form's fields once read, and what is wrong with them (by field name)."""

    conf: dict[str, Any]
    logical_date: datetime | None
    run_id: str | None
    note: str | None
    param_errors: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """Errors of the other fields: ``conf``, ``logical_date``, ``run_id`` and ``form``."""

    @property
    def ok(self) -> bool:
        return not self.param_errors and not self.errors


def read_trigger_form(dag: SerializedDag, form: Mapping[str, str]) -> TriggerRequest:
    parsed = parse_fields(dag.params, form)
    request = TriggerRequest(
        conf=parsed.conf,
        logical_date=None,
        run_id=(form.get("run_id") or "").strip() or None,
        note=(form.get("note") or "").strip() or None,
        param_errors=dict(parsed.errors),
    )
    try:
        request.conf = {**parsed.conf, **parse_conf_json(form.get("conf"))}
    except ValueError as exc:
        request.errors["conf"] = str(exc)
    try:
        request.logical_date = parse_logical_date(form.get("logical_date"))
    except ValueError as exc:
        request.errors["logical_date"] = str(exc)
    for name, message in param_errors(dag.params, request.conf).items():
        request.param_errors.setdefault(name, message)
    return request


def parse_logical_date(text: str | None) -> datetime | None:
    """Empty: now. Otherwise ISO 8601; without a timezone it is UTC."""
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("not a date and time (YYYY-MM-DDTHH:MM)") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _form_page(
    request: Request,
    ctx: ApiContext,
    header: DagHeader,
    *,
    form: Mapping[str, str] | None = None,
    result: TriggerRequest | None = None,
    status_code: int = 200,
) -> Response:
    params = header.dag.params if header.dag else {}
    fields = build_fields(params, ctx.masker, submitted=form, errors=result.param_errors if result else None)
    return render_page(
        request,
        "trigger.html",
        status_code=status_code,
        header=header,
        schedule=translate_schedule(header.schedule, translator(request).language),
        tab="trigger",
        fields=fields,
        form=form or {},
        errors=result.errors if result else {},
        has_errors=bool(result and not result.ok),
    )


@router.get("/dags/{dag_id:path}/trigger", response_class=HTMLResponse)
def trigger_form(ctx: Ctx, request: Request, dag_id: str, _: Trigger) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
    return _form_page(request, ctx, header)


@router.post("/dags/{dag_id:path}/trigger", response_class=HTMLResponse)
async def trigger_submit(ctx: Ctx, request: Request, dag_id: str, user: Trigger) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_trigger, ctx, request, user, dag_id, form)


def _trigger(
    ctx: ApiContext, request: Request, user: Principal, dag_id: str, form: dict[str, str]
) -> Response:
    with ctx.store.transaction(readonly=True) as tx:
        header = load_header(tx, dag_id)
    if header.dag is None or header.record.has_import_errors:
        result = TriggerRequest({}, None, None, None)
        result.errors["form"] = "This DAG has import errors and cannot be triggered."
        return _form_page(request, ctx, header, form=form, result=result, status_code=400)
    result = read_trigger_form(header.dag, form)
    if result.ok:
        try:
            run_id = create_manual_run(ctx, user, header.dag, result)
        except (ConflictError, InvalidInputError) as exc:
            result.errors["run_id" if isinstance(exc, ConflictError) else "form"] = str(exc)
        else:
            return redirect(dag_url(dag_id, run_id=run_id))
    return _form_page(request, ctx, header, form=form, result=result, status_code=400)


def create_manual_run(ctx: ApiContext, user: Principal, dag: SerializedDag, form: TriggerRequest) -> str:
    with ctx.store.transaction() as tx:
        run = trigger_run(
            tx,
            dag,
            now=ctx.now(),
            run_id=form.run_id,
            logical_date=form.logical_date,
            conf=form.conf,
            triggered_by="ui",
            triggering_user=user.username,
            note=form.note,
            limits=ctx.run_limits,
        )
        extra = {"conf": run.conf, "via": "ui"}
        ctx.audit(tx, "trigger_dag_run", user, dag_id=dag.dag_id, run_id=run.run_id, extra=extra)
    ctx.changed()
    return run.run_id


__all__ = ["TriggerRequest", "create_manual_run", "parse_logical_date", "read_trigger_form", "router"]
