"""What the UI tests share besides fixtures: logging in, posting forms, seeding the store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from brisa.serialized import SerializedDag
from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.store.records import RunRecord, TaskKey
from brisa.store.sql import Store
from brisa.testing import make_dag

PASSWORD = "correct horse battery"


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert nonce, page.text
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "login_csrf": nonce.group(1), "next": "/dags"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def csrf_of(client: TestClient) -> str:
    """A CSRF token for the client's session, as a page's forms carry."""
    token = client.get("/ui/api/me").json()["csrf_token"]
    assert token
    return token


def post_form(client: TestClient, url: str, data: dict[str, str], *, csrf: bool = True) -> Any:
    fields = {**data, "csrf_token": csrf_of(client)} if csrf else dict(data)
    return client.post(url, data=fields, follow_redirects=False)


# --- data ----------------------------------------------------------------------------------


def add_dag(store: Store, dag: SerializedDag, now: datetime, *, source: str | None = "print('hi')\n") -> None:
    with store.transaction() as tx:
        tx.dags.upsert(dag, paused_when_new=True, now=now, source_code=source)


def add_run(
    store: Store,
    dag: SerializedDag,
    now: datetime,
    *,
    states: dict[str, TaskState] | None = None,
    run_state: RunState = RunState.QUEUED,
    conf: dict[str, Any] | None = None,
    logical_date: datetime | None = None,
) -> RunRecord:
    """A manual run; ``states`` sets some task instances' states (try 1, started at ``now``)."""
    with store.transaction() as tx:
        run = trigger_run(tx, dag, now=now, conf=conf, logical_date=logical_date or now, triggered_by="test")
        for task_id, state in (states or {}).items():
            key = TaskKey(dag.dag_id, run.run_id, task_id)
            tx.tis.compare_and_set(
                key,
                {None},
                state,
                try_number=1,
                start_date=now,
                end_date=now + timedelta(seconds=5) if state.is_finished else None,
                duration=5.0 if state.is_finished else None,
                queued_dttm=now - timedelta(seconds=1),
                rendered_fields={"bash_command": f"echo {task_id}"},
            )
        if run_state != RunState.QUEUED:
            tx.runs.compare_and_set(
                dag.dag_id,
                run.run_id,
                {RunState.QUEUED},
                run_state,
                start_date=now,
                end_date=now + timedelta(seconds=10) if run_state.is_finished else None,
            )
        return tx.runs.require(dag.dag_id, run.run_id)


def simple_dag(dag_id: str = "etl", **options: Any) -> SerializedDag:
    """extract -> transform -> load, daily, owned by ``data``, tagged ``nightly``."""
    defaults: dict[str, Any] = {
        "timetable": {"type": "DeltaDataIntervalTimetable", "delta": 86400.0},
        "schedule_summary": "1 day, 0:00:00",
        "start_date": datetime(2025, 1, 1, tzinfo=UTC),
        "owners": ("data",),
        "tags": ("nightly",),
    }
    return make_dag(
        dag_id, {"extract": [], "transform": ["extract"], "load": ["transform"]}, **{**defaults, **options}
    )


def grouped_dag(dag_id: str = "d") -> SerializedDag:
    """start -> [g.a -> g.inner.b] -> end, and a lone task, with nested task groups."""
    return make_dag(
        dag_id,
        {"start": [], "g.a": ["start"], "g.inner.b": ["g.a"], "end": ["g.inner.b"], "lone": []},
        task_options={"g.a": {"task_group": "g"}, "g.inner.b": {"task_group": "g.inner"}},
        task_groups={
            "g": {"parent": None, "tooltip": "the group", "children": ["g.a", "g.inner"]},
            "g.inner": {"parent": "g", "tooltip": "", "children": ["g.inner.b"]},
        },
        edge_labels={"start>>g.a": "go"},
    )


XSS = "<script>alert('x')</script>"


def assert_escaped(html: str, raw: str) -> None:
    """``raw`` (user data with markup) appears in ``html`` only HTML-escaped."""
    from markupsafe import escape

    assert raw not in html
    assert str(escape(raw)) in html


def field_html(html: str, name: str) -> str:
    """The HTML of the trigger form's field for param ``name`` (up to the next field)."""
    marker = f'data-param="{name}"'
    start = html.index(marker)
    end = html.find('<div class="field', start + len(marker))
    return html[start : end if end >= 0 else len(html)]
