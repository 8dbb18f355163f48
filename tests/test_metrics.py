"""brisa/metrics.py: StatsD lines on a real UDP socket, Prometheus' text format."""

from __future__ import annotations

import socket

import pytest

from brisa.metrics import Fanout, NullMetrics, PrometheusRegistry, StatsdClient, prometheus_name, statsd_name


@pytest.fixture
def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def test_statsd_lines_are_airflows_with_the_prefix(listener):
    client = StatsdClient("127.0.0.1", listener.getsockname()[1], prefix="airflow")
    client.incr("ti.finish.etl.load.success")
    client.gauge("executor.open_slots", 7)
    client.timing("dagrun.duration.success.etl", 1.25)
    client.incr("ti.finish.my:dag.t|x.failed")
    lines = [listener.recv(1024).decode() for _ in range(4)]
    assert lines == [
        "airflow.ti.finish.etl.load.success:1|c",
        "airflow.executor.open_slots:7|g",
        "airflow.dagrun.duration.success.etl:1250|ms",
        "airflow.ti.finish.my_dag.t_x.failed:1|c",
    ]
    client.close()


def test_a_statsd_client_with_nobody_listening_never_raises():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = StatsdClient("127.0.0.1", port)
    for _ in range(100):
        client.incr("scheduler_heartbeat")
    client.close()


def test_prometheus_exposition_has_counters_gauges_and_summaries():
    registry = PrometheusRegistry(prefix="airflow")
    registry.incr("ti_successes")
    registry.incr("ti_successes", 2)
    registry.gauge("pool.open_slots.default_pool", 126)
    registry.timing("scheduler.scheduler_loop_duration", 0.5)
    registry.timing("scheduler.scheduler_loop_duration", 0.25)
    text = registry.exposition()
    assert "# TYPE airflow_ti_successes_total counter\nairflow_ti_successes_total 3\n" in text
    assert (
        "# TYPE airflow_pool_open_slots_default_pool gauge\nairflow_pool_open_slots_default_pool 126\n"
        in text
    )
    assert "airflow_scheduler_scheduler_loop_duration_seconds_count 2\n" in text
    assert "airflow_scheduler_scheduler_loop_duration_seconds_sum 0.75\n" in text


def test_fanout_and_null_metrics():
    first, second = PrometheusRegistry(), PrometheusRegistry()
    both = Fanout([first, second, NullMetrics()])
    both.incr("x")
    assert first.exposition() == second.exposition()
    assert "airflow_x_total 1" in first.exposition()


def test_names_are_made_valid_for_each_format():
    assert statsd_name("dag:with|odd@chars") == "dag_with_odd_chars"
    assert prometheus_name("airflow_pool.open-slots.9x") == "airflow_pool_open_slots_9x"
    assert prometheus_name("9lives") == "_9lives"


def test_the_grafana_dashboard_in_the_docs_reads_figures_brisa_exposes():
    import json
    import re
    from pathlib import Path

    dashboard = json.loads((Path(__file__).parents[1] / "docs" / "grafana-dashboard.json").read_text())
    registry = PrometheusRegistry(prefix="airflow")
    for name in (
        "ti_successes",
        "ti_failures",
        "scheduler_heartbeat",
        "dag_processing.processes",
        "dag_processing.import_errors",
    ):
        registry.incr(name)
    for name in ("executor.open_slots", "executor.running_tasks", "pool.open_slots.default_pool"):
        registry.gauge(name, 1)
    registry.timing("scheduler.scheduler_loop_duration", 0.1)
    exposed = set(re.findall(r"^([a-z_]+)(?: |$)", registry.exposition(), re.MULTILINE))
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for metric in re.findall(r"\bairflow_[a-z_]+", target["expr"]):
                assert metric in exposed, f"{panel['title']}: {metric} is not a figure Brisa exposes"
