"""``/connections``: list, create, edit and delete connections (Op and Admin).

A password is never sent to the browser: the edit form leaves it empty and an empty
password keeps the stored one. The extra is shown redacted (``***`` for sensitive
keys); a key sent back as ``***`` keeps its stored value, as ``PATCH /api/v2`` does.

A provider hook's extra fields (``get_connection_form_widgets``) are inputs of their own,
named ``extra_field:<key>``, saved under ``<key>`` in the extra JSON (Airflow 3's UI does
the same); while they are shown, the JSON textarea leaves their keys out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx
from brisa.api.schemas import like_pattern
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.errors import ConflictError, InvalidInputError, NotFoundError, SecretsError
from brisa.providers.forms import FieldBehaviour
from brisa.providers.widgets import ExtraField
from brisa.secrets.masking import REPLACEMENT
from brisa.secrets.views import ConnectionEntry
from brisa.ui.pages._common import PAGE_SIZE, Pager, read_form, redirect
from brisa.ui.render import render_page

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(require(Permission.CONNECTION_READ))]
Creator = Annotated[Principal, Depends(require(Permission.CONNECTION_CREATE))]
Editor = Annotated[Principal, Depends(require(Permission.CONNECTION_EDIT))]
Deleter = Annotated[Principal, Depends(require(Permission.CONNECTION_DELETE))]

TEXT_FIELDS = ("conn_type", "description", "host", "schema", "login")
EXTRA_FIELD = "extra_field:"
"""The form name prefix of a hook's extra fields."""
FIELDS_FOR = "extra_fields_for"
"""The conn_type whose extra fields the form showed (a type changed in the form without
reloading it has none of its fields there: nothing is taken from them then)."""


