"""The container's limits and the default parallelism sized from them."""

import pytest

from brisa.config import (
    Resources,
    detect_resources,
)
from tests.config.support import load, write


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (Resources(memory_mb=512), 8),
        (Resources(memory_mb=1024), 16),
        (Resources(memory_mb=2560), 32),
        (Resources(memory_mb=100), 2),
        (Resources(), 32),
        (Resources(memory_mb=1024, cpus=0.5), 4),
        (Resources(cpus=2), 16),
    ],
)
def test_default_parallelism_comes_from_the_container_limits(home, resources, expected):
    settings = load(home=home, resources=resources)
    assert settings.core.parallelism == expected
    assert settings.celery.worker_concurrency == expected
    assert settings.source("core", "parallelism").startswith("default (")


def test_cgroup_v2_limits(tmp_path):
    write(tmp_path / "memory.max", "536870912\n")
    write(tmp_path / "cpu.max", "150000 100000\n")
    assert detect_resources(tmp_path) == Resources(memory_mb=512, cpus=1.5)
    write(tmp_path / "memory.max", "max\n")
    write(tmp_path / "cpu.max", "max 100000\n")
    assert detect_resources(tmp_path) == Resources()


def test_cgroup_v1_limits(tmp_path):
    write(tmp_path / "memory" / "memory.limit_in_bytes", "1073741824\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_quota_us", "200000\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_period_us", "100000\n")
    assert detect_resources(tmp_path) == Resources(memory_mb=1024, cpus=2.0)
    write(tmp_path / "memory" / "memory.limit_in_bytes", "9223372036854771712\n")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_quota_us", "-1\n")
    assert detect_resources(tmp_path) == Resources()


def test_no_cgroup_files_means_no_limits(tmp_path):
    assert detect_resources(tmp_path / "missing") == Resources()
