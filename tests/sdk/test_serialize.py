from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pendulum
import pytest

from brisa.sdk.dag import DAG
from brisa.sdk.decorators import task
from brisa.sdk.dependencies import Label
from brisa.sdk.exceptions import AirflowDagCycleException
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.params import Param
from brisa.sdk.sensors.python import PythonSensor
from brisa.sdk.serialize import effective_priority, serialize_dag
from brisa.sdk.taskgroup import TaskGroup
from brisa.serialized import SerializedDag

START = datetime(2024, 1, 1)


def diamond(weight_rule):
    with DAG("d", schedule=None, start_date=START) as dag:
        a = EmptyOperator(task_id="a", priority_weight=1, weight_rule=weight_rule)
        b = EmptyOperator(task_id="b", priority_weight=2, weight_rule=weight_rule)
        c = EmptyOperator(task_id="c", priority_weight=3, weight_rule=weight_rule)
        d = EmptyOperator(task_id="d", priority_weight=4, weight_rule=weight_rule)
        a >> [b, c] >> d
    return dag


def test_effective_priorities_follow_the_weight_rule():
    down = diamond("downstream")
    assert {t.task_id: effective_priority(t) for t in down.tasks} == {"a": 10, "b": 6, "c": 7, "d": 4}
    up = diamond("upstream")
    assert {t.task_id: effective_priority(t) for t in up.tasks} == {"a": 1, "b": 3, "c": 4, "d": 10}
    absolute = diamond("absolute")
    assert {t.task_id: t.priority_weight_total for t in absolute.tasks} == {"a": 1, "b": 2, "c": 3, "d": 4}
    serialized = serialize_dag(down, generation="3")
    assert serialized.tasks["a"].priority == 10 and serialized.tasks["a"].priority_weight == 1


def rich_dag():
    with DAG(
        "rich",
        schedule="30 2 * * *",
        start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Lisbon"),
        end_date=datetime(2025, 1, 1),
        default_args={
            "retries": 2,
            "retry_delay": timedelta(seconds=30),
            "email": "a@x, b@x",
            "owner": "ana",
        },
        params={"n": Param(1, type="integer", description="how many"), "when": datetime(2024, 1, 1)},
        tags=["x"],
        description="desc",
        doc_md="doc",
        dagrun_timeout=timedelta(hours=1),
        max_active_runs=3,
        on_failure_callback=print,
    ) as dag:
        start = BashOperator(
            task_id="start", bash_command="echo {{ ds }}", execution_timeout=timedelta(minutes=5)
        )
        with TaskGroup("grp", tooltip="the group"):
            sense = PythonSensor(
                task_id="sense",
                python_callable=bool,
                mode="reschedule",
                poke_interval=10,
                timeout=100,
                soft_fail=True,
            )
            with TaskGroup("inner"):
                inner = EmptyOperator(
                    task_id="e", trigger_rule="none_failed_or_skipped", on_success_callback=print
                )

        @task
        def produce():
            return [1, 2]

        mapped = BashOperator.partial(task_id="mapped").expand(bash_command=produce())
        start >> Label("then") >> sense >> inner >> mapped
    return dag


