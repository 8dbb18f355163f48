"""Airflow's own generated Python client (``apache-airflow-client``) against a real Brisa.

A ``brisa standalone`` process (API, scheduler and LocalExecutor) serves a DAGs folder
on SQLite; the tests drive it the way a user's script does: a JWT from ``POST
/auth/token``, then ``Configuration(host=..., access_token=...)`` and the generated API
classes. The client validates every answer strictly against its pydantic models
(required fields, enums, types), so any difference in shape from Airflow's fails here as
an exception. ``test_a_script_works_on_postgresql`` repeats a short journey on PostgreSQL.

What the client offers but Brisa does not serve (assets, backfills, HITL, DAG versions,
...) is listed in docs/api.md, "Tested with the official Python client".
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from airflow_client.client import ApiClient, Configuration
from airflow_client.client import api as airflow_api
from airflow_client.client import models as m
from airflow_client.client.exceptions import ConflictException, NotFoundException

from tests.e2e.deployment import Deployment, deployment

pytestmark = pytest.mark.slow

DAG_ID = "client_compat"
DAILY_DAG_ID = "client_compat_daily"
DAG_SOURCE = '''\
"""Three TaskFlow tasks: a list, a mapped task over it, and their total."""

import pendulum

from airflow.sdk import Param, dag, task


@dag(
    dag_id="client_compat",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    tags=["client", "compat"],
    params={"factor": Param(2, type="integer", minimum=1)},
)
def client_compat():
    @task
    def numbers() -> list[int]:
        print("making numbers")
        return [1, 2]

    @task
    def scale(x: int, params=None) -> int:
        return x * params["factor"]

    @task
    def total(values) -> int:
        print(f"total={sum(values)}")
        return sum(values)

    total(scale.expand(x=numbers()))


client_compat()
'''
DAILY_SOURCE = """\
import pendulum

from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("client_compat_daily", schedule="@daily", start_date=pendulum.datetime(2100, 1, 1, tz="UTC")):
    EmptyOperator(task_id="nothing")
"""
BROKEN_SOURCE = "from airflow.sdk import DAG\n\ndef broken(:\n"
FINISHED = {m.DagRunState.SUCCESS, m.DagRunState.FAILED}

T = TypeVar("T")


# --- the server -------------------------------------------------------------------------------


class Standalone:
    """A ``brisa standalone`` subprocess over a deployment, on a free local port."""

    def __init__(self, deployed: Deployment) -> None:
        self.deployed = deployed
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = deployed.home / "standalone.log"
        env = dict(deployed.env, BRISA__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="0.5")
        env.pop("PORT", None)
        command = [
            sys.executable,
            "-m",
            "brisa.cli",
            "standalone",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def wait_until_serving(self, timeout: float = 60) -> None:
        """Until the full app answers (``/version`` is not served by the starting app)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "brisa standalone exited:\n" + self.output()
            try:
                if httpx.get(f"{self.url}/api/v2/version", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("brisa standalone did not serve in time:\n" + self.output())

    def admin_password(self) -> str:
        """The password standalone made for ``admin`` at its first start."""
        return (self.deployed.home / "standalone_admin_password.txt").read_text().strip()

    def stop(self) -> None:
        """SIGTERM, as a platform stops it; then whatever is left of its process group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(root: Path, backend: str) -> Iterator[Standalone]:
    """A deployment on ``backend`` with the test DAGs, served by ``brisa standalone``."""
    with deployment(root, backend) as deployed:
        deployed.write_dag("client_compat.py", DAG_SOURCE)
        deployed.write_dag("client_compat_daily.py", DAILY_SOURCE)
        deployed.write_dag("client_compat_broken.py", BROKEN_SOURCE)
        server = Standalone(deployed)
        try:
            server.wait_until_serving()
            yield server
        finally:
            server.stop()


def login(server: Standalone) -> str:
    """A token as a script gets one: ``POST /auth/token`` (the client has no helper for it)."""
    answer = httpx.post(
        f"{server.url}/auth/token", json={"username": "admin", "password": server.admin_password()}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"]


@contextmanager
def airflow_client(server: Standalone) -> Iterator[ApiClient]:
    with ApiClient(Configuration(host=server.url, access_token=login(server))) as client:
        yield client


def eventually(
    read: Callable[[], T], done: Callable[[T], bool], server: Standalone, timeout: float = 60
) -> T:
    """``read()`` once ``done`` says so; fails with the server's output on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; last answer: {value!r}\n{server.output()}")
        time.sleep(0.2)


def wait_for_dags(client: ApiClient, server: Standalone) -> None:
    dags = airflow_api.DAGApi(client)
    eventually(
        lambda: {dag.dag_id for dag in dags.get_dags(dag_id_pattern="client_compat").dags},
        lambda found: found == {DAG_ID, DAILY_DAG_ID},
        server,
    )


def trigger_and_wait(client: ApiClient, server: Standalone, **body: Any) -> m.DAGRunResponse:
    runs = airflow_api.DagRunApi(client)
    run = runs.trigger_dag_run(DAG_ID, m.TriggerDAGRunPostBody(logical_date=None, **body))
    return wait_for_run(client, server, run.dag_run_id)


def wait_for_run(client: ApiClient, server: Standalone, run_id: str) -> m.DAGRunResponse:
    runs = airflow_api.DagRunApi(client)
    return eventually(lambda: runs.get_dag_run(DAG_ID, run_id), lambda run: run.state in FINISHED, server)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    with serving(tmp_path_factory.mktemp("client_compat"), "sqlite") as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Standalone) -> Iterator[ApiClient]:
    with airflow_client(server) as api_client:
        wait_for_dags(api_client, server)
        yield api_client


