"""The container's limits (cgroup v2 or v1), from which the default parallelism is sized.

``os.cpu_count()`` reports the host's CPUs (8 on a 512 MB Heroku dyno), so defaults are
sized from the memory limit and CPU quota instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

MB_PER_TASK = 64
TASKS_PER_CPU = 8
MIN_DEFAULT_PARALLELISM = 2
MAX_DEFAULT_PARALLELISM = 32
_UNLIMITED_BYTES = 1 << 60  # cgroup v1 reports "no limit" as a number near 2**63


@dataclass(frozen=True)
class Resources:
    """The container's limits; ``None`` means no limit was found."""

    memory_mb: int | None = None
    cpus: float | None = None

    def default_parallelism(self) -> int:
        by_memory = self.memory_mb // MB_PER_TASK if self.memory_mb else MAX_DEFAULT_PARALLELISM
        by_cpu = math.ceil(self.cpus * TASKS_PER_CPU) if self.cpus else MAX_DEFAULT_PARALLELISM
        return max(MIN_DEFAULT_PARALLELISM, min(MAX_DEFAULT_PARALLELISM, by_memory, by_cpu))

    def describe(self) -> str:
        memory = f"{self.memory_mb} MB memory limit" if self.memory_mb else "no memory limit"
        cpus = f"{self.cpus:g} CPU quota" if self.cpus else "no CPU quota"
        return f"{memory}, {cpus}"


def detect_resources(cgroup_root: Path = Path("/sys/fs/cgroup")) -> Resources:
    """Read the memory limit and CPU quota of this process's cgroup (v2 or v1)."""
    return Resources(memory_mb=_memory_limit_mb(cgroup_root), cpus=_cpu_quota(cgroup_root))


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _memory_limit_mb(root: Path) -> int | None:
    for path in (root / "memory.max", root / "memory" / "memory.limit_in_bytes"):
        text = _read_text(path)
        if text is None:
            continue
        if not text.isdigit() or int(text) >= _UNLIMITED_BYTES:
            return None
        return int(text) // (1024 * 1024)
    return None


def _cpu_quota(root: Path) -> float | None:
    v2 = _read_text(root / "cpu.max")
    if v2 is not None:
        quota, _, period = v2.partition(" ")
        return _quota(quota, period or "100000")
    for folder in ("cpu", "cpu,cpuacct"):
        v1_quota = _read_text(root / folder / "cpu.cfs_quota_us")
        v1_period = _read_text(root / folder / "cpu.cfs_period_us")
        if v1_quota is not None and v1_period is not None:
            return _quota(v1_quota, v1_period)
    return None


def _quota(quota: str, period: str) -> float | None:
    if not quota.isdigit() or not period.isdigit() or int(quota) == 0 or int(period) == 0:
        return None  # "max" (v2) or -1 (v1): no quota
    return int(quota) / int(period)


__all__ = [
    "MAX_DEFAULT_PARALLELISM",
    "MB_PER_TASK",
    "MIN_DEFAULT_PARALLELISM",
    "TASKS_PER_CPU",
    "Resources",
    "detect_resources",
]
