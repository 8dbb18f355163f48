"""What the API, the CLI and the UI show of an asset: Airflow 3's ``AssetResponse`` fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brisa.store.repos.assets import AssetRecord
from brisa.store.sql import Transaction


def asset_fields(tx: Transaction, assets: Sequence[AssetRecord]) -> list[dict[str, Any]]:
    """Each asset with its consuming DAGs, producing and consuming tasks, aliases, watchers
    and last event."""
    details = tx.assets.details(a.id for a in assets)
    out = []
    for asset in assets:
        d = details[asset.id]
        last = d["last_event"][0] if d["last_event"] else None
        out.append(
            {
                **asset.__dict__,
                "scheduled_dags": [
                    {"dag_id": g, "created_at": t, "updated_at": t} for g, t in d["scheduled_dags"]
                ],
                "producing_tasks": [
                    {"dag_id": g, "task_id": k, "created_at": t, "updated_at": t}
                    for g, k, t in d["producing_tasks"]
                ],
                "consuming_tasks": [
                    {"dag_id": g, "task_id": k, "created_at": t, "updated_at": t}
                    for g, k, t in d["consuming_tasks"]
                ],
                "aliases": [{"id": i, "name": n, "group": g} for i, n, g in d["aliases"]],
                "watchers": [{"name": n, "trigger_id": i, "created_date": t} for n, i, t in d["watchers"]],
                "last_asset_event": {"id": last[0], "timestamp": last[1]} if last else None,
            }
        )
    return out


__all__ = ["asset_fields"]
