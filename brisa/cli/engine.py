"""Scheduler + executor in this process, started and stopped in the right order.

The executor is the one ``[core] executor`` names: the LocalExecutor runs tries here;
the CeleryExecutor sends them to ``brisa celery worker`` processes.

Order matters: the zygote is forked while the process has one thread; then the
process pool's thread, the DAG processor and the scheduler start.  It is forked last,
once the scheduler, the triggerer and whatever ``preload`` names are built or imported:
what this process imports after the fork goes into memory pages it shares with the
zygote, copying them (building the scheduler after the fork cost the zygote 8 MB of
private memory; see docs/performance.md).  On stop the
scheduler stops queueing, running tries get ``graceful_shutdown_timeout`` seconds to
finish, the rest are ended and marked for retry, and the job row is closed.  (With
Celery, tries run on and the workers' own shutdown does this.)
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from brisa.cli import wiring
from brisa.store.changes import ChangeWatch

log = logging.getLogger("brisa.engine")


def _metrics(settings: Any) -> tuple[Any, Any]:
    """This process's Prometheus figures (when ``[metrics] prometheus_port`` is set) and
    what the scheduler reports to: those, StatsD, both or nothing."""
    from brisa.metrics import PrometheusRegistry, metrics_from_settings

    config = settings.metrics
    registry = PrometheusRegistry(config.statsd_prefix or "") if config.prometheus_port else None
    return registry, metrics_from_settings(settings, registry)


class Engine:
    def __init__(self, settings: Any, *, job_type: str = "scheduler", preload: tuple[str, ...] = ()) -> None:
        """``preload``: modules this process uses once it runs (its web server...), imported
        before the zygote is forked so that their pages stay shared with it."""
        # Scheduler, supervisor and web threads hand work to each other constantly; the
        # default 5 ms GIL switch interval would add up to 5 ms to every hand-off.
        sys.setswitchinterval(0.0005)
        self.settings = settings
        self.store = wiring.open_store(settings)
        self.secrets = wiring.make_secrets(settings, self.store)
        self.secrets.check_key()  # a wrong fernet key is an error now, not at the first secret
        self.executor = wiring.make_executor(settings, self.store, self.secrets)
        self.pool = wiring.process_pool_for(self.executor, settings)
        self._owns_pool = self.pool is not getattr(self.executor, "pool", None)
        self.registry, metrics = _metrics(settings)
        self._metrics_server: Any = None
        self.scheduler = wiring.make_scheduler(
            settings,
            self.store,
            self.executor,
            self.pool,
            job_type=job_type,
            secrets=self.secrets,
            metrics=metrics,
        )
        if hasattr(self.executor, "on_trigger"):
            self.executor.on_trigger = self.scheduler.wake
        # Deferred tries wait in a thread here unless [triggerer] embedded is off.
        self.triggerer = (
            wiring.make_triggerer(settings, self.store, on_change=self.scheduler.wake, secrets=self.secrets)
            if settings.triggerer.embedded
            else None
        )
        # A run triggered from another process wakes the scheduler at once, not at its
        # next look (brisa/store/changes.py).
        self.changes = ChangeWatch(self.store.engine, self.executor.wake)
        self._stopped = threading.Event()
        self.failed = False
        for module in preload:
            importlib.import_module(module)
        self.pool.start_zygote()  # last, and before any thread of this process starts

    def start(self) -> None:
        if self._owns_pool:
            self.pool.start()
        self.executor.start()
        self.scheduler.start_job()
        self.changes.start()
        if self.triggerer is not None:
            self.triggerer.start_thread()
        if self.registry is not None:
            from brisa.metrics import serve_prometheus

            config = self.settings.metrics
            self._metrics_server = serve_prometheus(
                self.registry, config.prometheus_host, config.prometheus_port
            )
            log.info(
                "metrics for Prometheus on http://%s:%s/metrics",
                config.prometheus_host,
                config.prometheus_port,
            )

    @property
    def healthy(self) -> bool:
        """The executor can run tries and the zygote can fork parse and callback children."""
        return getattr(self.executor, "healthy", True) and self.pool.zygote_alive

    def load_dags(self, timeout: float = 60.0) -> None:
        self.scheduler.processor.parse_all(timeout)

    def run(self) -> None:
        """Schedule until asked to stop (blocks); then stop the executor gracefully."""
        try:
            self.scheduler.run_forever()
        except Exception:
            log.exception("the scheduler crashed")
            self.failed = True
        finally:
            self.shutdown()

    def request_stop(self) -> None:
        self.scheduler.request_stop()

    def shutdown(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.changes.stop()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
        grace = self.settings.scheduler.graceful_shutdown_timeout
        log.info("stopping: running tries get up to %.0fs to finish", grace)
        self.executor.stop(grace)
        if self.triggerer is not None:
            self.triggerer.stop()
        if self._owns_pool:
            self.pool.stop()
        self.scheduler.end_job()
        if not self.healthy:
            self.failed = True
        self.store.dispose()
        log.info("stopped")


def install_stop_signals(on_stop: Callable[[], None], on_force: Callable[[], None] | None = None) -> None:
    """SIGTERM/SIGINT call ``on_stop`` once; a second signal calls ``on_force``."""
    seen = {"count": 0}

    def handle(signum: int, _frame: Any) -> None:
        seen["count"] += 1
        log.info("received %s", signal.Signals(signum).name)
        if seen["count"] == 1:
            on_stop()
        elif on_force is not None:
            on_force()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
