"""Materializing an asset: an ``asset_materialization`` run of the one DAG whose tasks produce it
(Airflow 3's ``airflow assets materialize`` and ``POST /assets/{id}/materialize``)."""

from __future__ import annotations

from datetime import datetime

from brisa.errors import ConflictError, InvalidInputError, NotFoundError
from brisa.plan.runs import ASSET_MATERIALIZATION
from brisa.services.runs import trigger_run
from brisa.store.records import RunRecord
from brisa.store.repos.assets import AssetRecord
from brisa.store.sql import Transaction


def find_asset(tx: Transaction, *, name: str | None = None, uri: str | None = None) -> AssetRecord:
    """The one asset of that name and/or uri (NotFoundError / InvalidInputError otherwise)."""
    if not name and not uri:
        raise InvalidInputError("give the asset's name or uri")
    found = tx.assets.find_by(name=name or None, uri=uri or None)
    if not found:
        raise NotFoundError(
            f"Asset with name {name!r} and uri {uri!r} not found"
            if name and uri
            else (f"Asset with name {name!r} not found" if name else f"Asset with uri {uri!r} not found")
        )
    if len(found) > 1:
        raise InvalidInputError(f"{len(found)} assets match; give both name and uri")
    return found[0]


def materialize(
    tx: Transaction,
    asset_id: int,
    *,
    now: datetime,
    triggered_by: str,
    triggering_user: str | None = None,
    conf: dict[str, object] | None = None,
) -> RunRecord:
    """Trigger the DAG that produces the asset; 404 when none does, 409 when several do."""
    if tx.assets.get(asset_id) is None:
        raise NotFoundError(f"Asset with ID: `{asset_id}` was not found")
    dag_ids = sorted({dag_id for dag_id, _ in tx.assets.producers(asset_id)})
    if not dag_ids:
        raise NotFoundError(f"No DAG materializes asset with ID: {asset_id}")
    if len(dag_ids) > 1:
        raise ConflictError(
            f"More than one DAG materializes asset with ID: {asset_id} ({', '.join(dag_ids)})"
        )
    dag = tx.dags.require_serialized(dag_ids[0])
    return trigger_run(
        tx,
        dag,
        now=now,
        conf=conf,
        triggered_by=triggered_by,
        triggering_user=triggering_user,
        run_type=ASSET_MATERIALIZATION,
    )


__all__ = ["find_asset", "materialize"]