@pytest.fixture(scope="module")
def finished_run(client: ApiClient, server: Standalone) -> m.DAGRunResponse:
    """A run triggered with ``conf`` and no logical date, once it has succeeded."""
    run = trigger_and_wait(client, server, conf={"factor": 3}, note="from the client")
    assert run.state == m.DagRunState.SUCCESS, server.output()
    return run


# --- monitor, version, DAGs, tasks, sources ----------------------------------------------------


def test_health_and_version(client: ApiClient) -> None:
    health = airflow_api.MonitorApi(client).get_health()
    assert health.metadatabase.status == "healthy"
    assert health.scheduler.status == "healthy"
    version = airflow_api.VersionApi(client).get_version()
    assert version.version == "3.1.0"
    assert version.git_version.startswith("brisa ")


def test_dags_list_get_details_tags_and_pause(client: ApiClient) -> None:
    dags = airflow_api.DAGApi(client)
    listed = dags.get_dags(tags=["compat"], order_by=["dag_id"])
    assert ([dag.dag_id for dag in listed.dags], listed.total_entries) == ([DAG_ID], 1)
    dag = dags.get_dag(DAG_ID)
    assert sorted(tag.name for tag in dag.tags) == ["client", "compat"]
    assert (dag.is_paused, dag.timetable_periodic, dag.is_backfillable) == (False, False, False)
    assert dags.get_dag(DAILY_DAG_ID).is_backfillable is True
    details = dags.get_dag_details(DAG_ID)
    assert details.params["factor"]["value"] == 2
    assert details.fileloc.endswith("client_compat.py")
    assert {"client", "compat"} <= set(dags.get_dag_tags(tag_name_pattern="c").tags)

    paused = dags.patch_dag(DAG_ID, m.DAGPatchBody(is_paused=True))
    assert paused.is_paused is True
    assert [d.dag_id for d in dags.get_dags(paused=True).dags] == [DAG_ID]
    resumed = dags.patch_dag(DAG_ID, m.DAGPatchBody(is_paused=False), update_mask=["is_paused"])
    assert resumed.is_paused is False
    bulk = dags.patch_dags(m.DAGPatchBody(is_paused=True), dag_id_pattern=DAILY_DAG_ID)
    assert [(dag.dag_id, dag.is_paused) for dag in bulk.dags] == [(DAILY_DAG_ID, True)]


