"""Fixtures of the runner tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brisa.compat import uninstall_shim


@pytest.fixture(autouse=True)
def _no_shim_left() -> Iterator[None]:
    """Tests loading DAG files in this process (as a task process does) leave the import
    shim installed; other tests expect a clean ``sys.modules``."""
    yield
    uninstall_shim()
