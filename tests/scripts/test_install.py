"""scripts/install in a new virtualenv: the README's run command on a machine without Brisa.

It must install exactly the locked runtime set (no test tools, no optional extras), and
``brisa standalone`` must start and answer its health check with only that installed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def locked_runtime_set() -> dict[str, str]:
    """Name -> version of constraints.txt's lines that apply to this Python."""
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if not line or line.startswith(("#", " ")):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or Marker(str(requirement.marker)).evaluate():
            pinned[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return pinned


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120)
    env = venv_env(path)
    result = subprocess.run(
        [str(ROOT / "scripts" / "install")], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return path


def venv_env(path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW", "PYTHON"))}
    env.update(PATH=f"{path}/bin:{os.environ['PATH']}", VIRTUAL_ENV=str(path))
    return env


def installed(path: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return {canonicalize_name(p["name"]): p["version"] for p in json.loads(out)}


def test_install_puts_exactly_the_locked_runtime_versions_in_a_new_venv(venv: Path) -> None:
    present = installed(venv)
    locked = locked_runtime_set()
    assert {name: present.get(name) for name in locked} == locked
    # Test tools and optional extras stay out of the runtime set.
    assert not {"pytest", "playwright", "schemathesis", "babel", "pymysql"} & set(present)


def test_standalone_starts_with_only_the_runtime_set(venv: Path, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "dags").mkdir()
    env = venv_env(venv) | {"BRISA_HOME": str(tmp_path), "PORT": str(port)}
    log = tmp_path / "standalone.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(venv / "bin" / "brisa"), "standalone"], env=env, stdout=out, stderr=out)
    try:
        health = wait_for_health(port, proc, log)
        assert health["scheduler"]["status"] == "healthy"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()


def wait_for_health(port: int, proc: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            url = f"http://127.0.0.1:{port}/api/v2/monitor/health"
            with urllib.request.urlopen(url, timeout=2) as answer:
                body = json.loads(answer.read())
            if body["scheduler"]["status"] == "healthy":
                return body
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("standalone never became healthy:\n" + log.read_text())


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (
            "locale",
            "from brisa.templating import macros\nmacros.ds_format_locale('2024-07-12', '%Y-%m-%d', 'yyyy')",
        ),
        (
            "mysql",
            "from brisa.importer.source import read_only_engine\nread_only_engine('mysql://u@h/airflow')",
        ),
    ],
)
def test_a_missing_extra_names_the_pip_install_to_run(venv: Path, extra: str, code: str) -> None:
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        env=venv_env(venv),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"pip install 'brisa[{extra}]'" in result.stderr


def test_import_airflow_works_in_the_new_venv_for_test_suites_and_scripts(venv: Path) -> None:
    # scripts/install adds the wheel's brisa-airflow.pth to the editable install.
    code = "from airflow.models import DagBag; from airflow.sdk import Variable; print(DagBag.__module__)"
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        env=venv_env(venv),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "brisa.loader.dagbag"
