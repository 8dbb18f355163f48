import re

import pytest

from brisa.api.app import discover_plugins
from brisa.states import RunState, TaskState
from brisa.ui.pages import install, mount_ui
from brisa.ui.pages._common import task_url
from tests.ui.helpers import add_dag, add_run, grouped_dag, simple_dag

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def test_create_app_finds_the_ui_by_itself() -> None:
    assert install in discover_plugins()
    assert mount_ui is install


@pytest.fixture
def every_page(store, clock) -> list[str]:
    dag = simple_dag()
    add_dag(store, dag, clock())
    add_dag(store, grouped_dag(), clock())
    run = add_run(store, dag, clock(), states={"extract": TaskState.SUCCESS}, run_state=RunState.RUNNING)
    tabs = [
        f"/dags/{d}/{tab}"
        for d in ("etl", "d")
        for tab in ("grid", "graph", "gantt", "durations", "code", "details", "trigger")
    ]
    return [
        "/dags",
        *tabs,
        task_url("etl", run.run_id, "extract"),
        "/variables",
        "/variables/new",
        "/connections",
        "/connections/new",
        "/users",
        "/users/new",
        "/audit-log",
        "/import-errors",
        "/dags/nope/grid",
    ]


def test_pages_keep_to_the_content_security_policy(admin, every_page) -> None:
    for page in every_page:
        answer = admin.get(page)
        assert answer.status_code in (200, 404), page
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["x-frame-options"] == "DENY"
        assert not INLINE_SCRIPT.search(answer.text), page
        assert not INLINE_STYLE.search(answer.text), page
        assert not INLINE_HANDLER.search(answer.text), page
        assert '<script src="/static/brisa.js' in answer.text


def test_errors_on_pages_are_pages_and_api_errors_stay_json(store, admin, viewer, clock) -> None:
    add_dag(store, simple_dag(), clock())
    page = viewer.get("/variables")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "403 · Forbidden" in page.text and "does not have can_read on Variables" in page.text
    api = viewer.get("/api/v2/variables")
    assert api.status_code == 403 and api.json()["detail"].startswith("Forbidden")


def test_static_files_are_served_without_login(app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        for name in ("brisa.css", "brisa.js", "favicon.svg"):
            assert client.get(f"/static/{name}").status_code == 200
        assert client.get("/static/login.css").status_code == 200  # the API's own still served
