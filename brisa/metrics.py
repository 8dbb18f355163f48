"""Metrics under Airflow's StatsD names, sent over UDP and/or kept for a Prometheus scrape.

The scheduler reports what Airflow's does (``scheduler_heartbeat``, ``ti.finish.<dag>.<task>.
<state>``, ``dagrun.duration.<state>.<dag>``, ``executor.open_slots``, ``pool.open_slots.
<pool>``, ``dag_processing.*``...), so dashboards and alerts built for Airflow's StatsD
keep working. :class:`PrometheusRegistry` keeps the same figures for ``/metrics``: each
StatsD name becomes a Prometheus name (prefix, dots to underscores), counters get
``_total``, timers are summaries in seconds (``_count`` and ``_sum``).

``Metrics`` is the narrow interface the scheduler is given; :class:`NullMetrics` when
metrics are off. Nothing here reads configuration: :func:`metrics_from_settings` does, at
the edge.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterable
from typing import Any, Protocol


class Metrics(Protocol):
    def incr(self, name: str, count: int = 1) -> None: ...

    def gauge(self, name: str, value: float) -> None: ...

    def timing(self, name: str, seconds: float) -> None: ...


class NullMetrics:
    def incr(self, name: str, count: int = 1) -> None:
        """Metrics are off."""

    def gauge(self, name: str, value: float) -> None:
        """Metrics are off."""

    def timing(self, name: str, seconds: float) -> None:
        """Metrics are off."""


class StatsdClient:
    """Plain StatsD over UDP (``prefix.name:1|c``, ``|g``, ``|ms``); a lost datagram is
    lost, as with any StatsD client: sending never blocks nor fails the scheduler."""

    def __init__(self, host: str, port: int, prefix: str = "airflow") -> None:
        self.address = (host, port)
        self.prefix = f"{prefix}." if prefix else ""
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def _send(self, line: str) -> None:
        try:
            self._socket.sendto(f"{self.prefix}{line}".encode(), self.address)
        except OSError:
            pass  # no listener, a full buffer: metrics never stop the work

    def incr(self, name: str, count: int = 1) -> None:
        self._send(f"{statsd_name(name)}:{count}|c")

    def gauge(self, name: str, value: float) -> None:
        self._send(f"{statsd_name(name)}:{_number(value)}|g")

    def timing(self, name: str, seconds: float) -> None:
        self._send(f"{statsd_name(name)}:{_number(seconds * 1000)}|ms")

    def close(self) -> None:
        self._socket.close()


class PrometheusRegistry:
    """The same figures, kept in this process for ``/metrics`` (thread-safe)."""

    def __init__(self, prefix: str = "airflow") -> None:
        self.prefix = prefix
        self._lock = threading.Lock()
        self._counters: dict[str, float] = {}
        self._gauges: dict[str, float] = {}
        self._timers: dict[str, tuple[int, float]] = {}

    def incr(self, name: str, count: int = 1) -> None:
        with self._lock:
            self._counters[name] = self._counters.get(name, 0) + count

    def gauge(self, name: str, value: float) -> None:
        with self._lock:
            self._gauges[name] = value

    def timing(self, name: str, seconds: float) -> None:
        with self._lock:
            count, total = self._timers.get(name, (0, 0.0))
            self._timers[name] = (count + 1, total + seconds)

    def exposition(self) -> str:
        """Prometheus' text format (version 0.0.4)."""
        with self._lock:
            counters, gauges, timers = dict(self._counters), dict(self._gauges), dict(self._timers)
        lines: list[str] = []
        for name, value in sorted(counters.items()):
            lines += _family(self._name(name) + "_total", "counter", [("", value)])
        for name, value in sorted(gauges.items()):
            lines += _family(self._name(name), "gauge", [("", value)])
        for name, (count, total) in sorted(timers.items()):
            base = self._name(name) + "_seconds"
            lines += [f"# TYPE {base} summary", f"{base}_count {count}", f"{base}_sum {_number(total)}"]
        return "\n".join(lines) + "\n"

    def _name(self, name: str) -> str:
        return prometheus_name(f"{self.prefix}_{name}" if self.prefix else name)


class Fanout:
    """Every figure to each of several sinks (StatsD and Prometheus both on)."""

    def __init__(self, sinks: Iterable[Metrics]) -> None:
        self.sinks = list(sinks)

    def incr(self, name: str, count: int = 1) -> None:
        for sink in self.sinks:
            sink.incr(name, count)

    def gauge(self, name: str, value: float) -> None:
        for sink in self.sinks:
            sink.gauge(name, value)

    def timing(self, name: str, seconds: float) -> None:
        for sink in self.sinks:
            sink.timing(name, seconds)


def statsd_name(name: str) -> str:
    """StatsD forbids ``:``, ``|`` and ``@`` in names; DAG and task ids may hold others."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", name)


def prometheus_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if not cleaned[:1].isdigit() else f"_{cleaned}"


def _family(name: str, kind: str, samples: list[tuple[str, float]]) -> list[str]:
    return [f"# TYPE {name} {kind}", *(f"{name}{labels} {_number(value)}" for labels, value in samples)]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def serve_prometheus(registry: PrometheusRegistry, host: str, port: int) -> Any:
    """``GET /metrics`` on its own port, in a daemon thread; ``.shutdown()`` stops it.
    Unauthenticated, as exporters are: it binds ``[metrics] prometheus_host`` (loopback
    by default) and shows counts and durations only, no secrets."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = registry.exposition().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Scrapes every few seconds: not worth a log line each."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="brisa-metrics", daemon=True).start()
    return server


def metrics_from_settings(settings: Any, registry: PrometheusRegistry | None = None) -> Metrics:
    """What ``[metrics]`` asks for: StatsD when ``statsd_on``, plus ``registry`` (the
    process's Prometheus figures) when given; :class:`NullMetrics` when neither."""
    config = settings.metrics
    sinks: list[Metrics] = []
    if config.statsd_on:
        sinks.append(StatsdClient(config.statsd_host, config.statsd_port, config.statsd_prefix))
    if registry is not None:
        sinks.append(registry)
    if not sinks:
        return NullMetrics()
    return sinks[0] if len(sinks) == 1 else Fanout(sinks)


__all__ = [
    "Fanout",
    "Metrics",
    "NullMetrics",
    "PrometheusRegistry",
    "StatsdClient",
    "metrics_from_settings",
    "prometheus_name",
    "serve_prometheus",
    "statsd_name",
]