@router.get("/connections", response_class=HTMLResponse)
def connection_list(
    ctx: Ctx,
    request: Request,
    _: Reader,
    q: Annotated[str, Query(max_length=250)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    pattern = like_pattern(q.strip()) if q.strip() else None
    found = ctx.secrets.list_connections(conn_id_like=pattern, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    entries = [entry.masked(ctx.masker) for entry in found.items]
    return render_page(
        request, "connections.html", entries=entries, pager=Pager(page, PAGE_SIZE, found.total), q=q
    )


def form_of(conn_type: str) -> FieldBehaviour:
    from brisa.compat import install_shim
    from brisa.providers.forms import field_behaviour

    return field_behaviour(conn_type, before_import=install_shim)


def shown_fields(
    entry: ConnectionEntry, ctx: ApiContext, fields: tuple[ExtraField, ...] = ()
) -> dict[str, str]:
    """The edit form's values: no password, extra redacted, ``fields`` in their inputs."""
    masked = entry.masked(ctx.masker)
    values = {name: str(getattr(masked, name) or "") for name in TEXT_FIELDS}
    extra = dict(masked.extra or {})
    for f in fields:
        value = extra.pop(f.name, None)
        if f.kind != "password" and value is not None:
            values[EXTRA_FIELD + f.name] = _as_text(value)
    values.update(
        conn_id=entry.conn_id,
        port="" if entry.port is None else str(entry.port),
        extra=json.dumps(extra, indent=2) if extra else "",
        password="",
    )
    return values


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    return value if isinstance(value, str) else json.dumps(value)


def _defaults(fields: tuple[ExtraField, ...]) -> dict[str, str]:
    """A new connection's extra fields start at the hook's defaults."""
    return {EXTRA_FIELD + f.name: _as_text(f.default) for f in fields if f.default is not None}


def _form(
    request: Request,
    values: Mapping[str, str],
    *,
    is_new: bool,
    has_password: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    from brisa.providers.forms import known_conn_types

    conn_type = values.get("conn_type") or request.query_params.get("conn_type", "")
    behaviour = form_of(conn_type)
    if is_new and FIELDS_FOR not in values:
        values = {**_defaults(behaviour.extra_fields), **values}
    return render_page(
        request,
        "connection_form.html",
        status_code=status_code,
        values={**values, "conn_type": conn_type},
        is_new=is_new,
        has_password=has_password,
        error=error,
        conn_types=known_conn_types(),
        behaviour=behaviour,
        extra_field=EXTRA_FIELD,
        fields_for=FIELDS_FOR,
    )


def _entry(ctx: ApiContext, conn_id: str) -> ConnectionEntry:
    entry = ctx.secrets.connection_entry(conn_id)
    if entry.error:
        raise SecretsError(entry.error)
    return entry


@router.get("/connections/new", response_class=HTMLResponse)
def new_connection_form(request: Request, _: Creator) -> Response:
    return _form(request, {"conn_id": "", "port": "", "extra": "", "password": ""}, is_new=True)


@router.get("/connections/edit", response_class=HTMLResponse)
def edit_connection_form(ctx: Ctx, request: Request, _: Editor, conn_id: str = "") -> Response:
    entry = _entry(ctx, conn_id)
    values = shown_fields(entry, ctx, form_of(entry.conn_type or "").extra_fields)
    return _form(request, values, is_new=False, has_password=entry.password is not None)


def connection_from_form(
    form: Mapping[str, str], current: ConnectionEntry | None, fields: tuple[ExtraField, ...] = ()
) -> dict[str, Any]:
    """The connection dict to store; an empty password and ``***`` extra values keep what is
    stored; ``fields``: the extra fields of the connection's type."""
    conn: dict[str, Any] = {name: form.get(name, "").strip() or None for name in TEXT_FIELDS}
    conn["conn_id"] = form.get("conn_id", "").strip()
    conn["conn_type"] = conn["conn_type"] or ""
    port = form.get("port", "").strip()
    if port and not port.isdigit():
        raise InvalidInputError("port must be a whole number")
    conn["port"] = int(port) if port else None
    password = form.get("password", "")
    conn["password"] = password or (current.password if current else None)
    extra = _extra(form.get("extra", ""))
    old = current.extra if current else {}
    conn["extra"] = {
        key: old.get(key, value) if value == REPLACEMENT else value for key, value in extra.items()
    }
    if form.get(FIELDS_FOR) == conn["conn_type"]:
        _take_fields(form, fields, old, conn["extra"])
    return conn


def _take_fields(
    form: Mapping[str, str], fields: tuple[ExtraField, ...], old: Mapping[str, Any], extra: dict[str, Any]
) -> None:
    """Put the extra fields' values in ``extra``: an empty input leaves its key out (an
    empty password field keeps the stored one; an unticked box is false only where the
    hook's default is true)."""
    for f in fields:
        text = form.get(EXTRA_FIELD + f.name, "")
        value = f.parse(text)
        if f.kind == "password" and value is None and f.name in old:
            value = old[f.name]
        if value is None or (value is False and not f.default):
            extra.pop(f.name, None)
        else:
            extra[f.name] = value


def _extra(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInputError("extra must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidInputError("extra must be a JSON object")
    return value


@router.post("/connections/new", response_class=HTMLResponse)
async def create_connection(ctx: Ctx, request: Request, user: Creator) -> Response:
    form = await read_form(request)
    try:
        await run_in_threadpool(_save, ctx, user, form, None)
    except (InvalidInputError, ConflictError) as exc:
        return _form(request, {**form, "password": ""}, is_new=True, error=str(exc), status_code=400)
    return redirect("/connections")


@router.post("/connections/edit", response_class=HTMLResponse)
async def update_connection(ctx: Ctx, request: Request, user: Editor) -> Response:
    form = await read_form(request)
    current = await run_in_threadpool(_entry, ctx, form.get("conn_id", ""))
    try:
        await run_in_threadpool(_save, ctx, user, form, current)
    except InvalidInputError as exc:
        values = {**form, "password": ""}
        return _form(
            request,
            values,
            is_new=False,
            has_password=current.password is not None,
            error=str(exc),
            status_code=400,
        )
    return redirect("/connections")


def _save(ctx: ApiContext, user: Principal, form: Mapping[str, str], current: ConnectionEntry | None) -> None:
    conn = connection_from_form(form, current, form_of(form.get("conn_type", "").strip()).extra_fields)
    ctx.secrets.set_connection(conn, overwrite=current is not None)
    _audit(ctx, "patch_connection" if current else "post_connection", user, conn["conn_id"])


@router.post("/connections/delete")
async def delete_connection(ctx: Ctx, request: Request, user: Deleter) -> Response:
    form = await read_form(request)
    await run_in_threadpool(_delete, ctx, user, form.get("conn_id", ""))
    return redirect("/connections")


def _delete(ctx: ApiContext, user: Principal, conn_id: str) -> None:
    try:
        ctx.secrets.delete_connection(conn_id)
    except NotFoundError:
        return
    _audit(ctx, "delete_connection", user, conn_id)


def _audit(ctx: ApiContext, event: str, user: Principal, conn_id: str) -> None:
    with ctx.store.transaction() as tx:
        ctx.audit(tx, event, user, extra={"connection_id": conn_id, "via": "ui"})


__all__ = ["connection_from_form", "router", "shown_fields"]
