"""A real provider's operator extra link: the amazon provider's ``EC2InstanceDashboardLink`` (an
``XComOperatorLink``-style link: the operator ``persist``s its parts, ``get_link`` reads them
back with ``XCom.get_value``) gives its console URL at the end of the try, against moto."""

from __future__ import annotations

import json

import pytest

from tests.providers.running import Project
from tests.providers.test_amazon import amazon, s3  # noqa: F401  (module-scoped fixtures)

pytestmark = pytest.mark.slow

DAG = """
from datetime import datetime

from airflow.providers.amazon.aws.operators.ec2 import EC2CreateInstanceOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def show(ti):
    print("LINK", ti.xcom_pull(task_ids="create", key="_link_EC2InstanceDashboardLink"))

with DAG("provider_amazon_links", start_date=datetime(2024, 1, 1), schedule=None):
    EC2CreateInstanceOperator(
        task_id="create", image_id="ami-12c6146b", aws_conn_id="local_aws", region_name="us-east-1"
    ) >> PythonOperator(task_id="show", python_callable=show)
"""


def test_the_ec2_dashboard_link_is_stored_with_its_console_url(amazon, tmp_path, s3):  # noqa: F811
    conn = {"conn_type": "aws", "login": "testing", "password": "testing", "extra": {"endpoint_url": s3}}
    project = Project.create(
        amazon,
        tmp_path,
        {"provider_amazon_links.py": DAG},
        AIRFLOW_CONN_LOCAL_AWS=json.dumps(conn),
        AWS_EC2_METADATA_DISABLED="true",
    )
    done = project.dags_test("provider_amazon_links")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    link = next(line for line in done.stdout.splitlines() if "LINK " in line)
    assert "LINK https://console.aws.amazon.com/ec2/home?region=us-east-1#Instances:instanceId=:i-" in link
