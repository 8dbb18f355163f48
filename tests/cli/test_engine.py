"""The Engine forks its zygote last, once everything this process needs is imported."""

from __future__ import annotations

import sys

import pytest

from brisa.process.pool import ProcessPool

PRELOADED = "tests.cli.preloaded_by_engine"


@pytest.fixture
def settings(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from brisa.cli import wiring
    from brisa.store import migrate

    for name in list(__import__("os").environ):
        if name.startswith(("BRISA", "AIRFLOW")) or name in ("DATABASE_URL", "PORT"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))
    monkeypatch.setenv("BRISA__CORE__LOAD_EXAMPLES", "False")
    (tmp_path / "dags").mkdir()
    monkeypatch.setenv("BRISA__CORE__DAGS_FOLDER", str(tmp_path / "dags"))
    settings = wiring.prepare_settings()
    store = wiring.open_store(settings)
    migrate.upgrade(store)
    store.dispose()
    return settings


def test_the_zygote_is_forked_after_the_scheduler_and_the_preloaded_modules(settings, monkeypatch):  # type: ignore[no-untyped-def]
    from brisa.cli import wiring
    from brisa.cli.engine import Engine

    built: list[str] = []
    at_fork: list[tuple[bool, list[str]]] = []
    make_scheduler = wiring.make_scheduler

    def recording_make_scheduler(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append("scheduler")
        return make_scheduler(*args, **kwargs)

    def start_zygote(pool: ProcessPool) -> None:  # no fork: only what exists when it would be
        at_fork.append((PRELOADED in sys.modules, list(built)))

    monkeypatch.setattr(wiring, "make_scheduler", recording_make_scheduler)
    monkeypatch.setattr(ProcessPool, "start_zygote", start_zygote)
    monkeypatch.delitem(sys.modules, PRELOADED, raising=False)
    engine = Engine(settings, job_type="standalone", preload=(PRELOADED,))
    try:
        assert at_fork == [(True, ["scheduler"])]
    finally:
        engine.store.dispose()
