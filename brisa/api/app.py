"""``create_app``: the FastAPI application (REST API, login, live endpoints, UI pages).

Everything the app needs is passed in; its state lives in ``app.state.brisa`` (an
:class:`~brisa.api.context.ApiContext`). The UI package hooks in through
:data:`UI_MODULES`: each module, if it exists, has ``install(app: FastAPI) -> None`` that
adds its routes (guarded with ``Depends(require(...))``, which ``create_app`` checks),
sets ``app.state.brisa.page_error_renderer`` and uses ``app.state.brisa.templates``.
When a plugin from the ``brisa.ui`` package is installed, templates are looked up in
``brisa/ui/templates`` first, then ``brisa/api/templates`` (so the UI may restyle
``login.html``), and ``/static`` serves ``brisa/ui/static`` then ``brisa/api/static``;
without it only the API's own folders are used.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from brisa import __version__
from brisa.api import errors
from brisa.api.body_limit import BodyLimitMiddleware
from brisa.api.context import ApiContext, masker_from, secret_key_from
from brisa.api.headers import SecurityHeadersMiddleware
from brisa.api.login import address_throttle
from brisa.api.routes import ROUTE_MODULES
from brisa.api.security import AuthMiddleware, check_routes
from brisa.auth.passwords import make_hasher
from brisa.auth.throttle import LoginThrottle

UI_MODULES = ("brisa.ui.pages",)
"""Optional modules with ``install(app)``; missing ones are skipped."""

UI_PACKAGE = "brisa.ui"
_PACKAGE = Path(__file__).resolve().parent
_UI_FOLDER = _PACKAGE.parent / "ui"
DESCRIPTION = (
    "Apache Airflow 3's stable REST API (`/api/v2`) as served by Brisa. "
    "Get a token with `POST /auth/token` and send it as `Authorization: Bearer <token>`. "
    "Differences from Airflow are listed in Brisa's docs/api.md."
)

Plugin = Callable[[FastAPI], None]


def create_app(
    settings: Any,
    store: Any,
    secrets: Any,
    *,
    clock: Callable[[], datetime],
    on_change: Callable[[], None] | None = None,
    hasher: Any = None,
    throttle: LoginThrottle | None = None,
    plugins: Iterable[Plugin] | None = None,
) -> FastAPI:
    """The ASGI app over ``store``; ``on_change`` wakes an in-process scheduler.

    ``hasher`` (argon2 ``PasswordHasher``) and ``throttle`` default to the production
    policies; ``plugins`` default to the UI modules that are installed.
    """
    installed = discover_plugins() if plugins is None else list(plugins)
    with_ui = any(_is_ui(plugin) for plugin in installed)
    context = build_context(
        settings, store, secrets, clock=clock, on_change=on_change, hasher=hasher, throttle=throttle
    )
    context.templates = _templates(with_ui)
    app = FastAPI(
        title="Brisa",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.brisa = context
    errors.install(app)
    for name in ROUTE_MODULES:
        app.include_router(importlib.import_module(name).router)
    for plugin in installed:
        plugin(app)
    _mount_static(app, with_ui)
    check_routes(app.routes)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api.max_request_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def freeze_startup_heap() -> None:
    """Exempt what exists once the app is built from the cyclic garbage collector.

    The imported modules, compiled templates and the app itself live as long as the
    process, yet a full collection walks all of them: 45 to 100 ms pauses, every few
    hundred requests, in the middle of one of them (bench/ui.py's p99). Frozen objects are
    never scanned; the collector keeps collecting everything made after.
    """
    gc.collect()
    gc.freeze()


def build_context(
    settings: Any,
    store: Any,
    secrets: Any,
    *,
    clock: Callable[[], datetime],
    on_change: Callable[[], None] | None = None,
    hasher: Any = None,
    throttle: LoginThrottle | None = None,
) -> ApiContext:
    throttle = throttle or LoginThrottle()
    return ApiContext(
        settings=settings,
        store=store,
        secrets=secrets,
        clock=clock,
        secret_key=secret_key_from(settings),
        hasher=hasher or make_hasher(),
        throttle=throttle,
        address_throttle=address_throttle(settings.api.login_failures_per_address),
        password_checks=threading.BoundedSemaphore(settings.api.max_concurrent_password_checks),
        password_pool=ThreadPoolExecutor(
            settings.api.max_concurrent_password_checks, thread_name_prefix="brisa-password-check"
        ),
        masker=masker_from(settings),
        token_ttl=timedelta(seconds=settings.api.access_token_expiration),
        session_max_age=timedelta(minutes=settings.api.session_lifetime_minutes),
        on_change=on_change,
        templates=_templates(with_ui=False),
    )


def discover_plugins() -> list[Plugin]:
    plugins = []
    for name in UI_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        install = getattr(module, "install", None)
        if install is not None:  # a UI package without its hook yet installs nothing
            plugins.append(install)
    return plugins


def _is_ui(plugin: Plugin) -> bool:
    return getattr(plugin, "__module__", "").startswith(UI_PACKAGE)


def _folders(name: str, with_ui: bool) -> list[Path]:
    candidates = [_UI_FOLDER / name] if with_ui else []
    return [folder for folder in (*candidates, _PACKAGE / name) if folder.is_dir()]


def _templates(with_ui: bool) -> jinja2.Environment:
    folders = _folders("templates", with_ui)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _mount_static(app: FastAPI, with_ui: bool) -> None:
    folders = _folders("static", with_ui)
    if folders:
        app.mount("/static", _MultiStatic(folders), name="static")


class _MultiStatic(StaticFiles):
    """StaticFiles over several folders, the first one that has the file wins."""

    def __init__(self, folders: list[Path]) -> None:
        super().__init__(directory=folders[0])
        self.all_directories = [str(folder) for folder in folders]


__all__ = [
    "UI_MODULES",
    "UI_PACKAGE",
    "build_context",
    "create_app",
    "discover_plugins",
    "freeze_startup_heap",
]
