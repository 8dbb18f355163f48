"""One router module per resource; ``ROUTE_MODULES`` lists them in mounting order."""

from __future__ import annotations

ROUTE_MODULES = (
    "brisa.api.routes.monitor",
    "brisa.api.routes.auth_token",
    "brisa.api.routes.session",
    "brisa.api.routes.dags",
    "brisa.api.routes.tasks",
    "brisa.api.routes.dag_sources",
    "brisa.api.routes.dag_stats",
    "brisa.api.routes.dag_tags",
    "brisa.api.routes.dag_runs",
    "brisa.api.routes.backfills",
    "brisa.api.routes.extra_links",
    "brisa.api.routes.task_instances",
    "brisa.api.routes.logs",
    "brisa.api.routes.xcoms",
    "brisa.api.routes.variables",
    "brisa.api.routes.connections",
    "brisa.api.routes.pools",
    "brisa.api.routes.import_errors",
    "brisa.api.routes.providers",
    "brisa.api.routes.event_logs",
    "brisa.api.routes.assets",
    "brisa.api.routes.live",
)
"""Each module has a ``router`` (an ``APIRouter``); ``create_app`` includes them in this order."""

__all__ = ["ROUTE_MODULES"]
