"""``/pools``: the slots tries hold, and creating, editing and deleting pools."""

from html import unescape

from brisa.states import RunState, TaskState
from brisa.testing import with_task
from tests.ui.helpers import XSS, add_dag, add_run, assert_escaped, post_form, simple_dag


def _pool(store, name):
    with store.transaction(readonly=True) as tx:
        return tx.pools.get(name)


def _row(html, name):
    start = html.index(f'data-pool="{name}"')
    return html[start : html.index("</tr>", start)]


def test_the_list_shows_slots_used_queued_and_scheduled(store, admin, clock) -> None:
    dag = simple_dag()
    for task_id in dag.tasks:
        dag = with_task(dag, task_id, pool="etl")
    with store.transaction() as tx:
        tx.pools.set("etl", 4, "ETL jobs")
    add_dag(store, dag, clock())
    states = {"extract": TaskState.RUNNING, "transform": TaskState.QUEUED, "load": TaskState.SCHEDULED}
    run = add_run(store, dag, clock(), states=states, run_state=RunState.RUNNING)
    with store.transaction() as tx:
        for ti in tx.tis.for_run("etl", run.run_id):
            tx.tis.update_fields(ti.key, pool="etl")
    html = admin.get("/pools").text
    row = _row(html, "etl")
    assert 'data-testid="running">1<' in row and 'data-testid="queued">1<' in row
    assert 'data-testid="scheduled">1<' in row and "ETL jobs" in row
    assert ">2</td>" in row  # open slots: 4 - running - queued
    assert 'href="/pools"' in html  # in the navigation


def test_create_edit_and_delete(store, admin) -> None:
    created = post_form(admin, "/pools/new", {"name": "gpu", "slots": "2", "description": "cards"})
    assert created.status_code == 303 and created.headers["location"] == "/pools"
    assert (_pool(store, "gpu").slots, _pool(store, "gpu").description) == (2, "cards")
    assert 'value="2"' in admin.get("/pools/edit?name=gpu").text
    post_form(admin, "/pools/edit", {"name": "gpu", "slots": "-1", "description": ""})
    assert (_pool(store, "gpu").slots, _pool(store, "gpu").description) == (-1, None)
    assert "unlimited" in _row(admin.get("/pools").text, "gpu")
    assert post_form(admin, "/pools/delete", {"name": "gpu"}).status_code == 303
    assert _pool(store, "gpu") is None


def test_bad_input_is_refused_with_the_form_kept(store, admin) -> None:
    post_form(admin, "/pools/new", {"name": "p", "slots": "1"})
    again = post_form(admin, "/pools/new", {"name": "p", "slots": "3"})
    assert again.status_code == 400 and "already exists" in again.text and 'value="3"' in again.text
    assert _pool(store, "p").slots == 1
    negative = post_form(admin, "/pools/new", {"name": "q", "slots": "-7"})
    assert negative.status_code == 400 and "-1 (unlimited) or more" in unescape(negative.text)
    words = post_form(admin, "/pools/new", {"name": "q", "slots": "many"})
    assert words.status_code == 400 and _pool(store, "q") is None


def test_the_default_pool_cannot_be_deleted_from_the_page(admin) -> None:
    assert 'name="name" value="default_pool"' not in admin.get("/pools").text


def test_a_viewer_sees_pools_but_cannot_change_them(store, viewer) -> None:
    html = viewer.get("/pools").text
    assert "default_pool" in html and "/pools/new" not in html and "/pools/delete" not in html
    assert post_form(viewer, "/pools/new", {"name": "x", "slots": "1"}).status_code == 403
    assert _pool(store, "x") is None


def test_descriptions_are_escaped(admin) -> None:
    post_form(admin, "/pools/new", {"name": "x", "slots": "1", "description": XSS})
    assert_escaped(admin.get("/pools").text, XSS)
