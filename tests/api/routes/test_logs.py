"""Task logs: Airflow's JSON shape, text and NDJSON, and tailing with a continuation token."""

from __future__ import annotations

import json

from brisa.api.routes.logs import parse_log_line
from brisa.api.schemas import TaskInstancesLogResponse
from tests.api.conftest import Api
from tests.api.helpers import add_dag, add_run, key

LINES = ["[2026-01-02T03:04:05.123+0000] {taskinstance.py:12} INFO - Starting attempt 1", "plain line"]


def setup_log(api: Api):  # type: ignore[no-untyped-def]
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    with api.store.transaction() as tx:
        tx.logs.append(key(run, "extract"), 1, [line + "\n" for line in LINES], now=api.clock())
    return run, f"/api/v2/dags/etl/dagRuns/{run.run_id}/taskInstances/extract/logs/1"


def test_json_log_has_airflows_shape(api: Api) -> None:
    _, url = setup_log(api)
    body = api.client.get(url, headers=api.headers("Viewer")).json()
    TaskInstancesLogResponse.model_validate(body)
    assert body["content"] == [
        {
            "timestamp": "2026-01-02T03:04:05.123000Z",
            "event": "Starting attempt 1",
            "level": "info",
            "logger": "taskinstance.py:12",
        },
        {"timestamp": None, "event": "plain line"},
    ]
    assert body["continuation_token"]


def test_text_and_ndjson_variants_carry_the_token_in_a_header(api: Api) -> None:
    _, url = setup_log(api)
    h = api.headers("Viewer")
    text = api.client.get(url, headers=h | {"Accept": "text/plain"})
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == "[2026-01-02T03:04:05.123000+00:00] INFO - Starting attempt 1\nplain line\n"
    assert text.headers["Airflow-Continuation-Token"]
    ndjson = api.client.get(url, headers=h | {"Accept": "application/x-ndjson"})
    events = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [event["event"] for event in events] == ["Starting attempt 1", "plain line"]


def test_tailing_returns_only_what_was_written_since_the_token(api: Api) -> None:
    run, url = setup_log(api)
    h = api.headers("Viewer")
    token = api.client.get(url, headers=h).json()["continuation_token"]
    nothing_new = api.client.get(url, params={"token": token}, headers=h).json()
    assert nothing_new["content"] == []
    assert nothing_new["continuation_token"] == token
    with api.store.transaction() as tx:
        tx.logs.append(key(run, "extract"), 1, ["later\n"], now=api.clock())
    more = api.client.get(url, params={"token": token}, headers=h).json()
    assert [item["event"] for item in more["content"]] == ["later"]
    full = api.client.get(url, params={"token": token, "full_content": "true"}, headers=h).json()
    assert len(full["content"]) == 3


def test_forged_or_foreign_tokens_are_a_400(api: Api) -> None:
    _, url = setup_log(api)
    h = api.headers("Viewer")
    token = api.client.get(url, headers=h).json()["continuation_token"]
    assert api.client.get(url, params={"token": token + "x"}, headers=h).status_code == 400
    other_try = url[:-1] + "2"
    response = api.client.get(other_try, params={"token": token}, headers=h)
    assert response.status_code == 400
    assert "another task instance or try" in response.json()["detail"]


def test_missing_task_instance_is_a_404_and_a_try_without_log_is_empty(api: Api) -> None:
    _, url = setup_log(api)
    h = api.headers("Viewer")
    assert api.client.get(url.replace("/extract/", "/nope/"), headers=h).status_code == 404
    assert api.client.get(url[:-1] + "7", headers=h).json()["content"] == []
    assert api.client.get(url[:-1] + "-1", headers=h).status_code == 422


def test_html_in_log_lines_is_returned_as_data_not_markup(api: Api) -> None:
    run = add_run(api.store, add_dag(api.store, api.clock()), api.clock())
    with api.store.transaction() as tx:
        tx.logs.append(key(run, "load"), 1, ["<script>alert(1)</script>\n"], now=api.clock())
    url = f"/api/v2/dags/etl/dagRuns/{run.run_id}/taskInstances/load/logs/1"
    response = api.client.get(url, headers=api.headers("Viewer"))
    assert response.headers["content-type"] == "application/json"
    assert response.json()["content"] == [{"timestamp": None, "event": "<script>alert(1)</script>"}]


def test_parse_log_line_keeps_unparsed_text_whole() -> None:
    assert parse_log_line("[not a date] x").event == "[not a date] x"
    line = parse_log_line("[2026-01-02T03:04:05+0000] ERROR - failed")
    assert (line.event, line.model_extra) == ("failed", {"level": "error"})
