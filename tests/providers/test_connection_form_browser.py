"""The UI's connection form for a real provider's connection type, in a real browser: the
slack provider's webhook hook hides fields, relabels others and declares extra fields
(``timeout``, ``proxy``), which are saved in the connection's extra JSON."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.providers.running import FERNET_KEY
from tests.ui.test_browser import CHROMIUM, CHROMIUM_ARGS, Standalone, _free_port, _wait_until_serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _environ(providers, home: Path, port: int) -> dict[str, str]:
    (home / "dags").mkdir(parents=True, exist_ok=True)
    return providers.environ(
        PORT=str(port),
        BRISA_HOME=str(home),
        BRISA__CORE__DAGS_FOLDER=str(home / "dags"),
        BRISA__CORE__LOAD_EXAMPLES="false",
        BRISA__CORE__FERNET_KEY=FERNET_KEY,
        PYTHONUNBUFFERED="1",
    )


@pytest.fixture
def standalone(providers, tmp_path) -> Iterator[Standalone]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [providers.python, "-m", "brisa.cli", "standalone"],
        env=_environ(providers, tmp_path, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    server = Standalone(f"http://127.0.0.1:{port}", tmp_path, process)
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: server.output.extend(iter(stdout.readline, "")), daemon=True).start()
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_slack_webhook_connection_gets_its_extra_fields_from_the_hook(providers, standalone) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(standalone.url + "/login")
            page.fill('input[name="username"]', "admin")
            page.fill('input[name="password"]', standalone.admin_password())
            page.click('button[type="submit"]')
            page.wait_for_url("**/dags")
            page.goto(standalone.url + "/connections/new")
            page.fill("#conn_type", "slackwebhook")
            page.dispatch_event("#conn_type", "change")  # the form reloads with the type's fields
            page.wait_for_selector('input[name="extra_field:timeout"]')
            assert not page.is_visible("#login") and not page.is_visible("#extra")  # hidden by the hook
            assert page.inner_text('label[for="host"]') == "Slack Webhook Endpoint"
            page.fill("#conn_id", "alerts")
            page.fill("#host", "https://hooks.example.com/services")
            page.fill("#password", "T000/B000/XXX")
            page.fill('input[name="extra_field:timeout"]', "30")
            page.fill('input[name="extra_field:proxy"]', "http://proxy.local:3128")
            page.click('button[type="submit"].primary')
            page.wait_for_url("**/connections")
        finally:
            browser.close()

    env = _environ(providers, standalone.home, 8080)
    shown = providers.brisa("connections", "get", "alerts", "-o", "json", "--show-secrets", env=env)
    assert shown.returncode == 0, shown.stderr
    (row,) = json.loads(shown.stdout)
    assert row["conn_type"] == "slackwebhook" and row["password"] == "T000/B000/XXX"
    assert row["extra_dejson"] == {"timeout": 30, "proxy": "http://proxy.local:3128"}
