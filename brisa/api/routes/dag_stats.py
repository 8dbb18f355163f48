"""``GET /api/v2/dagStats``: how many runs of each DAG are in each state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from brisa.api.routes._common import Ctx
from brisa.api.schemas import DagRunState, DagStatsCollectionResponse, DagStatsQuery
from brisa.api.security import Principal, require
from brisa.auth.roles import Permission

router = APIRouter(prefix="/api/v2/dagStats", tags=["DagStats"])


@router.get("", response_model=DagStatsCollectionResponse)
def get_dag_stats(
    ctx: Ctx,
    query: Annotated[DagStatsQuery, Query()],
    _: Annotated[Principal, Depends(require(Permission.DAG_RUN_READ))],
) -> DagStatsCollectionResponse:
    """DAGs with at least one run, by dag_id; every state listed, zeros included (as Airflow)."""
    with ctx.store.transaction(readonly=True) as tx:
        counts = tx.runs.count_by_dag_and_state(query.dag_ids or None)
    dags = [
        {
            "dag_id": dag_id,
            "dag_display_name": dag_id,
            "stats": [{"state": state, "count": by_state.get(state.value, 0)} for state in DagRunState],
        }
        for dag_id, by_state in counts.items()
    ]
    return DagStatsCollectionResponse.model_validate({"dags": dags, "total_entries": len(dags)})


__all__ = ["router"]
