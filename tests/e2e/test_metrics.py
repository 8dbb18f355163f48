"""Metrics during a real run: StatsD datagrams on a UDP listener and a Prometheus scrape,
from a real ``brisa scheduler`` (Airflow's metric names)."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from brisa.states import RunState

pytestmark = pytest.mark.slow

METRICS_DAG = """
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("e2e_metrics", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 0}):
    BashOperator(task_id="ok", bash_command="true") >> BashOperator(task_id="bad", bash_command="exit 1")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_statsd_and_prometheus_report_a_real_run(deployed):
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.setblocking(False)
    scrape_port = _free_port()
    deployed.write_dag("metrics.py", METRICS_DAG)
    deployed.start_scheduler(
        metrics__statsd_on="True",
        metrics__statsd_host="127.0.0.1",
        metrics__statsd_port=str(listener.getsockname()[1]),
        metrics__prometheus_port=str(scrape_port),
    )
    deployed.wait_for_dags("e2e_metrics")
    run_id = deployed.trigger("e2e_metrics")
    assert deployed.wait_for_run("e2e_metrics", run_id).state == RunState.FAILED
    wanted = {
        "airflow.scheduler_heartbeat:1|c",
        "airflow.ti.finish.e2e_metrics.ok.success:1|c",
        "airflow.ti.finish.e2e_metrics.bad.failed:1|c",
        "airflow.ti_successes:1|c",
        "airflow.ti_failures:1|c",
        "airflow.dag_processing.processes:1|c",
    }
    seen: set[str] = set()
    names: set[str] = set()
    deadline = time.monotonic() + 30
    while not (wanted <= seen and {"executor.open_slots", "dagrun.duration.failed.e2e_metrics"} <= names):
        assert time.monotonic() < deadline, f"missing {wanted - seen}; got {sorted(seen)[:40]}"
        try:
            line = listener.recv(4096).decode()
        except BlockingIOError:
            time.sleep(0.05)
            continue
        seen.add(line)
        names.add(line.removeprefix("airflow.").split(":")[0])
    listener.close()
    with urllib.request.urlopen(f"http://127.0.0.1:{scrape_port}/metrics", timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = answer.read().decode()
    assert "airflow_ti_successes_total 1\n" in text
    assert "airflow_ti_failures_total 1\n" in text
    assert "airflow_ti_finish_e2e_metrics_bad_failed_total 1\n" in text
    assert "# TYPE airflow_executor_open_slots gauge" in text
    assert "airflow_dagrun_duration_failed_e2e_metrics_seconds_count 1\n" in text
    assert "airflow_scheduler_heartbeat_total" in text
