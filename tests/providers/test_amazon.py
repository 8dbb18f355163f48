"""The real amazon provider: S3Hook, S3CreateObjectOperator and S3KeySensor (poke mode, and
deferrable: S3KeyTrigger in the triggerer, with aiobotocore)
against moto's S3 server (installed in its own cached virtualenv, run on loopback)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid

import pytest

from tests.providers.envs import provider_env, tool_env
from tests.providers.running import Project

pytestmark = pytest.mark.slow

VERSIONS = {"newest": ("amazon[aiobotocore]",), "oldest": ("amazon[aiobotocore]==9.6.1",)}
"""The ``aiobotocore`` extra: deferrable S3 (the trigger's async hook) needs it."""
CONSTRAINTS = {
    "newest": ("aiobotocore==3.10.0", "boto3==1.43.117", "botocore==1.43.117"),
    "oldest": ("aiobotocore==2.21.1", "boto3==1.37.1", "botocore==1.37.1", "redshift-connector==2.1.11"),
}
"""aiobotocore pins botocore to a few releases: without these pip backtracks through old
releases of the provider's other requirements for tens of minutes (as Airflow's
constraints files do, the boto family is pinned to a set that resolves)."""

DAG = """
from datetime import datetime

from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.providers.amazon.aws.operators.s3 import S3CreateBucketOperator, S3CreateObjectOperator
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def read_back(ds):
    hook = S3Hook(aws_conn_id="local_s3")
    text = hook.read_key(f"data/{{ds}}.txt", bucket_name="{bucket}")
    hook.load_string(text.upper(), key="data/copy.txt", bucket_name="{bucket}")
    return text


with DAG("provider_amazon", start_date=datetime(2024, 1, 1), schedule=None):
    (
        S3CreateBucketOperator(task_id="bucket", bucket_name="{bucket}", aws_conn_id="local_s3")
        >> S3CreateObjectOperator(
            task_id="put",
            s3_bucket="{bucket}",
            s3_key="data/{{{{ ds }}}}.txt",
            data="hello {{{{ ds }}}}",
            aws_conn_id="local_s3",
        )
        >> S3KeySensor(
            task_id="wait",
            bucket_name="{bucket}",
            bucket_key="data/{{{{ ds }}}}.txt",
            aws_conn_id="local_s3",
            poke_interval=1,
            timeout=120,
        )
        >> PythonOperator(task_id="read_back", python_callable=read_back)
    )
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """moto's server on a free loopback port; its URL."""
    moto = tool_env("moto", ("moto[server]",))
    port = _free_port()
    server = subprocess.Popen(
        [moto.python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "moto's server did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module", params=sorted(VERSIONS))
def amazon(request):
    return provider_env(f"amazon-{request.param}", VERSIONS[request.param], CONSTRAINTS[request.param])


def _project(penv, tmp_path, s3, bucket) -> Project:
    conn = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"endpoint_url": s3, "region_name": "us-east-1"},
    }
    return Project.create(
        penv,
        tmp_path,
        {"provider_amazon.py": DAG.format(bucket=bucket)},
        AIRFLOW_CONN_LOCAL_S3=json.dumps(conn),
        AWS_EC2_METADATA_DISABLED="true",
    )


def _objects(s3, bucket) -> dict[str, str]:
    import urllib.request

    listing = urllib.request.urlopen(f"{s3}/moto-api/data.json").read()
    keys = json.loads(listing)["s3"]["FakeKey"]
    return {k["name"]: k for k in keys if k.get("bucket_name", bucket) == bucket}


def test_dags_test_writes_waits_for_and_reads_s3_objects(amazon, tmp_path, s3):
    bucket = f"brisa-{uuid.uuid4().hex[:12]}"
    done = _project(amazon, tmp_path, s3, bucket).dags_test("provider_amazon")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "read_back: success" in done.stdout


def test_the_scheduler_runs_the_amazon_dag(amazon, tmp_path, s3):
    bucket = f"brisa-{uuid.uuid4().hex[:12]}"
    states = _project(amazon, tmp_path, s3, bucket).scheduled_run("provider_amazon")
    assert states == {"bucket": "success", "put": "success", "wait": "success", "read_back": "success"}


DEFERRABLE_DAG = """
import time
from datetime import datetime

from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from airflow.providers.amazon.aws.operators.s3 import S3CreateBucketOperator
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def write_once_deferred(ti, ds):
    # The key appears only once the sensor waits in the triggerer (bounded: never hangs).
    deadline = time.monotonic() + 120
    while ti.get_dagrun().get_task_instance("wait").state != "deferred" and time.monotonic() < deadline:
        time.sleep(0.5)
    S3Hook(aws_conn_id="local_s3").load_string("late", key=f"late/{ds}.txt", bucket_name="{bucket}")


with DAG("provider_amazon_deferrable", start_date=datetime(2024, 1, 1), schedule=None):
    bucket = S3CreateBucketOperator(task_id="bucket", bucket_name="{bucket}", aws_conn_id="local_s3")
    wait = S3KeySensor(
        task_id="wait",
        bucket_name="{bucket}",
        bucket_key="late/{{ ds }}.txt",
        aws_conn_id="local_s3",
        poke_interval=1,
        timeout=120,
        deferrable=True,
        priority_weight=10,
    )
    bucket >> [wait, PythonOperator(task_id="write", python_callable=write_once_deferred)]
"""


def _deferrable_project(penv, tmp_path, s3, bucket, **conn_env: str) -> Project:
    files = {"provider_amazon_deferrable.py": DEFERRABLE_DAG.replace("{bucket}", bucket)}
    return Project.create(penv, tmp_path, files, AWS_EC2_METADATA_DISABLED="true", **conn_env)


def _conn(s3) -> str:
    extra = {"endpoint_url": s3, "region_name": "us-east-1"}
    return json.dumps({"conn_type": "aws", "login": "testing", "password": "testing", "extra": extra})


def test_dags_test_runs_the_deferred_s3_key_sensor_in_the_triggerer(amazon, tmp_path, s3):
    bucket = f"brisa-{uuid.uuid4().hex[:12]}"
    project = _deferrable_project(amazon, tmp_path, s3, bucket, AIRFLOW_CONN_LOCAL_S3=_conn(s3))
    done = project.dags_test("provider_amazon_deferrable")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "trigger=airflow.providers.amazon.aws.triggers.s3.S3KeyTrigger" in done.stdout
    assert "wait: success" in done.stdout and "write: success" in done.stdout


def test_the_schedulers_triggerer_runs_the_s3_trigger_with_the_stored_connection(amazon, tmp_path, s3):
    bucket = f"brisa-{uuid.uuid4().hex[:12]}"
    project = _deferrable_project(amazon, tmp_path, s3, bucket)
    assert project.brisa("db", "migrate").returncode == 0
    added = project.brisa("connections", "add", "local_s3", "--conn-json", _conn(s3))
    assert added.returncode == 0, added.stderr
    states = project.scheduled_run("provider_amazon_deferrable")
    assert states == {"bucket": "success", "wait": "success", "write": "success"}, project.scheduler_output
