"""Schemathesis from ``/openapi.json`` as an Admin: no request makes the API answer 5xx.

Bounded (a few examples per operation and generation mode) so that the suite stays fast; the
store holds a DAG, a run with task instances, a variable and a connection so that paths can
hit data. Each operation is a subtest driven by Hypothesis through schemathesis' public
strategies (``APIOperation.as_strategy``), not its pytest plugin: the plugin's lazy fixture
schemas reach into pytest's private node attributes and broke with pytest 9.2.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from tests.api.conftest import Api, build_api
from tests.api.helpers import add_dag, add_run

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


def fuzz_schema(api: Api) -> Any:
    config = SchemathesisConfig.from_dict(FUZZ_CONFIG)
    return schemathesis.openapi.from_asgi("/openapi.json", api.app, config=config)


def check_operation(operation: Any, mode: GenerationMode, api: Api) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case: Any) -> None:
        response = case.call(headers=api.headers("Admin"))
        case.validate_response(response, checks=[not_a_server_error])

    try:
        check()
    except Unsatisfiable:
        # Nothing about this operation can be made invalid (no parameters, no body): the
        # positive run covered it. Schemathesis' own runner skips these the same way.
        if mode is not GenerationMode.NEGATIVE:
            raise


def test_no_request_makes_the_api_fail(fuzzed: Api, subtests: pytest.Subtests) -> None:
    operations = [result.ok() for result in fuzz_schema(fuzzed).get_all_operations()]
    assert len(operations) > 50, "the OpenAPI document lost its operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(operation=operation.label, mode=mode.value):
                check_operation(operation, mode, fuzzed)
