"""Real ``brisa scheduler`` and ``brisa celery worker`` processes on PostgreSQL with Redis or RabbitMQ."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kombu import Connection

from brisa.services.runs import trigger_run
from brisa.states import RunState, TaskState
from brisa.store.sql import Store

from .helpers import (
    Processes,
    assert_no_overlap,
    fresh_pg_database,
    read_markers,
    utcnow,
    wait_for,
    wait_until_dead,
    write_dag,
)

PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BRISA_TEST_REDIS", "redis://127.0.0.1:6379/0")
AMQP_URL = os.environ.get("BRISA_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = {
    "redis": pytest.param(REDIS_URL, marks=pytest.mark.redis, id="redis"),
    "rabbitmq": pytest.param(AMQP_URL, marks=pytest.mark.rabbitmq, id="rabbitmq"),
}

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


class Cluster:
    """A home with a DAG folder and markers, one database, unique queue names on one broker."""

    def __init__(self, home: Path, database: str, broker: str, **options: str) -> None:
        self.dags = home / "dags"
        self.markers = home / "markers"
        self.dags.mkdir()
        self.markers.mkdir()
        self.prefix = f"brisa-test-{uuid.uuid4().hex[:8]}"
        self.broker = broker
        self.store = Store(database)
        self.processes = Processes.configure(
            home,
            database=database,
            dags=self.dags,
            core__executor="CeleryExecutor",
            core__parallelism="32",
            celery__broker_url=broker,
            celery__default_queue=self.queue("default"),
            scheduler__task_heartbeat_sec="1",
            scheduler__task_instance_heartbeat_timeout="30",
            **options,
        )

    def queue(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def dag(self, dag_id: str) -> object:
        def parsed() -> object:
            with self.store.transaction(readonly=True) as tx:
                return tx.dags.serialized(dag_id)

        return wait_for(parsed, timeout=60, what=f"{dag_id} parsed", processes=self.processes)

    def trigger(self, dag_id: str, count: int = 1) -> list[str]:
        dag = self.dag(dag_id)
        run_ids = []
        with self.store.transaction() as tx:
            for _ in range(count):
                run_ids.append(trigger_run(tx, dag, now=utcnow()).run_id)
        return run_ids

    def wait_finished(self, dag_id: str, run_ids: list[str], timeout: float) -> None:
        def finished() -> bool:
            with self.store.transaction(readonly=True) as tx:
                runs = [tx.runs.require(dag_id, run_id) for run_id in run_ids]
            return all(run.state.is_finished for run in runs)

        wait_for(finished, timeout=timeout, what=f"{len(run_ids)} runs of {dag_id}", processes=self.processes)

    def tis(self, dag_id: str) -> list:
        with self.store.transaction(readonly=True) as tx:
            return tx.tis.list(dag_id=dag_id).items

    def tries(self, dag_id: str) -> list:
        with self.store.transaction(readonly=True) as tx:
            return [t for ti in tx.tis.list(dag_id=dag_id).items for t in tx.tis.tries(ti.key)]

    def running_on(self, dag_id: str, worker: str) -> list:
        return [
            ti
            for ti in self.tis(dag_id)
            if ti.state == TaskState.RUNNING and (ti.hostname or "").startswith(f"{worker}@")
        ]

    def close(self) -> None:
        self.processes.stop_all()
        self.store.dispose()
        if self.broker.startswith("amqp"):
            _delete_queues(self.broker, self.prefix)


def _delete_queues(broker: str, prefix: str) -> None:
    with Connection(broker) as conn:
        channel = conn.channel()
        for name in ("default", "alpha", "beta"):
            try:
                channel.queue_delete(f"{prefix}-{name}")
            except Exception:  # the queue was never declared
                channel = conn.channel()


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_pg_database(PG_ADMIN_URL) as url:
        yield url


@pytest.fixture
def make_cluster(tmp_path, database):
    made: list[Cluster] = []

    def make(broker: str = REDIS_URL, **options: str) -> Cluster:
        cluster = Cluster(tmp_path, database, broker, **options)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()


@pytest.mark.redis
def test_a_thousand_tries_on_two_workers_all_succeed_once(make_cluster):
    cluster = make_cluster()
    write_dag(cluster.dags, "wide", tasks=100)
    cluster.processes.worker("w1", concurrency=8)
    cluster.processes.worker("w2", concurrency=8)
    cluster.processes.scheduler("s1")
    run_ids = cluster.trigger("wide", count=10)
    cluster.wait_finished("wide", run_ids, timeout=300)
    tis = cluster.tis("wide")
    assert len(tis) == 1000 and {ti.state for ti in tis} == {TaskState.SUCCESS}
    assert {ti.hostname.split("@")[0] for ti in tis} == {"w1", "w2"}
    tries = cluster.tries("wide")
    assert len(tries) == 1000 and {t.try_number for t in tries} == {1}
    with cluster.store.transaction(readonly=True) as tx:
        assert {tx.runs.require("wide", r).state for r in run_ids} == {RunState.SUCCESS}


@pytest.mark.parametrize("broker", BROKERS.values())
def test_queues_route_tries_to_the_workers_that_take_them(make_cluster, broker):
    cluster = make_cluster(broker)
    queues = {"t0": cluster.queue("alpha"), "t1": cluster.queue("alpha"), "t2": cluster.queue("beta")}
    write_dag(cluster.dags, "routed", tasks=4, queues=queues)
    cluster.processes.worker("wa", queues=cluster.queue("alpha"))
    cluster.processes.worker("wb", queues=f"{cluster.queue('beta')},{cluster.queue('default')}")
    cluster.processes.scheduler("s1")
    run_ids = cluster.trigger("routed")
    cluster.wait_finished("routed", run_ids, timeout=120)
    hosts = {ti.task_id: (ti.state, ti.hostname.split("@")[0]) for ti in cluster.tis("routed")}
    assert hosts == {
        "t0": (TaskState.SUCCESS, "wa"),
        "t1": (TaskState.SUCCESS, "wa"),
        "t2": (TaskState.SUCCESS, "wb"),
        "t3": (TaskState.SUCCESS, "wb"),  # no queue: [celery] default_queue
    }


@pytest.mark.parametrize("broker", BROKERS.values())
def test_a_worker_killed_mid_run_loses_no_try_and_none_runs_twice_at_once(make_cluster, broker):
    cluster = make_cluster(broker)
    write_dag(
        cluster.dags,
        "sleepy",
        tasks=16,
        markers=cluster.markers,
        seconds=3,
        task_args="retries=2, retry_delay=timedelta(seconds=1)",
    )
    cluster.processes.worker("w1")
    cluster.processes.worker("w2")
    cluster.processes.scheduler("s1")
    run_ids = cluster.trigger("sleepy")
    wait_for(lambda: len(cluster.running_on("sleepy", "w1")) >= 2, timeout=60, what="tries running on w1")

    def in_their_sleep() -> bool:
        on_w1 = {ti.task_id for ti in cluster.running_on("sleepy", "w1")}
        begun = {
            task_id for (_, task_id, _), record in read_markers(cluster.markers).items() if record.starts
        }
        return bool(on_w1) and on_w1 <= begun

    # The task processes on w1 are in their sleep, so the kill cuts their tries short, mid-run.
    wait_for(
        in_their_sleep,
        timeout=60,
        what="the tries on w1 to start their task code",
        processes=cluster.processes,
    )
    killed = {ti.task_id for ti in cluster.running_on("sleepy", "w1")}
    cluster.processes.kill("w1")
    started = read_markers(cluster.markers)
    orphans = [pid for r in started.values() if not r.ends for pid in r.pids]
    gone_at = wait_until_dead(orphans)
    cluster.wait_finished("sleepy", run_ids, timeout=180)

    tis = {ti.task_id: ti for ti in cluster.tis("sleepy")}
    assert {ti.state for ti in tis.values()} == {TaskState.SUCCESS}
    assert all(tis[t].try_number == 2 and tis[t].hostname.startswith("w2@") for t in killed)
    tries = read_markers(cluster.markers)
    assert_no_overlap(tries, killed_end=gone_at)
    cut_short = {(r.task_id, r.try_number) for r in tries.values() if not r.ends}
    assert cut_short and cut_short <= {(t, 1) for t in killed}  # tries really were killed mid-run
    with cluster.store.transaction(readonly=True) as tx:
        history = {(t.task_id, t.try_number): t.state for ti in tis.values() for t in tx.tis.tries(ti.key)}
        workers = [j for j in tx.jobs.running() if j.job_type == "celery_worker"]
    assert {history[(t, 1)] for t in killed} == {TaskState.UP_FOR_RETRY}
    assert len(workers) == 1  # w1's job was declared dead


@pytest.mark.redis
def test_sigterm_lets_short_tries_finish_and_puts_long_ones_back_for_retry(make_cluster):
    cluster = make_cluster(scheduler__graceful_shutdown_timeout="4")
    write_dag(
        cluster.dags,
        "mixed",
        tasks=4,
        markers=cluster.markers,
        seconds={"t0": 1, "t1": 1, "t2": 60, "t3": 60},
        task_args="retries=0",
    )
    w1 = cluster.processes.worker("w1")
    cluster.processes.scheduler("s1")
    cluster.trigger("mixed")
    wait_for(lambda: len(cluster.running_on("mixed", "w1")) == 4, timeout=60, what="4 tries running on w1")
    stopping = time.monotonic()
    assert cluster.processes.terminate("w1", timeout=60) == 0
    stopped_at = time.time()
    assert time.monotonic() - stopping < 30

    tis = {ti.task_id: ti for ti in cluster.tis("mixed")}
    assert {t: (tis[t].state, tis[t].try_number) for t in ("t0", "t1")} == {
        "t0": (TaskState.SUCCESS, 1),
        "t1": (TaskState.SUCCESS, 1),
    }
    with cluster.store.transaction(readonly=True) as tx:
        ended = {t: tx.tis.tries(tis[t].key) for t in ("t2", "t3")}
        job = tx.jobs.latest("celery_worker")
    for long, tries in ended.items():  # ended after the grace period: retried, and that try does not count
        assert [(t.try_number, t.state) for t in tries] == [(1, TaskState.UP_FOR_RETRY)]
        assert tis[long].max_tries == 1
    assert (job.pid, job.state) == (w1.pid, "success")  # a clean stop, not a dead worker
    cluster.processes.worker("w2")
    wait_for(
        lambda: (
            {(ti.task_id, ti.try_number) for ti in cluster.running_on("mixed", "w2")}
            == {("t2", 2), ("t3", 2)}
        ),
        timeout=60,
        what="the ended tries running again on w2",
    )
    assert_no_overlap(read_markers(cluster.markers), killed_end=stopped_at)