def test_serialized_fields():
    s = serialize_dag(
        rich_dag(),
        fileloc="/dags/rich.py",
        generation="2",
        generation_reason="why",
        relative_fileloc="rich.py",
    )
    assert (s.dag_id, s.fileloc, s.relative_fileloc, s.generation, s.generation_reason) == (
        "rich",
        "/dags/rich.py",
        "rich.py",
        "2",
        "why",
    )
    assert s.timetable["type"] == "CronDataIntervalTimetable" and s.timezone == "Europe/Lisbon"
    assert s.schedule_summary == "30 2 * * *"
    assert s.start_date == datetime(2024, 1, 1, tzinfo=UTC) and s.end_date == datetime(2025, 1, 1, tzinfo=UTC)
    assert (s.max_active_runs, s.max_active_tasks, s.dagrun_timeout) == (3, 16, 3600.0)
    assert s.has_on_failure_callback and not s.has_on_success_callback
    assert s.owners == ("ana",) and s.tags == ("x",)
    assert s.params["n"] == {
        "value": 1,
        "has_value": True,
        "schema": {"type": "integer"},
        "description": "how many",
    }
    start = s.tasks["start"]
    assert (start.retries, start.retry_delay, start.execution_timeout, start.email) == (
        2,
        30.0,
        300.0,
        ("a@x", "b@x"),
    )
    assert start.operator == "BashOperator" and start.extra["bash_command"] == "echo {{ ds }}"
    assert start.template_fields == ("bash_command", "env", "cwd")
    sense = s.tasks["grp.sense"]
    assert (
        sense.is_sensor,
        sense.sensor_mode,
        sense.poke_interval,
        sense.sensor_timeout,
        sense.soft_fail,
    ) == (True, "reschedule", 10.0, 100.0, True)
    assert sense.task_group == "grp"
    inner = s.tasks["grp.inner.e"]
    assert inner.trigger_rule == "none_failed_min_one_success" and inner.has_on_success_callback
    assert inner.extra["is_empty"] is True
    assert s.tasks["mapped"].mapped.inputs[0].xcom_task_id == "produce"
    assert s.tasks["produce"].operator == "@task"
    assert s.task_groups["grp"]["children"] == ["grp.sense", "grp.inner"]
    assert s.task_groups["grp.inner"]["parent"] == "grp" and s.task_groups["grp"]["tooltip"] == "the group"
    assert s.edge_labels == {"start>>grp.sense": "then"}
    assert next(iter(s.tasks)) == "start"


def test_json_round_trip_is_stable():
    # Generation 2: its datetime param is one Airflow 3 refuses to load (2.x only warned).
    with pytest.warns(DeprecationWarning, match="non-json-serializable"):
        first = serialize_dag(rich_dag(), generation="2")
        again_first = serialize_dag(rich_dag(), generation="2")
    text = first.to_json()
    again = SerializedDag.from_json(text)
    assert again.to_json() == text
    assert again.hash == first.hash == again_first.hash
    assert json.loads(text)["tasks"]


def test_catchup_unset_stays_unset_unless_a_default_is_given():
    dag = DAG("c", schedule=None, start_date=START)
    assert serialize_dag(dag, generation="3").catchup is None
    assert serialize_dag(dag, generation="3", catchup_default=False).catchup is False
    explicit = DAG("e", schedule=None, start_date=START, catchup=True)
    assert serialize_dag(explicit, generation="3", catchup_default=False).catchup is True


def test_serialize_validates():
    with DAG("cyc", schedule=None, start_date=START) as dag:
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        a >> b >> a
    with pytest.raises(AirflowDagCycleException):
        serialize_dag(dag, generation="3")


def test_extra_links_are_kept_as_names_and_xcom_keys_and_absent_when_none():
    from brisa.sdk.provider_surface import BaseOperatorLink

    class ConsoleLink(BaseOperatorLink):
        name = "Console"

    class Linked(EmptyOperator):
        operator_extra_links = (ConsoleLink(),)

    with DAG("links", schedule=None, start_date=START) as dag:
        Linked(task_id="linked")
        EmptyOperator(task_id="plain")
    s = serialize_dag(dag)
    assert s.tasks["linked"].extra_links == {"Console": "_link_ConsoleLink"}
    again = SerializedDag.from_json(s.to_json())
    assert again.tasks["linked"].extra_links == {"Console": "_link_ConsoleLink"}
    # Absent from the JSON when empty: DAGs without links keep the hash they had before.
    tasks = json.loads(s.to_json())["tasks"]
    plain = tasks["plain"] if isinstance(tasks, dict) else next(t for t in tasks if t["task_id"] == "plain")
    assert "extra_links" not in plain
