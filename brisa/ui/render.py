"""Rendering pages, polled fragments and error pages with the app's Jinja environment.

The environment is the API's (``ApiContext.templates``: ``brisa/ui/templates`` first, with
autoescaping on): every value a template prints is HTML-escaped unless it is ``Markup``,
and nothing in ``brisa/ui`` builds ``Markup`` from user data. Every page gets the same
base values (:func:`base_values`): the translator ``_``, the language, the theme, the
caller and what they may do, and a CSRF token for its forms.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from brisa import __version__
from brisa.api.context import ApiContext
from brisa.api.security import Principal, csrf_for
from brisa.auth.roles import Permission
from brisa.ui.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, Translator, pick_language, translator_for

THEME_COOKIE = "brisa_theme"
THEMES = ("auto", "light", "dark")
LIVE_HEADER = "X-Brisa-Live"
"""Set to ``1`` on a polled fragment while something on it may still change."""

NAV_ITEMS: tuple[tuple[str, str, Permission], ...] = (
    ("/dags", "DAGs", Permission.DAG_READ),
    ("/assets", "Assets", Permission.DAG_READ),
    ("/import-errors", "Import errors", Permission.IMPORT_ERROR_READ),
    ("/variables", "Variables", Permission.VARIABLE_READ),
    ("/connections", "Connections", Permission.CONNECTION_READ),
    ("/pools", "Pools", Permission.POOL_READ),
    ("/users", "Users", Permission.USER_READ),
    ("/audit-log", "Audit log", Permission.AUDIT_LOG_READ),
)


def context_of(request: Request) -> ApiContext:
    return request.app.state.brisa


def translator(request: Request) -> Translator:
    """The translator for the language this request asks for (cookie, then Accept-Language)."""
    cached = getattr(request.state, "translator", None)
    if cached is None:
        language = pick_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))
        cached = request.state.translator = translator_for(language)
    return cached


def theme_of(request: Request) -> str:
    theme = request.cookies.get(THEME_COOKIE, "auto")
    return theme if theme in THEMES else "auto"


def principal_of(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def base_values(request: Request) -> dict[str, Any]:
    """What every template may use, besides the page's own values."""
    principal = principal_of(request)
    tr = translator(request)

    def can(name: str) -> bool:
        return principal is not None and principal.can(Permission[name])

    nav = [(href, tr(label)) for href, label, needed in NAV_ITEMS if principal and principal.can(needed)]
    return {
        "request": request,
        "_": tr,
        "lang": tr.language,
        "languages": LANGUAGE_NAMES,
        "theme": theme_of(request),
        "user": principal,
        "can": can,
        "csrf": csrf_for(request) or "",
        "nav": nav,
        "current_path": request.url.path,
        "current_url": _path_and_query(request),
        "version": __version__,
    }


def _path_and_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render_html(request: Request, template: str, values: dict[str, Any]) -> str:
    env = context_of(request).templates
    return env.get_template(template).render(**base_values(request), **values)


def render_page(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """A whole page; pages are never cached (they show live state and carry a CSRF token)."""
    values.setdefault("scheduler_down", scheduler_down(request) if principal_of(request) else None)
    html = render_html(request, template, values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def scheduler_down(request: Request) -> dict[str, Any] | None:
    """Why runs would wait, for the banner every page shows: no scheduler (or DAG
    processor) has heartbeated within ``[scheduler] scheduler_health_check_threshold``.
    None when one is healthy. One indexed query, the one ``/monitor/health`` makes."""
    from brisa.api.health import HEALTHY, health_report

    ctx = context_of(request)
    threshold = ctx.settings.scheduler.scheduler_health_check_threshold
    report = health_report(ctx.store, now=ctx.now(), threshold_seconds=threshold)
    scheduler = report["scheduler"]
    if scheduler["status"] == HEALTHY or report["metadatabase"]["status"] != HEALTHY:
        return None
    return {"since": scheduler["latest_scheduler_heartbeat"]}


def render_fragment(request: Request, template: str, *, live: bool, **values: Any) -> Response:
    """A piece of a page for polling, with an ETag: ``304`` while it has not changed.

    The ETag covers the HTML, which has no per-request token in it, so an unchanged
    grid costs the client one empty answer.
    """
    html = render_html(request, template, values)
    etag = '"' + hashlib.sha256(html.encode("utf-8")).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", LIVE_HEADER: "1" if live else "0"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return HTMLResponse(html, headers=headers)


def render_error(request: Request, status: int, detail: str) -> HTMLResponse:
    """The error page (``ApiContext.page_error_renderer``) for 403, 404, 409, 400 and 5xx."""
    return render_page(request, "error.html", status_code=status, status=status, detail=detail)


__all__ = [
    "LIVE_HEADER",
    "NAV_ITEMS",
    "THEMES",
    "THEME_COOKIE",
    "base_values",
    "context_of",
    "principal_of",
    "render_error",
    "render_fragment",
    "render_html",
    "render_page",
    "theme_of",
    "translator",
]
