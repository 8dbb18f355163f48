"""The CeleryExecutor's parts without a broker server: app settings, sending, polling, the worker."""

from __future__ import annotations

import ssl
import threading
import time

import pytest
from celery.exceptions import Reject
from kombu import Connection

from brisa.config import load_settings
from brisa.executors.celery import (
    TASK_NAME,
    WORKER_JOB_TYPE,
    CeleryExecutor,
    CeleryWorker,
    broker_ssl_options,
    install_task,
    make_celery_app,
    queue_for,
)
from brisa.executors.local import LocalExecutor
from brisa.runner.supervisor import claim_tries
from brisa.secrets.masking import SecretsMasker
from brisa.services.run_actions import ServiceActions
from brisa.states import TaskState
from brisa.store import migrate
from brisa.store.sql import Store
from tests.waiting import wait_until

from .helpers import FERNET_KEY, load_dag, queued_workloads, read_markers, utcnow, write_dag


def _settings(tmp_path, **env):
    return load_settings({"AIRFLOW__CORE__FERNET_KEY": FERNET_KEY, **env}, home=str(tmp_path))


@pytest.fixture
def file_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    yield store
    store.dispose()


# -- the app ----------------------------------------------------------------------------------
def test_app_acknowledges_late_and_reserves_one_message_per_slot(tmp_path):
    app = make_celery_app(_settings(tmp_path, AIRFLOW__CELERY__VISIBILITY_TIMEOUT="7200"))
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options == {"visibility_timeout": 7200}
    assert conf.task_default_queue == "default" and conf.task_ignore_result
    assert conf.accept_content == ["json"]


def test_heroku_redis_url_is_the_broker_with_its_self_signed_certificate_accepted(tmp_path):
    app = make_celery_app(_settings(tmp_path, REDIS_URL="rediss://:secret@ec2.example.com:6380"))
    assert app.conf.broker_url == "rediss://:secret@ec2.example.com:6380?ssl_cert_reqs=none"
    assert app.connection_for_write().ssl == {"ssl_cert_reqs": ssl.CERT_NONE}


def test_rabbitmq_url_from_airflow_variable(tmp_path):
    app = make_celery_app(_settings(tmp_path, AIRFLOW__CELERY__BROKER_URL="amqp://guest:guest@rabbit:5672//"))
    assert app.connection_for_write().transport_cls == "amqp"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "rediss://redis:6380/0",
            {
                "ssl_keyfile": "/k",
                "ssl_certfile": "/c",
                "ssl_ca_certs": "/ca",
                "ssl_cert_reqs": ssl.CERT_REQUIRED,
            },
        ),
        (
            "amqps://rabbit:5671//",
            {"keyfile": "/k", "certfile": "/c", "ca_certs": "/ca", "cert_reqs": ssl.CERT_REQUIRED},
        ),
    ],
)
def test_ssl_options_follow_the_transport(tmp_path, url, expected):
    settings = _settings(
        tmp_path,
        AIRFLOW__CELERY__BROKER_URL=url,
        AIRFLOW__CELERY__SSL_ACTIVE="True",
        AIRFLOW__CELERY__SSL_KEY="/k",
        AIRFLOW__CELERY__SSL_CERT="/c",
        AIRFLOW__CELERY__SSL_CACERT="/ca",
    )
    assert broker_ssl_options(settings) == expected
    assert make_celery_app(settings).conf.broker_use_ssl == expected


def test_no_ssl_options_unless_active(tmp_path):
    assert broker_ssl_options(_settings(tmp_path)) is None


def test_tasks_without_a_queue_go_to_the_configured_default_queue(memory_store, tmp_path):
    dag = load_dag(memory_store, write_dag(tmp_path, "q", tasks=2, queues={"t1": "gpu"}), utcnow())
    by_task = {w.key.task_id: w for w in queued_workloads(memory_store, dag, utcnow())}
    assert queue_for(by_task["t0"], "brisa") == "brisa"
    assert queue_for(by_task["t1"], "brisa") == "gpu"


# -- the scheduler side ----------------------------------------------------------------------------
def _memory_app(tmp_path):
    app = make_celery_app(_settings(tmp_path, AIRFLOW__CELERY__BROKER_URL="memory://"))
    app.conf.broker_url = f"memory://{tmp_path.name}"
    return app


def _drain(app, queue):
    with Connection(app.conf.broker_url) as conn, conn.SimpleQueue(queue) as q:
        messages = []
        while True:
            try:
                message = q.get(timeout=0.2)
            except q.Empty:
                return messages
            messages.append(message)
            message.ack()


def test_submit_sends_each_workload_to_its_tasks_queue(memory_store, tmp_path):
    dag = load_dag(memory_store, write_dag(tmp_path, "route", tasks=3, queues={"t2": "gpu"}), utcnow())
    workloads = queued_workloads(memory_store, dag, utcnow())
    app = _memory_app(tmp_path)
    executor = CeleryExecutor(app, memory_store, parallelism=8, default_queue="main")
    executor.submit(workloads)
    main = _drain(app, "main")
    gpu = _drain(app, "gpu")
    assert sorted(m.payload[0][0]["key"][2] for m in main) == ["t0", "t1"]
    assert [m.payload[0][0]["key"][2] for m in gpu] == ["t2"]
    assert {m.headers["task"] for m in main + gpu} == {TASK_NAME}
    assert executor.slots_free == 5


