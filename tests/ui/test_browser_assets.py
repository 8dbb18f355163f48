"""Data-aware scheduling in a real browser against a real ``brisa standalone``: switch on
a 3.x producer and its consumer, trigger the producer, watch the consumer's
asset-triggered run appear, and read the Assets page, the asset's events and the run's
triggering events."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RUN_SECONDS,
    START_SECONDS,
    Standalone,
    _environment,
    _free_port,
    _wait_until_serving,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAGS = """
from airflow.sdk import DAG, Asset, task

orders = Asset("orders", uri="s3://lake/orders")

with DAG("ingest", schedule=None):
    @task(outlets=[orders])
    def load(*, outlet_events):
        outlet_events[orders].extra["rows"] = 42
    load()

with DAG("report", schedule=orders):
    @task
    def summarize(*, triggering_asset_events):
        print("rows:", [e.extra["rows"] for e in triggering_asset_events[orders]])
    summarize()
"""


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    root = tmp_path_factory.mktemp("standalone-assets")
    home, dags = root / "home", root / "dags"
    dags.mkdir()
    (dags / "assets.py").write_text(DAGS)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "brisa.cli", "standalone"],
        env=_environment(home, dags, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Standalone(f"http://127.0.0.1:{port}", home, process)
    threading.Thread(
        target=lambda: server.output.extend(iter(process.stdout.readline, "")), daemon=True
    ).start()
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _row(page: object, server: Standalone, dag_id: str) -> object:
    deadline = time.monotonic() + START_SECONDS
    row = page.locator(f'tr[data-dag-id="{dag_id}"]')
    while row.count() == 0:
        assert time.monotonic() < deadline, "".join(server.output[-40:])
        time.sleep(0.5)
        page.goto(server.url + "/dags")
        row = page.locator(f'tr[data-dag-id="{dag_id}"]')
    return row


def _switch_on(page: object, server: Standalone, dag_id: str) -> None:
    _row(page, server, dag_id).locator('[data-testid="pause-toggle"]').click()
    page.wait_for_load_state()


def test_a_producer_run_triggers_its_consumer_and_the_ui_shows_the_events(standalone, browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(standalone.url + "/dags")
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', standalone.admin_password())
    page.click('button[type="submit"]')
    page.wait_for_url("**/dags")
    _switch_on(page, standalone, "report")
    _switch_on(page, standalone, "ingest")
    _row(page, standalone, "ingest").locator('[data-testid="trigger"]').click()
    page.wait_for_selector('[data-testid="trigger-form"]')
    page.click('[data-testid="trigger-submit"]')
    page.wait_for_url("**/dags/ingest/grid?run_id=*")

    deadline = time.monotonic() + RUN_SECONDS
    page.goto(standalone.url + "/dags/report/grid")
    while page.locator('a.run-head[data-state="success"]').count() == 0:
        assert time.monotonic() < deadline, "".join(standalone.output[-60:])
        time.sleep(1)
        page.goto(standalone.url + "/dags/report/grid")
    events = page.locator('[data-testid="run-asset-events"]').text_content()
    assert "orders" in events and '"rows": 42' in events

    page.goto(standalone.url + "/assets")
    row = page.locator('tr[data-asset="orders"]')
    assert "ingest" in row.text_content() and "report" in row.text_content()
    assert "ingest → orders → report" in page.locator('[data-testid="asset-edges"]').text_content()
    row.get_by_role("link", name="orders").click()
    page.wait_for_selector('[data-testid="asset-events"]')
    assert "report" in page.locator('[data-testid="asset-events"]').text_content()
    assert not errors, errors
