"""Schemathesis from ``/openapi.json`` as an Admin: no request makes the API answer 5xx.

Bounded (a few examples per operation) so that the suite stays fast; the store holds a
DAG, a run with task instances, a variable and a connection so that paths can hit data.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from tests.api.conftest import Api, build_api
from tests.api.helpers import add_dag, add_run

schema = schemathesis.pytest.from_fixture("api_schema")
MAX_EXAMPLES = 4


@pytest.fixture
def fuzzed(memory_store: Any, settings: Any, clock: Any, hasher: Any) -> Api:
    api = build_api(memory_store, settings, clock, hasher)
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    secrets = api.app.state.brisa.secrets
    secrets.set_variable("x", "value")
    secrets.set_connection({"conn_id": "x", "conn_type": "http", "password": "pw-123456"})
    with api.store.transaction() as tx:
        tx.logs.append(tx.tis.for_run("etl", run.run_id)[0].key, 1, ["line\n"], now=api.clock())
    return api


# Examples and random generation only: the coverage phase alone sends hundreds of requests.
FUZZ_CONFIG = {
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"max-examples": MAX_EXAMPLES},
}


@pytest.fixture
def api_schema(fuzzed: Api) -> Any:
    config = SchemathesisConfig.from_dict(FUZZ_CONFIG)
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app, config=config)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case: Any, fuzzed: Api) -> None:
    response = case.call(headers=fuzzed.headers("Admin"))
    case.validate_response(response, checks=[not_a_server_error])
