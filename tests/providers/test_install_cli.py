"""``brisa providers install`` and ``list`` for real: pip, PyPI, a fresh virtualenv each."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.providers.envs import make_venv

pytestmark = pytest.mark.slow

PIN = "apache-airflow-providers-http==5.2.2"


def _installed(env) -> dict[str, str]:
    listed = env.brisa("providers", "list", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    return {row["package_name"]: f"{row['version']} {row['source']}" for row in json.loads(listed.stdout)}


def test_install_records_the_set_and_a_deploy_installs_it_again(tmp_path):
    env = make_venv(tmp_path / "dev")
    done = env.brisa("providers", "install", "http==5.2.2", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Installed {PIN}" in done.stdout
    assert "Skipped apache-airflow>=2.9.0: Brisa stands in for Apache Airflow" in done.stdout
    recorded = (tmp_path / "providers.txt").read_text()
    assert [line for line in recorded.splitlines() if not line.startswith("#")] == [PIN]
    assert _installed(env)["apache-airflow-providers-http"] == "5.2.2 installed"
    assert _installed(env)["apache-airflow-providers-common-compat"].endswith(" brisa")
    show = subprocess.run([env.python, "-m", "pip", "show", "apache-airflow"], capture_output=True)
    assert show.returncode != 0  # Airflow itself never came along

    deploy = make_venv(tmp_path / "deploy")
    again = deploy.brisa("providers", "install", "--from-file", str(tmp_path / "providers.txt"), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _installed(deploy)["apache-airflow-providers-http"] == "5.2.2 installed"
    assert (tmp_path / "providers.txt").read_text() == recorded


def test_a_bad_name_is_invalid_input_and_a_pip_failure_says_what_failed(tmp_path):
    env = make_venv(tmp_path / "venv")
    bad = env.brisa("providers", "install", "http>>1", cwd=tmp_path)
    assert bad.returncode == 2 and "not a provider name or requirement: 'http>>1'" in bad.stderr
    missing = env.brisa("providers", "install", "http==0.0.1", cwd=tmp_path)
    assert missing.returncode == 1
    assert "pip install apache-airflow-providers-http==0.0.1 failed" in missing.stderr
    assert not (tmp_path / "providers.txt").exists()
