"""The seed's journey in a real browser against a real ``brisa standalone``.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright: log in with the
password standalone prints, find the blog post's ``tutorial`` DAG, switch its schedule
on, trigger it, watch the grid turn green, read the ``templated`` task's rendered log,
and switch the UI to Portuguese.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from brisa import example_dags
from tests.seed import SEED_TUTORIAL

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHARED_SEED = SEED_TUTORIAL
SEED_DAG = SHARED_SEED if SHARED_SEED.exists() else Path(example_dags.__file__).parent / "tutorial.py"
"""The blog post's DAG (``brisa/example_dags/tutorial.py`` is a byte-for-byte copy)."""
START_SECONDS = 60
RUN_SECONDS = 120
PASSWORD_LINE = re.compile(r"Login with username: (\S+)\s+password: (\S+)")


@dataclass
class Standalone:
    url: str
    home: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def admin_password(self) -> str:
        for line in self.output:
            found = PASSWORD_LINE.search(line)
            if found:
                return found.group(2)
        return (self.home / "standalone_admin_password.txt").read_text().strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command() -> list[str]:
    found = shutil.which("brisa")
    return [found, "standalone"] if found else [sys.executable, "-m", "brisa.cli.main", "standalone"]


def _environment(home: Path, dags: Path, port: int) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW", "DATABASE_URL"))}
    return {
        **kept,
        "PORT": str(port),
        "BRISA_HOME": str(home),
        "BRISA__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "false",
        "PYTHONUNBUFFERED": "1",
    }


def _collect(process: subprocess.Popen[str], lines: list[str]) -> None:
    """Keep standalone's output: the admin password is in it, and it explains failures."""
    assert process.stdout is not None
    lines.extend(iter(process.stdout.readline, ""))


def _wait_until_serving(server: Standalone) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail("brisa standalone exited:\n" + "".join(server.output[-60:]))
        try:
            if httpx.get(server.url + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("brisa standalone did not serve /login in time:\n" + "".join(server.output[-60:]))


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    root = tmp_path_factory.mktemp("standalone")
    home, dags = root / "home", root / "dags"
    dags.mkdir()
    shutil.copy(SEED_DAG, dags / "tutorial_dag.py")
    port = _free_port()
    process = subprocess.Popen(
        _command(),
        env=_environment(home, dags, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=root,
    )
    server = Standalone(f"http://127.0.0.1:{port}", home, process)
    reader = threading.Thread(
        target=lambda: server.output.extend(iter(process.stdout.readline, "")), daemon=True
    )
    reader.start()
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


def _open_dag_row(page: object, server: Standalone) -> object:
    """The ``tutorial`` row of the DAG list, reloading until the DAG file has been parsed."""
    deadline = time.monotonic() + START_SECONDS
    row = page.locator('tr[data-dag-id="tutorial"]')
    while row.count() == 0:
        assert time.monotonic() < deadline, "the tutorial DAG never appeared:\n" + "".join(
            server.output[-40:]
        )
        time.sleep(0.5)
        page.goto(server.url + "/dags")
    return row


def _logical_day(run_id: str) -> date:
    return datetime.fromisoformat(run_id.split("__", 1)[1]).date()


def test_tutorial_journey(standalone: Standalone, browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(standalone.url + "/dags")
    assert "/login" in page.url
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', standalone.admin_password())
    page.click('button[type="submit"]')
    page.wait_for_url("**/dags")

    row = _open_dag_row(page, standalone)
    switch = row.locator('[data-testid="pause-toggle"]')
    assert switch.get_attribute("aria-checked") == "false"  # new DAGs start paused
    switch.click()
    page.wait_for_load_state()
    row = page.locator('tr[data-dag-id="tutorial"]')
    assert row.locator('[data-testid="pause-toggle"]').get_attribute("aria-checked") == "true"

    row.locator('[data-testid="trigger"]').click()
    page.wait_for_selector('[data-testid="trigger-form"]')
    page.click('[data-testid="trigger-submit"]')
    page.wait_for_url(re.compile(r".*/dags/tutorial/grid\?run_id="))
    run_id = page.url.split("run_id=", 1)[1]
    run_id = httpx.URL("http://x/?r=" + run_id).params["r"]

    cells = f'a.cell[data-run-id="{run_id}"]'
    page.wait_for_function(
        "(selector) => { const cells = [...document.querySelectorAll(selector)];"
        " return cells.length === 3 && cells.every((c) => c.dataset.state === 'success'); }",
        arg=cells,
        timeout=RUN_SECONDS * 1000,
    )
    assert page.locator(f'a.run-head[data-run-id="{run_id}"]').get_attribute("data-state") == "success"

    page.click(f'{cells}[data-task-id="templated"]')
    page.wait_for_selector('[data-testid="log"]')
    day = _logical_day(run_id)
    log = page.locator('[data-testid="log"]')
    page.wait_for_function(
        "(text) => document.querySelector('[data-testid=log]').textContent.includes(text)",
        arg="Parameter I passed in",
    )
    text = log.text_content()
    assert text.count("Parameter I passed in") == 5
    assert day.isoformat() in text
    assert (day + timedelta(days=7)).isoformat() in text
    rendered = page.locator('[data-testid="rendered"]').text_content()
    assert f'echo "{day.isoformat()}"' in rendered

    page.select_option('[data-testid="language"]', "pt-BR")
    page.wait_for_selector('html[lang="pt-BR"]')
    assert page.locator("h2", has_text="Registro").count() == 1
    assert page.get_by_role("link", name="Variáveis").count() == 1
    assert page.get_by_role("button", name="Sair").count() == 1
    page.goto(standalone.url + "/dags")
    assert page.locator("th", has_text="Próxima execução").count() == 1
    assert not errors, errors
