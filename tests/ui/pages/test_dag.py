import pytest

from brisa.states import RunState, TaskState
from brisa.testing import make_dag
from brisa.ui.formatting import url_part
from tests.ui.helpers import XSS, add_dag, add_run, assert_escaped, grouped_dag, simple_dag

TABS = ("grid", "graph", "gantt", "durations", "code", "details")


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders(store, admin, clock, tab: str) -> None:
    dag = simple_dag()
    add_dag(store, dag, clock())
    add_run(
        store,
        dag,
        clock(),
        states={"extract": TaskState.SUCCESS, "transform": TaskState.RUNNING},
        run_state=RunState.RUNNING,
    )
    answer = admin.get(f"/dags/etl/{tab}")
    assert answer.status_code == 200
    assert f'data-tab="{tab}"' in answer.text and "Every day" in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_tabs_of_a_dag_without_runs(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    for tab in TABS:
        assert admin.get(f"/dags/etl/{tab}").status_code == 200
    assert "No runs yet." in admin.get("/dags/etl/grid").text


def test_dag_home_opens_the_grid(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    answer = admin.get("/dags/etl")
    assert answer.status_code == 303 and answer.headers["location"] == "/dags/etl/grid"


def test_an_unknown_dag_or_run_is_a_404_page(store, admin, clock) -> None:
    add_dag(store, simple_dag(), clock())
    missing = admin.get("/dags/nope/grid")
    assert missing.status_code == 404 and "Not found" in missing.text and "<html" in missing.text
    assert admin.get("/dags/etl/graph?run_id=nope").status_code == 404


def test_grid_cells_carry_states_and_link_to_tries(store, admin, clock) -> None:
    dag = simple_dag()
    add_dag(store, dag, clock())
    run = add_run(
        store,
        dag,
        clock(),
        states={"extract": TaskState.SUCCESS, "transform": TaskState.FAILED},
        run_state=RunState.FAILED,
    )
    html = admin.get("/dags/etl/grid").text
    assert f'data-task-id="extract" data-run-id="{run.run_id}" data-state="success"' in html
    assert f'data-task-id="transform" data-run-id="{run.run_id}" data-state="failed"' in html
    assert f'data-task-id="load" data-run-id="{run.run_id}" data-state="none"' in html
    assert f"/dags/etl/task?run_id={url_part(run.run_id)}&amp;task_id=extract" in html
    assert 'data-testid="run-details"' in html and run.run_id in html


def test_the_grid_fragment_is_polled_with_an_etag(store, admin, clock) -> None:
    dag = simple_dag()
    add_dag(store, dag, clock())
    add_run(store, dag, clock(), run_state=RunState.RUNNING)
    first = admin.get("/dags/etl/grid?partial=1")
    assert first.status_code == 200 and "<html" not in first.text and 'data-testid="grid"' in first.text
    assert first.headers["x-brisa-live"] == "1"
    again = admin.get("/dags/etl/grid?partial=1", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    with store.transaction() as tx:
        run = tx.runs.search(dag_id="etl").items[0]
        tx.runs.compare_and_set("etl", run.run_id, {RunState.RUNNING}, RunState.SUCCESS)
    done = admin.get("/dags/etl/grid?partial=1", headers={"If-None-Match": first.headers["etag"]})
    assert done.status_code == 200 and done.headers["x-brisa-live"] == "0"


def test_graph_draws_groups_labels_and_run_states(store, admin, clock) -> None:
    dag = grouped_dag()
    add_dag(store, dag, clock())
    add_run(
        store,
        dag,
        clock(),
        states={"start": TaskState.SUCCESS, "g.a": TaskState.RUNNING},
        run_state=RunState.RUNNING,
    )
    html = admin.get("/dags/d/graph").text
    assert '<svg class="graph"' in html
    assert 'data-group-id="g"' in html and 'data-group-id="g.inner"' in html
    assert 'data-edge="start>>g.a"' in html and ">go</text>" in html
    assert 'data-task-id="start" data-state="success"' in html
    assert 'data-task-id="g.a" data-state="running"' in html
    assert 'data-task-id="end" data-state="none"' in html
    assert 'data-live="1"' in html


def test_gantt_and_durations_draw_bars(store, admin, clock) -> None:
    dag = simple_dag()
    add_dag(store, dag, clock())
    add_run(store, dag, clock(), states={"extract": TaskState.SUCCESS}, run_state=RunState.SUCCESS)
    gantt = admin.get("/dags/etl/gantt").text
    assert (
        'data-testid="gantt"' in gantt
        and 'data-task-id="extract"' in gantt
        and "load" not in gantt.split('data-testid="gantt"')[1]
    )
    durations = admin.get("/dags/etl/durations").text
    assert 'data-testid="durations"' in durations and 'class="bar st-success"' in durations


def test_code_and_details(store, admin, clock) -> None:
    dag = simple_dag(
        params={"n": {"value": 3, "schema": {"type": "integer"}, "description": "count"}},
        generation="2",
        generation_reason="imports airflow.operators.bash_operator",
    )
    add_dag(store, dag, clock(), source=f"# {XSS}\nprint(1)\n")
    code = admin.get("/dags/etl/code").text
    assert_escaped(code, XSS)
    assert '<span class="line">print(1)</span>' in code
    details = admin.get("/dags/etl/details").text
    assert "imports airflow.operators.bash_operator" in details
    assert 'data-testid="generation"' in details and "count" in details


def test_secret_params_are_masked_on_details(store, admin, clock) -> None:
    dag = simple_dag(params={"api_token": {"value": "s3cr3t-value", "schema": {"type": "string"}}})
    add_dag(store, dag, clock())
    details = admin.get("/dags/etl/details").text
    assert "s3cr3t-value" not in details and "***" in details


def test_user_data_on_the_dag_page_is_escaped(store, admin, clock) -> None:
    dag = make_dag(
        XSS,
        {XSS: [], "b": [XSS]},
        task_options={XSS: {"operator": XSS}},
        edge_labels={f"{XSS}>>b": XSS},
        tags=(XSS,),
        description=XSS,
        doc_md=XSS,
        params={XSS: {"value": XSS, "schema": {}, "description": XSS}},
    )
    add_dag(store, dag, clock(), source=XSS)
    run = add_run(
        store, dag, clock(), states={XSS: TaskState.SUCCESS}, conf={XSS: XSS}, run_state=RunState.RUNNING
    )
    base = f"/dags/{url_part(XSS)}"
    for tab in (*TABS, "trigger"):
        answer = admin.get(f"{base}/{tab}")
        assert answer.status_code == 200, tab
        assert_escaped(answer.text, XSS)
    assert_escaped(admin.get(f"{base}/grid?partial=1&run_id={url_part(run.run_id)}").text, XSS)


def test_code_tab_needs_dag_code_read(store, viewer, clock) -> None:
    add_dag(store, simple_dag(), clock())
    assert viewer.get("/dags/etl/code").status_code == 200  # Viewer holds DAG Code read, as in Airflow
    assert 'data-testid="trigger"' not in viewer.get("/dags/etl/grid").text
