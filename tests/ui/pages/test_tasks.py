import re
from datetime import timedelta
from html import unescape

from brisa.secrets.service import SecretsService
from brisa.states import RunState, TaskState
from brisa.store.records import TaskKey
from brisa.ui.pages._common import task_url
from tests.ui.helpers import XSS, add_dag, add_run, assert_escaped, post_form, simple_dag


def seeded(store, clock, states=None, run_state=RunState.RUNNING) -> TaskKey:
    """DAG ``etl`` with one run; the key of its ``extract`` task instance."""
    dag = simple_dag()
    add_dag(store, dag, clock())
    run = add_run(store, dag, clock(), states=states or {"extract": TaskState.SUCCESS}, run_state=run_state)
    return TaskKey("etl", run.run_id, "extract")


def state_of(store, key: TaskKey) -> TaskState | None:
    with store.transaction(readonly=True) as tx:
        return tx.tis.require(key).state


def test_the_try_page_shows_log_rendered_fields_xcoms_and_actions(store, admin, clock) -> None:
    key = seeded(store, clock)
    with store.transaction() as tx:
        tx.logs.append(key, 1, ["[2026-01-02T03:04:05+00:00] {bash.py} INFO - hello there\n"], now=clock())
        tx.xcoms.set(key, "return_value", {"rows": 3}, now=clock())
        tx.xcoms.set(key, "db_password", "hunter22", now=clock())
    html = admin.get(task_url(*key)).text
    assert 'data-testid="task-id">extract<' in html and 'data-state="success"' in html
    assert "hello there" in html
    assert "echo extract" in html  # rendered template field
    assert "&#34;rows&#34;: 3" in html
    assert "hunter22" not in html and "***" in html  # a sensitive XCom key is masked
    assert 'data-testid="clear"' in html and 'data-testid="mark-success"' in html
    assert 'data-log-live="0"' in html  # a finished try's log is complete


def test_an_xcom_holding_a_connection_password_or_secret_variable_is_masked_on_the_page(
    store, settings, admin, clock
) -> None:
    secrets = SecretsService.from_settings(settings, store, {})
    secrets.set_connection({"conn_id": "warehouse", "conn_type": "postgres", "password": "pg-pass-123"})
    secrets.set_variable("slack_token", "xoxb-456789")
    key = seeded(store, clock)
    with store.transaction() as tx:
        value = {"dsn": "postgresql://etl:pg-pass-123@db/w", "header": "Bearer xoxb-456789", "rows": 3}
        tx.xcoms.set(key, "return_value", value, now=clock())
    html = admin.get(task_url(*key)).text
    assert "&#34;rows&#34;: 3" in html
    assert "pg-pass-123" not in html and "xoxb-456789" not in html
    assert "postgresql://etl:***@db/w" in html


def test_the_log_of_a_running_try_is_followed_with_its_token(store, admin, clock) -> None:
    key = seeded(store, clock, {"extract": TaskState.RUNNING})
    with store.transaction() as tx:
        tx.logs.append(key, 1, ["first line\n"], now=clock())
    html = admin.get(task_url(*key)).text
    assert 'data-log-live="1"' in html and "first line" in html
    url = unescape(re.search(r'data-log-url="([^"]+)"', html).group(1))
    token = unescape(re.search(r'data-log-token="([^"]+)"', html).group(1))
    with store.transaction() as tx:
        tx.logs.append(key, 1, ["second line\n"], now=clock())
    more = admin.get(url, params={"token": token}).json()
    assert more["lines"] == ["second line"] and more["finished"] is False


def test_log_lines_xcoms_and_rendered_fields_are_escaped(store, admin, clock) -> None:
    key = seeded(store, clock)
    with store.transaction() as tx:
        tx.logs.append(key, 1, [f"{XSS}\n"], now=clock())
        tx.xcoms.set(key, XSS, XSS, now=clock())
        tx.tis.update_fields(key, rendered_fields={XSS: XSS}, note=XSS)
    assert_escaped(admin.get(task_url(*key)).text, XSS)


def test_previous_tries_are_listed_and_shown(store, admin, clock) -> None:
    key = seeded(store, clock, {"extract": TaskState.RUNNING})
    with store.transaction() as tx:
        tx.tis.archive_try(
            tx.tis.require(key), state=TaskState.FAILED, end_date=clock() + timedelta(seconds=3)
        )
        tx.logs.append(key, 1, ["try one failed\n"], now=clock())
        tx.tis.update_fields(key, try_number=2)
        tx.logs.append(key, 2, ["try two runs\n"], now=clock())
    current = admin.get(task_url(*key)).text
    assert "Try 1" in current and "Try 2" in current and "try two runs" in current
    assert "try one failed" not in current
    first = admin.get(task_url(*key, try_number=1)).text
    assert "try one failed" in first and 'data-log-live="0"' in first
    assert admin.get(task_url(*key, try_number=7)).status_code == 404


