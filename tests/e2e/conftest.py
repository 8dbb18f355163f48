"""Fixtures of the end-to-end tests: a deployment per test on each database backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.deployment import Deployment, deployment

ON_EVERY_BACKEND = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=ON_EVERY_BACKEND)
def deployed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """An empty deployment (no DAG, no scheduler yet) on SQLite and on PostgreSQL."""
    with deployment(tmp_path, request.param) as deployed:
        yield deployed
