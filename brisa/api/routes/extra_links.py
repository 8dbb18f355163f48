"""``.../taskInstances/{task_id}/links``: a task instance's operator extra links.

Each try stores its links' URLs as XComs (brisa/sdk/extra_links.py); this route reads them
with the serialized DAG's ``{name: XCom key}``, so the API never imports operator code.
A link the try has not given (not run yet, or its ``get_link`` returned nothing) is null.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from brisa.api.routes._common import Ctx, MapIndexQuery
from brisa.api.routes.task_instances import TI_PATH
from brisa.api.schemas import ExtraLinkCollectionResponse
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission
from brisa.store.records import TaskKey

router = APIRouter(tags=["Extra Links", "Task Instance"])
Reader = Annotated[Principal, Depends(require(Permission.TASK_INSTANCE_READ))]


@router.get(TI_PATH + "/{task_id}/links", response_model=ExtraLinkCollectionResponse)
def get_extra_links(
    ctx: Ctx, dag_id: str, dag_run_id: str, task_id: str, _: Reader, map_index: MapIndexQuery = -1
) -> ExtraLinkCollectionResponse:
    key = TaskKey(dag_id, dag_run_id, task_id, map_index)
    with ctx.store.transaction(readonly=True) as tx:
        tx.tis.require(key)
        task = tx.dags.require_serialized(dag_id).task(task_id)
        links = {
            name: _url(tx.xcoms.get(key, xcom_key)) for name, xcom_key in sorted(task.extra_links.items())
        }
    return ExtraLinkCollectionResponse(extra_links=links, total_entries=len(links))


def _url(record: object) -> str | None:
    value = getattr(record, "value", None)
    return value if isinstance(value, str) and value else None
