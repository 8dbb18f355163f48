"""``bin/post_compile``: what Heroku's Python buildpack runs after installing requirements."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.providers.envs import make_venv

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "post_compile"


def _run(app: Path, venv_bin: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(app / "bin" / "post_compile")], cwd=app, env=env, capture_output=True, text=True
    )


def _app(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    (app / "bin").mkdir(parents=True)
    shutil.copy2(SCRIPT, app / "bin" / "post_compile")
    return app


def test_it_is_executable_and_does_nothing_without_providers_txt(tmp_path):
    assert os.access(SCRIPT, os.X_OK)
    done = _run(_app(tmp_path), tmp_path / "no-venv")
    assert done.returncode == 0 and done.stdout == "", done.stderr


@pytest.mark.slow
def test_it_installs_the_recorded_providers_without_airflow(tmp_path):
    app = _app(tmp_path)
    (app / "providers.txt").write_text("# recorded\napache-airflow-providers-http==5.2.2\n")
    venv = make_venv(tmp_path / "venv")
    done = _run(app, venv.venv / "bin")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Installed apache-airflow-providers-http==5.2.2" in done.stdout
    listed = venv.brisa("providers", "list", "-o", "plain")
    assert (
        "apache-airflow-providers-http\tHypertext Transfer Protocol (HTTP)\t5.2.2\tinstalled" in listed.stdout
    )