def test_tasks_and_dag_source(client: ApiClient) -> None:
    tasks = airflow_api.TaskApi(client)
    listed = tasks.get_tasks(DAG_ID)
    assert [task.task_id for task in listed.tasks] == ["numbers", "scale", "total"]
    scale = tasks.get_task(DAG_ID, "scale")
    assert (scale.is_mapped, scale.downstream_task_ids, scale.retry_exponential_backoff) == (
        True,
        ["total"],
        0,
    )
    source = airflow_api.DagSourceApi(client).get_dag_source(DAG_ID)
    assert (source.dag_id, "def client_compat():" in source.content) == (DAG_ID, True)


def test_import_errors(client: ApiClient, server: Standalone) -> None:
    errors = airflow_api.ImportErrorApi(client)
    (broken,) = eventually(
        lambda: [e for e in errors.get_import_errors().import_errors if e.filename.endswith("_broken.py")],
        bool,
        server,
    )
    assert "SyntaxError" in errors.get_import_error(broken.import_error_id).stack_trace


# --- runs, task instances, logs, XComs --------------------------------------------------------------


def test_a_triggered_run_and_its_task_instances(client: ApiClient, finished_run: m.DAGRunResponse) -> None:
    runs, tis = airflow_api.DagRunApi(client), airflow_api.TaskInstanceApi(client)
    run_id = finished_run.dag_run_id
    assert (finished_run.conf, finished_run.note, finished_run.run_type) == (
        {"factor": 3},
        "from the client",
        m.DagRunType.MANUAL,
    )
    assert run_id in [run.dag_run_id for run in runs.get_dag_runs(DAG_ID, state=["success"]).dag_runs]
    everywhere = runs.get_dag_runs("~", order_by=["-run_after"], limit=100)
    assert run_id in [run.dag_run_id for run in everywhere.dag_runs]
    batch = runs.get_list_dag_runs_batch(
        "~", m.DAGRunsBatchBody(dag_ids=[DAG_ID], states=[m.DagRunState.SUCCESS])
    )
    assert run_id in [run.dag_run_id for run in batch.dag_runs]

    listed = tis.get_task_instances(DAG_ID, run_id)
    assert sorted((ti.task_id, ti.map_index, ti.state) for ti in listed.task_instances) == [
        ("numbers", -1, m.TaskInstanceState.SUCCESS),
        ("scale", 0, m.TaskInstanceState.SUCCESS),
        ("scale", 1, m.TaskInstanceState.SUCCESS),
        ("total", -1, m.TaskInstanceState.SUCCESS),
    ]
    total = tis.get_task_instance(DAG_ID, run_id, "total")
    assert (total.try_number, total.operator_name) == (1, "@task")
    mapped = tis.get_mapped_task_instances(DAG_ID, run_id, "scale")
    assert [ti.map_index for ti in mapped.task_instances] == [0, 1]
    assert tis.get_mapped_task_instance(DAG_ID, run_id, "scale", 1).state == m.TaskInstanceState.SUCCESS
    (first_try,) = tis.get_task_instance_tries(DAG_ID, run_id, "numbers").task_instances
    assert first_try.try_number == 1
    assert (
        tis.get_task_instance_try_details(DAG_ID, run_id, "numbers", 1).state == m.TaskInstanceState.SUCCESS
    )
    (mapped_try,) = tis.get_mapped_task_instance_tries(DAG_ID, run_id, "scale", 1).task_instances
    assert mapped_try.map_index == 1
    body = m.TaskInstancesBatchBody(dag_ids=[DAG_ID], dag_run_ids=[run_id], task_ids=["scale"])
    assert tis.get_task_instances_batch("~", "~", body).total_entries == 2


