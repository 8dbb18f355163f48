"""The UI's routes, installed on the app by ``brisa.api.app.create_app``.

Every route declares the permission it needs (``Depends(require(...))``); the API's
middleware has already sent anonymous browsers to ``/login`` and checked the CSRF
token of every form post. :func:`install` adds the routers, the Jinja filters and
globals the templates use, and the error page for non-API paths.

``/dags/{dag_id}`` matches any path under it, so :mod:`~brisa.ui.pages.dag` goes last.
"""

from __future__ import annotations

import importlib

import jinja2
from fastapi import FastAPI

from brisa.ui import formatting
from brisa.ui.pages._common import dag_url, query_string, task_url
from brisa.ui.render import base_values, render_error, translator
from brisa.ui.schedule import record_schedule, translate_schedule

PAGE_MODULES = (
    "brisa.ui.pages.preferences",
    "brisa.ui.pages.dags",
    "brisa.ui.pages.trigger",
    "brisa.ui.pages.tasks",
    "brisa.ui.pages.variables",
    "brisa.ui.pages.connections",
    "brisa.ui.pages.pools",
    "brisa.ui.pages.users",
    "brisa.ui.pages.records",
    "brisa.ui.pages.assets",
    "brisa.ui.pages.dag",
)


def configure_templates(env: jinja2.Environment) -> None:
    env.filters.update(
        dt=formatting.format_datetime,
        duration=formatting.format_duration,
        urlpart=formatting.url_part,
        state_class=formatting.state_class,
        pretty_json=formatting.pretty_json,
        schedule_words=translate_schedule,
        dag_schedule=record_schedule,
    )
    env.globals.update(
        dag_url=dag_url,
        task_url=task_url,
        query_string=query_string,
        ui_text=translator,
        ui_base=base_values,
    )


def install(app: FastAPI) -> None:
    """Add the UI to an app built by ``create_app`` (its ``app.state.brisa`` must be set)."""
    context = app.state.brisa
    configure_templates(context.templates)
    context.page_error_renderer = render_error
    for name in PAGE_MODULES:
        app.include_router(importlib.import_module(name).router)


mount_ui = install

__all__ = ["PAGE_MODULES", "configure_templates", "install", "mount_ui"]
