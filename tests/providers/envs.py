"""Virtualenvs with real provider packages, installed by ``brisa providers install``.

``provider_env(name, specs)`` makes ``$BRISA_TEST_CACHE/providers-<name>`` (default
``~/.cache/brisa-test``) once per set of specs: a virtualenv that sees this checkout and the
test environment's packages through a ``.pth`` file, into which Brisa's own CLI installs
the providers (so building it is itself a run of ``brisa providers install``). Nothing is
ever installed into the test environment itself.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from brisa.providers.names import IMPLICIT_REQUIREMENTS
from tests.importer.airflow_real import cache_root

ROOT = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT = 1800

NEWEST = ("http", "slack", "redis")
"""The newest releases (unpinned: the cache is rebuilt when the spec list changes)."""
OLDEST = ("http==5.2.2", "slack==9.0.5", "redis==4.0.2")
"""The oldest releases for Airflow 3.0: the wave released for it (2025-04-19), or the last
release before it for a provider that had none in that wave (redis)."""


@dataclass(frozen=True)
class ProviderEnv:
    venv: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def site_packages(self) -> Path:
        return Path(self.venv_paths()["purelib"])

    def venv_paths(self) -> dict[str, str]:
        return sysconfig.get_paths(vars={"base": str(self.venv), "platbase": str(self.venv)})

    def environ(self, **extra: str) -> dict[str, str]:
        """An environment for this venv's python: its bin first on PATH."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return {**env, **extra}

    def brisa(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.python, "-m", "brisa.cli", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env or self.environ(),
            timeout=timeout,
        )


def make_venv(venv: Path) -> ProviderEnv:
    """A fresh virtualenv that imports this checkout and the test environment's packages
    (after its own, so what pip installs in it wins)."""
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    env = ProviderEnv(venv)
    link_checkout(env)
    return env


def link_checkout(env: ProviderEnv) -> None:
    """Point the venv at this checkout and the test environment's packages. Done on every
    use, not only when the venv is built: the cache outlives the checkout that built it
    (CI runs a fresh clone elsewhere), and a stale path imports no Brisa at all."""
    purelib = sysconfig.get_paths()["purelib"]
    (env.site_packages / "_brisa_test_env.pth").write_text(f"{ROOT}\n{purelib}\n")


def provider_env(name: str, specs: tuple[str, ...], constraints: tuple[str, ...] = ()) -> ProviderEnv:
    """The cached virtualenv ``name`` with ``specs`` installed (built under a lock);
    ``constraints`` are lines of a pip constraints file given to ``--constraint``."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    # Brisa's own additions are part of the key: a change to them rebuilds the cache.
    venv, wanted = root / f"providers-{name}", " ".join((*specs, *IMPLICIT_REQUIREMENTS, *constraints))
    marker = venv / ".brisa-installed"
    with open(root / f".providers-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == wanted:
            cached = ProviderEnv(venv)
            link_checkout(cached)
            return cached
        env = make_venv(venv)
        options = ["--no-record"]
        if constraints:
            (venv / "constraints.txt").write_text("\n".join(constraints) + "\n")
            options += ["--constraint", str(venv / "constraints.txt")]
        done = env.brisa("providers", "install", *options, *specs, timeout=INSTALL_TIMEOUT)
        if done.returncode != 0:
            pytest.fail(f"brisa providers install {wanted} failed:\n{done.stdout}\n{done.stderr}")
        marker.write_text(wanted)
    return env if "env" in locals() else ProviderEnv(venv)


def tool_env(name: str, requirements: tuple[str, ...]) -> ProviderEnv:
    """A cached plain virtualenv with ``requirements`` (a test stand-in such as moto's S3
    server), kept out of the test environment."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv, wanted = root / f"tool-{name}", " ".join(requirements)
    marker = venv / ".brisa-installed"
    with open(root / f".tool-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (marker.exists() and marker.read_text() == wanted):
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements]
            done = subprocess.run(pip, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
            if done.returncode != 0:
                pytest.fail(f"pip install {wanted} failed:\n{done.stdout}\n{done.stderr}")
            marker.write_text(wanted)
    return ProviderEnv(venv)