def test_a_task_log(client: ApiClient, finished_run: m.DAGRunResponse) -> None:
    tis = airflow_api.TaskInstanceApi(client)
    log = tis.get_log(DAG_ID, finished_run.dag_run_id, "total", 1)
    events = [getattr(line, "event", line) for line in log.content.actual_instance]
    assert "total=9" in "\n".join(events)
    mapped = tis.get_log(DAG_ID, finished_run.dag_run_id, "scale", 1, map_index=0, full_content=True)
    assert mapped.content.actual_instance


def test_xcoms_read_create_and_update(client: ApiClient, finished_run: m.DAGRunResponse) -> None:
    xcoms = airflow_api.XComApi(client)
    run_id = finished_run.dag_run_id
    entries = xcoms.get_xcom_entries(DAG_ID, run_id, "~")
    assert sorted((x.task_id, x.map_index) for x in entries.xcom_entries) == [
        ("numbers", -1),
        ("scale", 0),
        ("scale", 1),
        ("total", -1),
    ]
    assert {x.run_after for x in entries.xcom_entries} == {finished_run.run_after}
    assert xcoms.get_xcom_entry(DAG_ID, "numbers", run_id, "return_value").actual_instance.value == [1, 2]
    scaled = xcoms.get_xcom_entry(DAG_ID, "scale", run_id, "return_value", map_index=1)
    assert scaled.actual_instance.value == 6
    text = xcoms.get_xcom_entry(DAG_ID, "total", run_id, "return_value", stringify=True)
    assert text.actual_instance.value == "9"

    created = xcoms.create_xcom_entry(
        DAG_ID, "total", run_id, m.XComCreateBody(key="checked", value={"ok": [1]})
    )
    assert (created.key, created.value) == ("checked", {"ok": [1]})
    with pytest.raises(ConflictException):
        xcoms.create_xcom_entry(DAG_ID, "total", run_id, m.XComCreateBody(key="checked", value=1))
    updated = xcoms.update_xcom_entry(DAG_ID, "total", run_id, "checked", m.XComUpdateBody(value="again"))
    assert updated.value == "again"


def test_mark_clear_and_delete_a_run(client: ApiClient, server: Standalone) -> None:
    runs, tis = airflow_api.DagRunApi(client), airflow_api.TaskInstanceApi(client)
    run_id = trigger_and_wait(client, server, dag_run_id="client_marks").dag_run_id

    marked = tis.patch_task_instance(DAG_ID, run_id, "total", m.PatchTaskInstanceBody(new_state="failed"))
    assert [ti.state for ti in marked.task_instances] == [m.TaskInstanceState.FAILED]
    noted = tis.patch_task_instance(
        DAG_ID, run_id, "total", m.PatchTaskInstanceBody(note="by hand"), update_mask=["note"]
    )
    assert noted.task_instances[0].note == "by hand"
    one = tis.patch_task_instance_by_map_index(
        DAG_ID, run_id, "scale", 1, m.PatchTaskInstanceBody(note="second"), update_mask=["note"]
    )
    assert [(ti.map_index, ti.note) for ti in one.task_instances] == [(1, "second")]
    dry = tis.patch_task_instance_dry_run(
        DAG_ID, run_id, "total", m.PatchTaskInstanceBody(new_state="success")
    )
    assert [ti.task_id for ti in dry.task_instances] == ["total"]

    clear = {"dag_run_id": run_id, "task_ids": ["total"]}
    preview = tis.post_clear_task_instances(DAG_ID, m.ClearTaskInstancesBody.from_dict(clear))
    assert [(ti.task_id, ti.state) for ti in preview.task_instances] == [
        ("total", m.TaskInstanceState.FAILED)
    ]
    body = m.ClearTaskInstancesBody.from_dict(clear | {"dry_run": False, "note": "rerun"})
    cleared = tis.post_clear_task_instances(DAG_ID, body)
    assert [(ti.task_id, ti.note) for ti in cleared.task_instances] == [("total", "rerun")]
    assert wait_for_run(client, server, run_id).state == m.DagRunState.SUCCESS
    assert tis.get_task_instance(DAG_ID, run_id, "total").try_number == 2

    # The client cannot read a dry run that lists task instances, from Airflow either: its
    # ``TaskInstancesInner`` is a oneOf in which a TaskInstanceResponse also fits NewTaskResponse.
    raw = runs.clear_dag_run_without_preload_content(DAG_ID, run_id, m.DAGRunClearBody(dry_run=True))
    listed = [m.TaskInstanceResponse.from_dict(ti) for ti in raw.json()["task_instances"]]
    assert sorted(ti.task_id for ti in listed) == ["numbers", "scale", "scale", "total"]
    nothing_new = runs.clear_dag_run(DAG_ID, run_id, m.DAGRunClearBody(dry_run=True, only_new=True))
    assert nothing_new.actual_instance.total_entries == 0
    queued = runs.clear_dag_run(DAG_ID, run_id, m.DAGRunClearBody(dry_run=False, only_failed=False))
    assert queued.actual_instance.state == m.DagRunState.QUEUED
    assert wait_for_run(client, server, run_id).state == m.DagRunState.SUCCESS

    failed = runs.patch_dag_run(DAG_ID, run_id, m.DAGRunPatchBody(state="failed", note="checked"))
    assert (failed.state, failed.note) == (m.DagRunState.FAILED, "checked")
    runs.delete_dag_run(DAG_ID, run_id)
    with pytest.raises(NotFoundException):
        runs.get_dag_run(DAG_ID, run_id)


