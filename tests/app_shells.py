"""Apps built once per test session and rebound to each test's store, settings and clock.

``create_app`` spends most of its time (0.3 s, more on a loaded machine) in FastAPI building
the effective routes of some 90 endpoints, which ``check_routes`` walks; the routes are the
same in every test. The ``api`` and ``app`` fixtures (tests/api, tests/ui: over a thousand
tests) take a built app from here and give it a fresh :class:`ApiContext` made by the same
``build_context`` as ``create_app``, so everything a test can observe through the context is
its own. Tests that build an app themselves (``build_api``, ``create_app``) still get a new
one; tests/api/test_app.py covers what ``create_app`` checks while building.

A shell is lent to one test at a time (a test holding two apps gets two shells).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI

from brisa.api.app import build_context, create_app


class AppShells:
    """Built apps by the inputs that shape the app itself: plugins and the body limit."""

    def __init__(self) -> None:
        self._free: dict[tuple[Any, ...], list[FastAPI]] = {}

    @contextmanager
    def app(
        self,
        settings: Any,
        store: Any,
        secrets: Any,
        *,
        plugins: list[Callable[[FastAPI], None]],
        **options: Any,
    ) -> Iterator[FastAPI]:
        """An app over ``store`` as ``create_app(settings, store, secrets, plugins=plugins,
        **options)`` builds it; ``options`` go to the context (clock, hasher, throttle...)."""
        # The body limit is the one setting create_app gives a middleware rather than the context.
        key = (tuple(plugins), settings.api.max_request_body_bytes)
        free = self._free.setdefault(key, [])
        if free:
            app = free.pop()
            app.state.brisa = _rebound(app.state.brisa, settings, store, secrets, options)
        else:
            app = create_app(settings, store, secrets, plugins=plugins, **options)
        try:
            yield app
        finally:
            app.state.brisa.password_pool.shutdown(wait=False)
            free.append(app)


def _rebound(shell: Any, settings: Any, store: Any, secrets: Any, options: dict[str, Any]) -> Any:
    context = build_context(settings, store, secrets, **options)
    # What create_app and the UI plugin set on the context after build_context: the Jinja
    # environment (with the UI's filters and globals, none of which holds per-test state)
    # and the error page renderer.
    context.templates = shell.templates
    context.page_error_renderer = shell.page_error_renderer
    return context


__all__ = ["AppShells"]
