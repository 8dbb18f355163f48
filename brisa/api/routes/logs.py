"""``GET .../taskInstances/{task_id}/logs/{try_number}``: a try's log, in pages, for tailing.

The log is kept in the database in chunks numbered from 0 (``tx.logs``). A response
carries up to :data:`LOG_PAGE_CHUNKS` chunks and a ``continuation_token``: a signed
``{task instance, try, last chunk read}``. Sending it back as ``?token=`` returns what was
written since, so a client tails a running try by polling with the latest token.
``full_content=true`` returns the whole log and ignores the token.

Formats, by the ``Accept`` header: ``application/json`` (default; Airflow's
``TaskInstancesLogResponse``), ``application/x-ndjson`` (one event per line, token in
the ``Airflow-Continuation-Token`` header, Airflow 3.1) and ``text/plain`` (Brisa's
addition for shells; token in the same header).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response

from brisa.api.context import ApiContext
from brisa.api.routes._common import Ctx, TryNumberPath
from brisa.api.routes.task_instances import TI_PATH
from brisa.api.schemas import StructuredLogMessage, TaskInstanceLogQuery, TaskInstancesLogResponse
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.auth.sessions import sign_payload, unsign_payload
from brisa.errors import AuthError, InvalidInputError
from brisa.store.records import TaskKey

LOG_TOKEN_PURPOSE = "brisa.log-token"
LOG_PAGE_CHUNKS = 200
TOKEN_HEADER = "Airflow-Continuation-Token"

_LINE = re.compile(r"\[(?P<ts>\d{4}-\d\d-\d\dT[^\]]+)\] (?P<rest>.*)")
_LEVEL = re.compile(
    r"(?:\{(?P<logger>[^}]*)\} )?(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) - (?P<event>.*)"
)

router = APIRouter(tags=["Task Instance"])


@router.get(
    TI_PATH + "/{task_id}/logs/{try_number}",
    response_model=TaskInstancesLogResponse,
    responses={200: {"content": {"text/plain": {}, "application/x-ndjson": {}}}},
)
def get_log(
    ctx: Ctx,
    request: Request,
    dag_id: str,
    dag_run_id: str,
    task_id: str,
    try_number: TryNumberPath,
    query: Annotated[TaskInstanceLogQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.TASK_LOG_READ))],
) -> Any:
    key = TaskKey(dag_id, dag_run_id, task_id, query.map_index)
    if query.full_content:
        page = read_log_page(ctx, key, try_number, token=None, limit=None)
    else:
        page = read_log_page(ctx, key, try_number, token=query.token)
    return _negotiate(request.headers.get("accept", ""), page)


def read_log_page(
    ctx: ApiContext, key: TaskKey, try_number: int, *, token: str | None, limit: int | None = LOG_PAGE_CHUNKS
) -> TaskInstancesLogResponse:
    """Log lines after ``token`` (from the start without one) and the token to continue from."""
    after = decode_log_token(ctx, token, key, try_number) if token else -1
    with ctx.store.transaction(readonly=True) as tx:
        tx.tis.require(key)
        text, last = tx.logs.read(key, try_number, after_seq=after, limit=limit)
    return TaskInstancesLogResponse(
        content=[parse_log_line(line) for line in text.splitlines()],
        continuation_token=encode_log_token(ctx, key, try_number, last),
    )


def parse_log_line(line: str) -> StructuredLogMessage:
    """``[timestamp] {logger} LEVEL - message`` as Airflow's structured event (as far as it parses)."""
    match = _LINE.fullmatch(line)
    if match is None:
        return StructuredLogMessage(event=line)
    fields: dict[str, Any] = {"timestamp": _timestamp(match["ts"]), "event": match["rest"]}
    level = _LEVEL.fullmatch(match["rest"])
    if level is not None:
        fields.update(event=level["event"], level=level["level"].lower())
        if level["logger"]:
            fields["logger"] = level["logger"]
    return StructuredLogMessage.model_validate(fields)


def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def encode_log_token(ctx: ApiContext, key: TaskKey, try_number: int, last_seq: int) -> str:
    payload = {"ti": [*key, try_number], "seq": last_seq}
    return sign_payload(payload, secret=ctx.secret_key, purpose=LOG_TOKEN_PURPOSE)


def decode_log_token(ctx: ApiContext, token: str, key: TaskKey, try_number: int) -> int:
    """The last chunk number the token says was read; 400 if forged or made for another try."""
    try:
        payload = unsign_payload(token, secret=ctx.secret_key, purpose=LOG_TOKEN_PURPOSE)
    except AuthError:
        raise InvalidInputError("invalid continuation token") from None
    seq = payload.get("seq")
    if payload.get("ti") != [*key, try_number] or not isinstance(seq, int):
        raise InvalidInputError("the continuation token belongs to another task instance or try")
    return seq


def _negotiate(accept: str, page: TaskInstancesLogResponse) -> Response | TaskInstancesLogResponse:
    headers = {TOKEN_HEADER: page.continuation_token or ""}
    wanted = accept.lower()
    if "application/x-ndjson" in wanted:
        return Response(page.as_ndjson(), media_type="application/x-ndjson", headers=headers)
    if "text/plain" in wanted and "application/json" not in wanted:
        return PlainTextResponse(page.as_text(), headers=headers)
    return page


__all__ = [
    "LOG_PAGE_CHUNKS",
    "LOG_TOKEN_PURPOSE",
    "TOKEN_HEADER",
    "decode_log_token",
    "encode_log_token",
    "parse_log_line",
    "read_log_page",
    "router",
]
