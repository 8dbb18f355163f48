"""Fixtures of the runner tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from brisa import dag_settings
from brisa.compat import uninstall_shim


@pytest.fixture(autouse=True)
def _no_shim_left() -> Iterator[None]:
    """Tests loading DAG files in this process (as a task process does) leave the import
    shim installed; other tests expect a clean ``sys.modules``."""
    yield
    uninstall_shim()


@pytest.fixture
def settings_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """Brisa's settings, as DAG code reads them, from these environment variables only
    (the runner's lookup cache emptied)."""

    def use(**env: str) -> None:
        for name in [n for n in os.environ if n.startswith(("BRISA", "AIRFLOW"))]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("BRISA_HOME", str(tmp_path / "home"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(dag_settings, "_config_cache", {})

    return use
