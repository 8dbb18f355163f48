"""Provider virtualenvs (tests/providers/envs.py): each real-provider test runs on the
newest release and on the oldest one for Airflow 3.0."""

from __future__ import annotations

import pytest

from tests.providers.envs import NEWEST, OLDEST, ProviderEnv, provider_env


@pytest.fixture(scope="session", params=["newest", "oldest"])
def providers(request: pytest.FixtureRequest) -> ProviderEnv:
    specs = {"newest": NEWEST, "oldest": OLDEST}[request.param]
    return provider_env(request.param, specs)
