"""Two virtualenv tasks sharing one cached environment, and a task reading their XComs
(the pulled values land in ``markers/virtualenv.json``)."""

import json
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.python import PythonOperator, PythonVirtualenvOperator
from airflow.sdk import DAG

MARKERS = Path(__file__).resolve().parent.parent / "markers"


def in_venv(name, ds):
    import sys

    import six

    return {"name": name, "ds": ds, "six": six.__version__, "python": sys.executable}


def collect(ti):
    pulled = ti.xcom_pull(task_ids=["first", "second"])
    (MARKERS / "virtualenv.json").write_text(json.dumps(pulled))


with DAG("e2e_virtualenv", schedule=None, start_date=datetime(2024, 1, 1)):
    venvs = [
        PythonVirtualenvOperator(
            task_id=name,
            python_callable=in_venv,
            op_args=[name],
            requirements=["six==1.16.0"],
            system_site_packages=False,
            venv_cache_path="e2e",
        )
        for name in ("first", "second")
    ]
    venvs >> PythonOperator(task_id="collect", python_callable=collect)