def test_dag_stats_and_event_logs(client: ApiClient, finished_run: m.DAGRunResponse) -> None:
    (stats,) = airflow_api.DagStatsApi(client).get_dag_stats(dag_ids=[DAG_ID]).dags
    counts = {stat.state: stat.count for stat in stats.stats}
    assert counts[m.DagRunState.SUCCESS] >= 1
    events = airflow_api.EventLogApi(client)
    triggers = events.get_event_logs(event="trigger_dag_run", dag_id=DAG_ID, order_by=["-event_log_id"])
    assert finished_run.dag_run_id in [event.run_id for event in triggers.event_logs]
    first = triggers.event_logs[-1]
    assert events.get_event_log(first.event_log_id).owner == "admin"


# --- variables, connections, pools -------------------------------------------------------------------


def test_variables_crud_and_bulk(client: ApiClient) -> None:
    variables = airflow_api.VariableApi(client)
    created = variables.post_variable(m.VariableBody(key="cc_region", value="eu", description="where"))
    assert (created.key, created.value, created.description) == ("cc_region", "eu", "where")
    assert variables.get_variable("cc_region").value == "eu"
    assert [v.key for v in variables.get_variables(variable_key_pattern="cc_").variables] == ["cc_region"]
    patched = variables.patch_variable(
        "cc_region", m.VariableBody(key="cc_region", value="us"), update_mask=["value"]
    )
    assert (patched.value, patched.description) == ("us", "where")

    # ``from_dict`` picks the generated oneOf wrappers (ActionsInner<n>, whose numbers change
    # between client releases) as a script would rather not name them.
    bulk = m.BulkBodyVariableBody.from_dict(
        {
            "actions": [
                {
                    "action": "create",
                    "entities": [{"key": "cc_a", "value": "1"}, {"key": "cc_b", "value": "2"}],
                },
                {"action": "update", "entities": [{"key": "cc_a", "value": "10"}]},
                {"action": "delete", "entities": ["cc_b"]},
            ]
        }
    )
    result = variables.bulk_variables(bulk)
    assert (result.create.success, result.update.success, result.delete.success) == (
        ["cc_a", "cc_b"],
        ["cc_a"],
        ["cc_b"],
    )
    assert variables.get_variable("cc_a").value == "10"
    existing = {
        "action": "create",
        "entities": [{"key": "cc_a", "value": "x"}],
        "action_on_existence": "fail",
    }
    refused = variables.bulk_variables(m.BulkBodyVariableBody.from_dict({"actions": [existing]}))
    assert refused.create.errors[0]["status_code"] == 409
    variables.delete_variable("cc_a")
    variables.delete_variable("cc_region")
    with pytest.raises(NotFoundException):
        variables.get_variable("cc_region")


