"""Sizing on a dyno: the cgroup's memory limit, not the host's CPU count; a small DB pool.

A 512 MB Basic or Standard-1X dyno runs on a shared host and ``os.cpu_count()`` says 8
there. Sizing the LocalExecutor from that (Airflow's way: 32, or one per CPU) would
run out of memory; Brisa reads the cgroup's limit instead.
"""

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from brisa.cli.wiring import open_store
from brisa.config import detect_resources, load_settings

MB = 1024 * 1024


def fake_cgroup_v2(root: Path, *, memory_mb: int, cpu_max: str = "max 100000") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "memory.max").write_text(f"{memory_mb * MB}\n")
    (root / "cpu.max").write_text(cpu_max + "\n")
    return root


def fake_cgroup_v1(root: Path, *, memory_mb: int) -> Path:
    (root / "memory").mkdir(parents=True, exist_ok=True)
    (root / "memory" / "memory.limit_in_bytes").write_text(f"{memory_mb * MB}\n")
    (root / "cpu,cpuacct").mkdir()
    (root / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text("-1\n")
    (root / "cpu,cpuacct" / "cpu.cfs_period_us").write_text("100000\n")
    return root


@pytest.mark.parametrize("fake_cgroup", [fake_cgroup_v2, fake_cgroup_v1])
@pytest.mark.parametrize(("dyno", "memory_mb", "expected"), [("basic", 512, 8), ("standard-2x", 1024, 16)])
def test_a_dynos_memory_limit_sizes_the_executor_not_its_eight_cpus(
    tmp_path, monkeypatch, fake_cgroup, dyno, memory_mb, expected
):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)  # what a shared dyno host reports
    resources = detect_resources(fake_cgroup(tmp_path / "cgroup", memory_mb=memory_mb))
    settings = load_settings({"DYNO": "web.1"}, home=str(tmp_path), resources=resources)
    assert settings.core.parallelism == expected, dyno
    assert settings.celery.worker_concurrency == expected
    assert settings.source("core", "parallelism") == f"default ({memory_mb} MB memory limit, no CPU quota)"


def test_an_explicit_parallelism_wins_over_the_cgroup(tmp_path):
    resources = detect_resources(fake_cgroup_v2(tmp_path / "cgroup", memory_mb=512))
    settings = load_settings({"AIRFLOW__CORE__PARALLELISM": "3"}, home=str(tmp_path), resources=resources)
    assert settings.core.parallelism == 3


def test_the_database_pool_is_small_and_bounded_by_default(tmp_path):
    """5 connections a process, no overflow: two dynos fit Essential-0's 20 with room to spare."""
    settings = load_settings({"DATABASE_URL": "postgres://u:p@db.example.com:5432/d"}, home=str(tmp_path))
    assert (settings.database.sql_alchemy_pool_size, settings.database.sql_alchemy_max_overflow) == (5, 0)
    store = open_store(settings)
    try:
        assert isinstance(store.engine.pool, sa.pool.QueuePool)
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (5, 0)
    finally:
        store.dispose()


def test_the_pool_size_is_configurable(tmp_path):
    environ = {
        "DATABASE_URL": "postgres://u:p@db.example.com:5432/d",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE": "2",
        "AIRFLOW__CORE__SQL_ALCHEMY_MAX_OVERFLOW": "1",  # Airflow 1.10's section still works
    }
    store = open_store(load_settings(environ, home=str(tmp_path)))
    try:
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (2, 1)
    finally:
        store.dispose()