def test_poll_reports_tries_whose_rows_left_queued_and_running(memory_store, tmp_path):
    dag = load_dag(memory_store, write_dag(tmp_path, "poll", tasks=2), utcnow())
    workloads = queued_workloads(memory_store, dag, utcnow())
    executor = CeleryExecutor(_memory_app(tmp_path), memory_store, parallelism=4, check_seconds=0)
    executor.submit(workloads)
    assert executor.poll() == [] and executor.slots_free == 2
    done = workloads[0]
    with memory_store.transaction() as tx:
        tx.tis.compare_and_set(done.key, {TaskState.QUEUED}, TaskState.SUCCESS)
    events = executor.poll()
    assert [(e.key, e.try_number) for e in events] == [(done.key, done.try_number)]
    assert executor.slots_free == 3 and executor.poll() == []


def test_poll_returns_early_when_woken(memory_store, tmp_path):
    executor = CeleryExecutor(_memory_app(tmp_path), memory_store, parallelism=4)
    threading.Timer(0.1, executor.wake).start()
    started = time.monotonic()
    assert executor.poll(timeout=30) == []
    assert time.monotonic() - started < 10


def test_tries_the_broker_refused_go_back_to_scheduled_without_spending_an_attempt(memory_store, tmp_path):
    dag = load_dag(memory_store, write_dag(tmp_path, "down", tasks=2), utcnow())
    workloads = queued_workloads(memory_store, dag, utcnow())
    app = make_celery_app(_settings(tmp_path, AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:9/0"))
    executor = CeleryExecutor(app, memory_store, parallelism=4)
    executor.submit(workloads)
    with memory_store.transaction() as tx:
        rows = [tx.tis.require(w.key) for w in workloads]
    assert {(ti.state, ti.try_number) for ti in rows} == {(TaskState.SCHEDULED, 0)}
    assert executor.slots_free == 0  # backing off before trying the broker again
    assert executor.running_keys() == set()


# -- the worker side ----------------------------------------------------------------------------------
def _worker(store, *, hostname="w1@test", parallelism=4):
    executor = LocalExecutor(
        store,
        parallelism=parallelism,
        secrets=None,
        masker_factory=SecretsMasker,
        actions=ServiceActions(),
        hostname=hostname,
        heartbeat_seconds=0.2,
    )
    worker = CeleryWorker(store, executor, heartbeat_seconds=0.2, requeue_pause=0)
    worker.start_zygote()
    worker.start()
    return worker


@pytest.fixture
def marked_dag(file_store, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    path = write_dag(tmp_path / "dags", "marked", tasks=1, markers=markers, seconds=0.3)
    return load_dag(file_store, path, utcnow()), markers


def test_worker_runs_a_try_with_the_local_supervisor_and_its_own_job(file_store, marked_dag):
    dag, markers = marked_dag
    [workload] = queued_workloads(file_store, dag, utcnow())
    worker = _worker(file_store)
    try:
        assert worker.handle(workload.to_dict()) == "success"
    finally:
        worker.stop(5)
    with file_store.transaction(readonly=True) as tx:
        ti = tx.tis.require(workload.key)
        job = tx.jobs.get(worker.job_id)
        log, _ = tx.logs.read(workload.key, 1)
    assert ti.state == TaskState.SUCCESS and ti.hostname == "w1@test"
    assert ti.supervisor_job_id == worker.job_id
    assert job.job_type == WORKER_JOB_TYPE and job.state == "success"
    assert len(read_markers(markers)) == 1
    assert "Running <TaskInstance: marked.t0" in log  # the try's log, stored by its supervisor


def test_a_copy_of_a_message_for_a_try_claimed_elsewhere_is_dropped(file_store, marked_dag):
    dag, markers = marked_dag
    [workload] = queued_workloads(file_store, dag, utcnow())
    claim_tries(file_store, [workload], now=utcnow(), hostname="w2@test", job_id=None)  # another worker won
    worker = _worker(file_store)
    try:
        assert worker.run(workload).startswith("not started")
    finally:
        worker.stop(5)
    with file_store.transaction(readonly=True) as tx:
        ti = tx.tis.require(workload.key)
    assert (ti.state, ti.hostname) == (TaskState.RUNNING, "w2@test")
    assert read_markers(markers) == {}


def test_a_message_delivered_again_after_its_try_ended_is_dropped(file_store, marked_dag):
    dag, markers = marked_dag
    [workload] = queued_workloads(file_store, dag, utcnow())
    worker = _worker(file_store)
    try:
        assert worker.run(workload) == "success"
        assert worker.run(workload).startswith("not started")  # e.g. its ack was lost
    finally:
        worker.stop(5)
    [record] = read_markers(markers).values()
    assert len(record.starts) == 1


def test_a_second_delivery_to_the_same_worker_while_it_runs_is_dropped(file_store, marked_dag):
    dag, _ = marked_dag
    [workload] = queued_workloads(file_store, dag, utcnow())
    worker = _worker(file_store)
    try:
        thread = threading.Thread(target=worker.run, args=(workload,))
        thread.start()
        # The first delivery holds its place from before its submit until the try's end.
        token = (workload.key, workload.try_number)
        wait_until(lambda: token in worker._waiters, timeout=30, what="the first delivery to be taken")
        assert worker.run(workload) == "duplicate"
        thread.join(10)
    finally:
        worker.stop(5)


def test_a_stopping_worker_hands_messages_back_to_the_broker(file_store, marked_dag):
    dag, _ = marked_dag
    [workload] = queued_workloads(file_store, dag, utcnow())
    worker = _worker(file_store)
    worker.stop(5)
    with pytest.raises(Reject) as raised:
        worker.run(workload)
    assert raised.value.requeue
    with file_store.transaction(readonly=True) as tx:
        assert tx.tis.require(workload.key).state == TaskState.QUEUED


def test_stop_ends_tries_after_the_grace_period_and_puts_them_back_for_retry(file_store, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    path = write_dag(tmp_path / "dags", "long", tasks=1, markers=markers, seconds=60)
    dag = load_dag(file_store, path, utcnow())
    [workload] = queued_workloads(file_store, dag, utcnow())
    worker = _worker(file_store)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("state", worker.run(workload)))
    thread.start()
    wait_until(lambda: read_markers(markers), timeout=60, what="the task process to start its sleep")
    started = time.monotonic()
    worker.stop(grace=0.5)
    thread.join(10)
    assert time.monotonic() - started < 10
    assert result["state"] == TaskState.UP_FOR_RETRY
    with file_store.transaction(readonly=True) as tx:
        ti = tx.tis.require(workload.key)
        assert tx.jobs.get(worker.job_id).state == "success"
    assert ti.state == TaskState.UP_FOR_RETRY and ti.max_tries == workload.max_tries + 1


def test_a_worker_declared_dead_carries_on_under_a_new_job(file_store, marked_dag):
    worker = _worker(file_store)
    try:
        old = worker.job_id
        with file_store.transaction() as tx:
            tx.jobs.mark_failed(old, now=utcnow())
        wait_until(lambda: worker.job_id != old, timeout=30, what="the worker to start a new job")
        assert worker.executor.job_id == worker.job_id
    finally:
        worker.stop(5)
    with file_store.transaction(readonly=True) as tx:
        assert tx.jobs.get(old).state == "failed"
        assert tx.jobs.get(worker.job_id).job_type == WORKER_JOB_TYPE


def test_worker_heartbeats_its_job(file_store, marked_dag):
    worker = _worker(file_store)
    try:

        def heartbeat():
            with file_store.transaction(readonly=True) as tx:
                return tx.jobs.get(worker.job_id).latest_heartbeat

        first = heartbeat()
        wait_until(lambda: heartbeat() > first, timeout=30, what="a second heartbeat")
    finally:
        worker.stop(5)


def test_install_task_registers_the_worker_side_task(tmp_path, file_store):
    app = make_celery_app(_settings(tmp_path))

    class Recorder:
        def handle(self, payload):
            return f"ran {payload['x']}"

    install_task(app, Recorder())
    task = app.tasks[TASK_NAME]
    assert task.acks_late and task.reject_on_worker_lost and task.ignore_result
    assert task.run({"x": 1}) == "ran 1"


# -- selection and the worker command's helpers ------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CeleryExecutor", CeleryExecutor),
        ("airflow.providers.celery.executors.celery_executor.CeleryExecutor", CeleryExecutor),
        ("LocalExecutor", LocalExecutor),
    ],
)
def test_core_executor_selects_the_executor(tmp_path, memory_store, name, expected):
    from brisa.cli import wiring

    settings = _settings(tmp_path, AIRFLOW__CORE__EXECUTOR=name, AIRFLOW__CORE__PARALLELISM="7")
    executor = wiring.make_executor(settings, memory_store, secrets=None)
    assert type(executor) is expected and executor.parallelism == 7
    pool = wiring.process_pool_for(executor, settings)
    assert (pool is executor.pool) if expected is LocalExecutor else (pool is not None)


def test_worker_options_default_to_the_celery_settings(tmp_path):
    from brisa.cli.celery_cmd import concurrency_of, node_name, queue_list

    settings = _settings(
        tmp_path, AIRFLOW__CELERY__DEFAULT_QUEUE="main", AIRFLOW__CELERY__WORKER_CONCURRENCY="3"
    )
    assert queue_list(settings, None) == ["main"]
    assert queue_list(settings, "gpu, reports,") == ["gpu", "reports"]
    assert concurrency_of(settings, None) == 3 and concurrency_of(settings, 5) == 5
    assert node_name("w1@box") == "w1@box"
    assert node_name(None).startswith("celery@")
    assert node_name("w2@%h").split("@")[1] not in ("", "%h")