def test_connections_crud_and_bulk(client: ApiClient) -> None:
    connections = airflow_api.ConnectionApi(client)
    body = m.ConnectionBody(
        connection_id="cc_http",
        conn_type="http",
        host="example.com",
        port=443,
        login="me",
        password="s3cret",
        extra='{"timeout": 5}',
    )
    created = connections.post_connection(body)
    assert (created.host, created.password, created.extra) == ("example.com", "***", '{"timeout": 5}')
    assert connections.get_connection("cc_http").login == "me"
    assert [
        c.connection_id for c in connections.get_connections(connection_id_pattern="cc_").connections
    ] == ["cc_http"]
    patched = connections.patch_connection(
        "cc_http", m.ConnectionBody(connection_id="cc_http", conn_type="http", host="other.example.com")
    )
    assert (patched.host, patched.port) == ("other.example.com", 443)

    actions = [
        {"action": "create", "entities": [{"connection_id": "cc_db", "conn_type": "postgres", "host": "db"}]},
        {"action": "update", "entities": [{"connection_id": "cc_db", "conn_type": "postgres", "port": 5432}]},
        {"action": "delete", "entities": ["cc_db"]},
    ]
    result = connections.bulk_connections(m.BulkBodyConnectionBody.from_dict({"actions": actions}))
    assert (result.create.success, result.update.success, result.delete.success) == (
        ["cc_db"],
        ["cc_db"],
        ["cc_db"],
    )
    connections.delete_connection("cc_http")
    with pytest.raises(NotFoundException):
        connections.get_connection("cc_http")


def test_pools_crud(client: ApiClient) -> None:
    pools = airflow_api.PoolApi(client)
    created = pools.post_pool(m.PoolBody(name="cc_pool", slots=3, description="for the client"))
    assert (created.slots, created.open_slots, created.include_deferred) == (3, 3, False)
    assert pools.get_pool("cc_pool").description == "for the client"
    assert {"default_pool", "cc_pool"} <= {pool.name for pool in pools.get_pools().pools}
    assert pools.patch_pool("cc_pool", m.PoolPatchBody(slots=5), update_mask=["slots"]).slots == 5
    assert pools.patch_pool("cc_pool", m.PoolPatchBody(description="resized")).description == "resized"
    pools.delete_pool("cc_pool")
    with pytest.raises(NotFoundException):
        pools.get_pool("cc_pool")


# --- PostgreSQL ------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_script_works_on_postgresql(tmp_path: Path) -> None:
    with serving(tmp_path, "postgres") as server, airflow_client(server) as client:
        wait_for_dags(client, server)
        run = trigger_and_wait(client, server, conf={"factor": 5})
        assert run.state == m.DagRunState.SUCCESS, server.output()
        tis = airflow_api.TaskInstanceApi(client).get_task_instances(DAG_ID, run.dag_run_id)
        assert {ti.state for ti in tis.task_instances} == {m.TaskInstanceState.SUCCESS}
        xcom = airflow_api.XComApi(client).get_xcom_entry(DAG_ID, "total", run.dag_run_id, "return_value")
        assert xcom.actual_instance.value == 15
        variables = airflow_api.VariableApi(client)
        variables.post_variable(m.VariableBody(key="cc_pg", value="yes"))
        assert variables.get_variable("cc_pg").value == "yes"
        dags = airflow_api.DAGApi(client).get_dags(dag_id_pattern=DAG_ID).dags
        assert [dag.dag_id for dag in dags] == [DAG_ID, DAILY_DAG_ID]
