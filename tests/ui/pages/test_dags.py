from datetime import timedelta

from brisa.states import RunState, TaskState
from tests.ui.helpers import XSS, add_dag, add_run, assert_escaped, post_form, simple_dag


def test_list_shows_schedule_owner_tags_runs_and_actions(store, admin, clock) -> None:
    dag = simple_dag()
    add_dag(store, dag, clock())
    add_run(store, dag, clock(), run_state=RunState.SUCCESS, logical_date=clock() - timedelta(days=1))
    add_run(store, dag, clock(), run_state=RunState.FAILED)
    html = admin.get("/dags").text
    assert 'data-dag-id="etl"' in html
    assert "Every day" in html and "data" in html and "nightly" in html
    assert html.count("dot st-success") >= 1 and html.count("dot st-failed") >= 2  # last run and recent dots
    assert 'data-testid="pause-toggle"' in html and 'data-testid="trigger"' in html


def test_anonymous_browsers_are_sent_to_login(app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app, follow_redirects=False) as client:
        answer = client.get("/dags?q=x")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fdags%3Fq%3Dx"


def test_search_tag_and_status_filters(store, admin, clock) -> None:
    add_dag(store, simple_dag("alpha"), clock())
    add_dag(store, simple_dag("beta", tags=("weekly",)), clock())
    with store.transaction() as tx:
        tx.dags.set_paused("beta", False)
    assert 'data-dag-id="alpha"' not in admin.get("/dags?q=bet").text
    assert 'data-dag-id="beta"' in admin.get("/dags?q=bet").text
    tagged = admin.get("/dags?tag=weekly").text
    assert 'data-dag-id="beta"' in tagged and 'data-dag-id="alpha"' not in tagged
    active = admin.get("/dags?status=active").text
    assert 'data-dag-id="beta"' in active and 'data-dag-id="alpha"' not in active
    paused = admin.get("/dags?status=paused").text
    assert 'data-dag-id="alpha"' in paused and 'data-dag-id="beta"' not in paused


def test_pages_of_25(store, admin, clock) -> None:
    for n in range(30):
        add_dag(store, simple_dag(f"dag_{n:02d}"), clock())
    first, second = admin.get("/dags").text, admin.get("/dags?page=2").text
    assert first.count("data-dag-id=") == 25 and second.count("data-dag-id=") == 5
    assert 'data-dag-id="dag_29"' in second
    assert "Page 1 of 2" in first and 'href="/dags?page=2"' in first


def test_import_errors_banner(store, admin, viewer, clock) -> None:
    with store.transaction() as tx:
        tx.dags.replace_import_errors(
            "/dags/broken.py", [{"message": "boom", "stacktrace": "Trace"}], now=clock()
        )
    assert 'data-testid="import-errors-banner"' in admin.get("/dags").text
    assert 'data-testid="import-errors-banner"' in viewer.get("/dags").text
    assert "Trace" in admin.get("/import-errors").text


def test_pause_and_unpause_are_audited(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    answer = post_form(admin, "/dags/etl/pause", {"is_paused": "false", "next": "/dags?q=e"})
    assert answer.status_code == 303 and answer.headers["location"] == "/dags?q=e"
    with store.transaction(readonly=True) as tx:
        assert not tx.dags.require("etl").is_paused
        assert tx.dags.require("etl").next_dagrun is not None
        assert [r.event for r in tx.audit.list(dag_id="etl").items] == ["patch_dag"]
    post_form(admin, "/dags/etl/pause", {"is_paused": "true", "next": "//evil.example/"})
    with store.transaction(readonly=True) as tx:
        assert tx.dags.require("etl").is_paused


def test_a_foreign_redirect_target_is_refused(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    answer = post_form(admin, "/dags/etl/pause", {"is_paused": "false", "next": "//evil.example/"})
    assert answer.headers["location"] == "/"


def test_pause_needs_a_csrf_token(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    missing = post_form(admin, "/dags/etl/pause", {"is_paused": "false"}, csrf=False)
    forged = admin.post("/dags/etl/pause", data={"is_paused": "false", "csrf_token": "abc.def"})
    assert missing.status_code == 403 and forged.status_code == 403
    assert "CSRF" in missing.text
    with store.transaction(readonly=True) as tx:
        assert tx.dags.require("etl").is_paused


def test_viewer_sees_no_actions_and_may_not_pause(store, viewer, clock) -> None:
    add_dag(store, simple_dag(), clock())
    html = viewer.get("/dags").text
    assert 'data-dag-id="etl"' in html
    assert 'data-testid="pause-toggle"' not in html and 'data-testid="trigger"' not in html
    assert 'action="/dags/etl/pause"' not in html
    answer = post_form(viewer, "/dags/etl/pause", {"is_paused": "false"})
    assert answer.status_code == 403
    with store.transaction(readonly=True) as tx:
        assert tx.dags.require("etl").is_paused


def test_dag_ids_and_tags_are_escaped(store, admin, clock) -> None:
    add_dag(store, simple_dag(XSS, tags=(XSS,), owners=(XSS,)), clock())
    add_run(store, simple_dag(XSS), clock(), states={"extract": TaskState.SUCCESS})
    html = admin.get("/dags").text
    assert_escaped(html, XSS)
    assert "/dags/%3Cscript%3Ealert%28%27x%27%29%3C%2Fscript%3E/grid" in html


def test_a_subdag_is_not_listed_but_its_page_opens(store, admin, clock) -> None:
    # Airflow 1.10/2.x's home page leaves out SubDagOperator's child DAGs (``is_subdag``).
    from dataclasses import replace

    add_dag(store, simple_dag("parent"), clock())
    add_dag(store, replace(simple_dag("parent.section"), is_subdag=True), clock())
    html = admin.get("/dags").text
    assert 'data-dag-id="parent"' in html and 'data-dag-id="parent.section"' not in html
    assert "No runs yet." in admin.get("/dags/parent.section/grid").text