def test_clear_with_downstream_and_mark(store, admin, clock) -> None:
    key = seeded(store, clock, {"extract": TaskState.SUCCESS, "transform": TaskState.FAILED})
    form = {"run_id": key.run_id, "task_id": "extract", "map_index": "-1", "downstream": "on"}
    answer = post_form(admin, "/dags/etl/task/clear", form)
    assert answer.status_code == 303 and answer.headers["location"] == task_url(*key)
    assert state_of(store, key) is None
    assert state_of(store, key._replace(task_id="transform")) is None
    mark = post_form(admin, "/dags/etl/task/mark", {**form, "state": "failed"})
    assert mark.status_code == 303 and state_of(store, key) == TaskState.FAILED
    with store.transaction(readonly=True) as tx:
        events = [r.event for r in tx.audit.list(dag_id="etl").items]
    assert events == ["patch_task_instance", "post_clear_task_instances"]


def test_mark_refuses_other_states(store, admin, clock) -> None:
    key = seeded(store, clock)
    answer = post_form(
        admin, "/dags/etl/task/mark", {"run_id": key.run_id, "task_id": "extract", "state": "zap"}
    )
    assert answer.status_code == 400
    assert state_of(store, key) == TaskState.SUCCESS


def test_viewer_sees_no_actions_and_cannot_post_them(store, viewer, clock) -> None:
    key = seeded(store, clock)
    html = viewer.get(task_url(*key)).text
    assert 'data-testid="task-actions"' not in html and "task/clear" not in html
    form = {"run_id": key.run_id, "task_id": "extract"}
    assert post_form(viewer, "/dags/etl/task/clear", form).status_code == 403
    assert post_form(viewer, "/dags/etl/task/mark", {**form, "state": "failed"}).status_code == 403
    assert state_of(store, key) == TaskState.SUCCESS


def test_actions_need_a_csrf_token(store, admin, clock) -> None:
    key = seeded(store, clock)
    form = {"run_id": key.run_id, "task_id": "extract", "state": "failed"}
    assert post_form(admin, "/dags/etl/task/mark", form, csrf=False).status_code == 403
    assert state_of(store, key) == TaskState.SUCCESS


def test_a_mapped_task_lists_its_instances(store, admin, clock) -> None:
    key = seeded(store, clock)
    with store.transaction() as tx:
        rows = [{"dag_id": "etl", "run_id": key.run_id, "task_id": "m", "map_index": i} for i in range(3)]
        tx.tis.create_many(rows, now=clock())
    listing = admin.get(task_url("etl", key.run_id, "m"))
    assert listing.status_code == 200 and "Mapped task" in listing.text
    assert listing.text.count("map_index=") == 3
    one = admin.get(task_url("etl", key.run_id, "m", 2))
    assert one.status_code == 200 and "[2]" in one.text
    assert admin.get(task_url("etl", key.run_id, "nope")).status_code == 404


def test_a_task_url_without_ids_is_a_400_page(store, admin, clock) -> None:
    seeded(store, clock)
    answer = admin.get("/dags/etl/task")
    assert answer.status_code == 400 and "run_id and task_id are required" in answer.text
    assert admin.get("/variables/edit").status_code == 404


def test_the_try_page_says_why_a_task_waits_for_a_pool_that_does_not_exist(store, admin, clock) -> None:
    from brisa.testing import with_task

    dag = with_task(simple_dag(), "extract", pool="gpu")
    add_dag(store, dag, clock())
    run = add_run(store, dag, clock(), states={"extract": TaskState.SCHEDULED}, run_state=RunState.RUNNING)
    key = TaskKey("etl", run.run_id, "extract")
    with store.transaction() as tx:
        tx.tis.update_fields(key, pool="gpu")
    html = unescape(admin.get(task_url(*key)).text)
    assert 'data-testid="failed-deps"' in html
    assert "pool 'gpu' does not exist" in html
    with store.transaction() as tx:
        tx.pools.set("gpu", 2, "")
    after = unescape(admin.get(task_url(*key)).text)
    assert "pool 'gpu'" not in after and "Task's DAG 'etl' is paused." in after  # add_dag pauses it


def test_a_sub_dag_operators_page_links_to_the_sub_dags_run(store, admin, clock) -> None:
    """Issue 15: SubDagOperator's task instance page leads to its child run's grid."""
    from dataclasses import replace

    dag = simple_dag()
    extract = replace(dag.tasks["extract"], operator="SubDagOperator", extra={"subdag_id": "etl.extract"})
    dag = replace(dag, tasks={**dag.tasks, "extract": extract})
    add_dag(store, dag, clock())
    run = add_run(store, dag, clock(), states={"extract": TaskState.RUNNING}, run_state=RunState.RUNNING)
    html = admin.get(task_url("etl", run.run_id, "extract")).text
    link = re.search(r'data-testid="subdag-run" href="([^"]+)"', html)
    assert link is not None
    assert unescape(link.group(1)).startswith("/dags/etl.extract")
    assert "run_id=" in link.group(1)
