"""SubDagOperator as the loader sees it (issue 15): the sub-DAG is collected as a DAG of
its own and flagged, its dag_id is checked as Airflow 2.10 checks it, and the 3.x-only
import paths stay refused (Airflow 3 removed the operator)."""

from __future__ import annotations

import textwrap

import pytest

from brisa.loader import parse_file

FACTORY = """
    import pendulum
    from airflow import DAG
    from airflow.operators.bash import BashOperator
    from {module} import SubDagOperator

    START = pendulum.datetime(2024, 1, 1, tz="UTC")

    def section(dag_id):
        with DAG(dag_id, start_date=START, schedule_interval="@daily") as sub:
            BashOperator(task_id="inner", bash_command="echo inner")
        return sub

    with DAG("parent", start_date=START, schedule_interval=None) as dag:
        SubDagOperator(task_id="section", subdag=section({child_id!r}))
"""


def write(tmp_path, source):
    path = tmp_path / "subdag_file.py"
    path.write_text(textwrap.dedent(source))
    return str(path)


@pytest.mark.parametrize("module", ["airflow.operators.subdag_operator", "airflow.operators.subdag"])
def test_the_sub_dag_is_collected_and_flagged_as_a_sub_dag(tmp_path, module):
    result = parse_file(write(tmp_path, FACTORY.format(module=module, child_id="parent.section")))
    assert result.errors == []
    dags = {d.dag_id: d for d in result.dags}
    assert sorted(dags) == ["parent", "parent.section"]
    assert not dags["parent"].is_subdag
    assert dags["parent.section"].is_subdag
    assert dags["parent.section"].parent_dag_id == "parent"
    assert dags["parent"].tasks["section"].operator == "SubDagOperator"


def test_a_sub_dag_id_not_named_after_its_parent_fails_with_airflows_message(tmp_path):
    source = FACTORY.format(module="airflow.operators.subdag", child_id="elsewhere")
    [error] = parse_file(write(tmp_path, source)).errors
    assert (
        "AirflowException: The subdag's dag_id should have the form '{parent_dag_id}.{this_task_id}'. "
        "Expected 'parent.section'; received 'elsewhere'." in error.message
    )


@pytest.mark.parametrize(
    "module",
    ["airflow.providers.standard.operators.subdag", "airflow.sdk.operators.subdag"],
)
def test_airflow_3_paths_of_subdag_operator_stay_refused(tmp_path, module):
    [error] = parse_file(write(tmp_path, FACTORY.format(module=module, child_id="parent.section"))).errors
    assert "Brisa does not support" in error.message
