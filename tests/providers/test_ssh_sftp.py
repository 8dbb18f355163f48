"""The real ssh and sftp providers: SSHOperator, SFTPOperator and SFTPSensor against a
local OpenSSH server started for the test (tests/providers/sshd.py)."""

from __future__ import annotations

import json

import pytest

from tests.providers.envs import provider_env
from tests.providers.running import Project
from tests.providers.sshd import ssh_server

pytestmark = pytest.mark.slow

VERSIONS = {"newest": ("ssh", "sftp"), "oldest": ("ssh==4.0.1", "sftp==5.2.1")}
CONSTRAINTS = {"newest": (), "oldest": ("paramiko<4",)}
"""ssh 4.0 uses paramiko.DSSKey, which paramiko 4 removed: Airflow's constraints of its
time pinned paramiko 3, and ``--constraint`` does the same here."""

DAG = """
from datetime import datetime

from airflow.providers.sftp.operators.sftp import SFTPOperator
from airflow.providers.sftp.sensors.sftp import SFTPSensor
from airflow.providers.ssh.operators.ssh import SSHOperator
from airflow.sdk import DAG

with DAG("provider_ssh", start_date=datetime(2024, 1, 1), schedule=None):
    (
        SSHOperator(
            task_id="remote",
            ssh_conn_id="local_ssh",
            command=(
                "mkdir -p {remote} && echo remote-{{{{ ds }}}} > {remote}/made.txt"
                " && cat {remote}/made.txt"
            ),
        )
        >> SFTPSensor(
            task_id="wait", sftp_conn_id="local_sftp", path="{remote}/made.txt", poke_interval=1, timeout=60
        )
        >> SFTPOperator(
            task_id="get",
            ssh_conn_id="local_ssh",
            local_filepath="{local}/got.txt",
            remote_filepath="{remote}/made.txt",
            operation="get",
        )
    )
"""


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def ssh_providers(request):
    return provider_env(f"ssh-{request.param}", VERSIONS[request.param], CONSTRAINTS[request.param])


@pytest.fixture
def sshd(tmp_path):
    with ssh_server(tmp_path / "sshd") as server:
        yield server


def _project(penv, tmp_path, sshd) -> Project:
    remote, local = tmp_path / "remote", tmp_path / "local"
    local.mkdir()
    conn = {
        "host": "127.0.0.1",
        "port": sshd.port,
        "login": sshd.user,
        "extra": {"key_file": str(sshd.key_file), "no_host_key_check": True},
    }
    return Project.create(
        penv,
        tmp_path / "project",
        {"provider_ssh.py": DAG.format(remote=remote, local=local)},
        AIRFLOW_CONN_LOCAL_SSH=json.dumps({**conn, "conn_type": "ssh"}),
        AIRFLOW_CONN_LOCAL_SFTP=json.dumps({**conn, "conn_type": "sftp"}),
    )


def test_dags_test_runs_a_command_waits_for_and_fetches_a_file(ssh_providers, tmp_path, sshd):
    done = _project(ssh_providers, tmp_path, sshd).dags_test("provider_ssh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "local" / "got.txt").read_text() == "remote-2024-01-01\n"


def test_the_scheduler_runs_the_ssh_dag(ssh_providers, tmp_path, sshd):
    states = _project(ssh_providers, tmp_path, sshd).scheduled_run("provider_ssh")
    assert states == {"remote": "success", "wait": "success", "get": "success"}
    assert (tmp_path / "local" / "got.txt").read_text().startswith("remote-")
