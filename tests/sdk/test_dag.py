from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pendulum
import pytest

from brisa import errors
from brisa.sdk.context import collect_dags
from brisa.sdk.dag import DAG, TaskNotFound, dag
from brisa.sdk.exceptions import (
    AirflowDagCycleException,
    AirflowException,
    AirflowTimetableInvalid,
    DuplicateTaskIdFound,
    ParamValidationError,
)
from brisa.sdk.operators.empty import EmptyOperator
from brisa.sdk.params import Param

START = datetime(2024, 1, 1)


def test_repr_and_identity():
    d = DAG("my_dag", start_date=START, schedule=None)
    assert repr(d) == "<DAG: my_dag>"
    assert d.dag_id == "my_dag"
    assert d.fileloc == __file__
    assert d.creation_lineno > 0


def test_dag_id_must_be_a_valid_key():
    with pytest.raises(AirflowException, match="alphanumeric"):
        DAG("bad id!", schedule=None)


def test_naive_start_date_means_utc_and_aware_keeps_its_timezone():
    naive = DAG("a", start_date=datetime(2024, 1, 1), schedule=None)
    assert naive.start_date == datetime(2024, 1, 1, tzinfo=UTC)
    assert naive.timezone.utcoffset(None) in (None, timedelta(0))
    aware = DAG("b", start_date=pendulum.datetime(2024, 1, 1, 9, tz="America/Sao_Paulo"), schedule=None)
    assert aware.start_date == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert aware.timezone.name == "America/Sao_Paulo"


def test_start_and_end_date_fall_back_to_default_args():
    d = DAG("a", default_args={"start_date": START, "end_date": datetime(2024, 2, 1)}, schedule=None)
    assert d.start_date == datetime(2024, 1, 1, tzinfo=UTC)
    assert d.end_date == datetime(2024, 2, 1, tzinfo=UTC)


def test_schedule_aliases_and_defaults_per_generation():
    assert DAG("a", schedule_interval="@daily").schedule == "@daily"
    assert DAG("b", timetable=None, schedule="0 1 * * *").schedule == "0 1 * * *"
    unset = DAG("c", start_date=START)
    assert unset.schedule_for("2") == timedelta(days=1)
    assert unset.schedule_for("3") is None
    with pytest.raises(AirflowException, match="Only one of"):
        DAG("d", schedule="@daily", schedule_interval="@daily")


def test_timetable_depends_on_generation():
    d = DAG("a", schedule="0 3 * * *", start_date=START)
    assert d.timetable_for("2").serialize()["type"] == "CronDataIntervalTimetable"
    assert d.timetable_for("3").serialize()["type"] == "CronTriggerTimetable"
    d.generation = "3"
    assert type(d.timetable).__name__ == "CronTriggerTimetable"


def test_bad_cron_string_fails_the_dag():
    with pytest.raises(AirflowTimetableInvalid, match="invalid schedule") as info:
        DAG("a", schedule="not a cron", start_date=START)
    assert isinstance(info.value, errors.ScheduleError)


def test_removed_arguments_are_generation_hints():
    d = DAG("a", schedule_interval="@daily", concurrency=3, start_date=START)
    reasons = [reason for gen, reason in d.generation_hints if gen == "2"]
    assert "uses the schedule_interval argument" in reasons
    assert "uses the concurrency argument" in reasons
    assert d.max_active_tasks == 3
    assert DAG("b", schedule="@daily", start_date=START).generation_hints == []


def test_airflow_generation_override_is_validated():
    assert DAG("a", schedule=None, airflow_generation="3").generation == "3"
    with pytest.raises(AirflowException, match="airflow_generation"):
        DAG("b", schedule=None, airflow_generation="4")


def test_catchup_defaults_to_unset():
    assert DAG("a", schedule=None).catchup is None
    assert DAG("b", schedule=None, catchup=False).catchup is False


def test_default_args_params_override_dag_params():
    d = DAG(
        "a",
        schedule=None,
        params={"x": 1, "y": 2},
        default_args={"params": {"y": 20, "z": 30}, "retries": 2},
    )
    assert dict(d.params) == {"x": 1, "y": 20, "z": 30}
    assert "params" not in d.default_args
    assert d.default_args == {"retries": 2}


def test_default_args_are_copied():
    args = {"retries": 1}
    d = DAG("a", schedule=None, default_args=args)
    args["retries"] = 5
    assert d.default_args["retries"] == 1
    with pytest.raises(TypeError, match="default_args must be a dict"):
        DAG("b", schedule=None, default_args=[1])


def test_other_arguments_are_kept():
    d = DAG(
        "a",
        description="desc",
        schedule=None,
        max_active_runs=2,
        max_active_tasks=4,
        dagrun_timeout=timedelta(minutes=5),
        tags=["b", "a", "a"],
        doc_md="# doc",
        is_paused_upon_creation=False,
        owner_links={"me": "https://example.com"},
        dag_display_name="Shown",
        fail_stop=True,
        sla_miss_callback=print,
        access_control={"role": {"can_read"}},
        max_consecutive_failed_dag_runs=3,
        render_template_as_native_obj=True,
    )
    assert (d.description, d.max_active_runs, d.max_active_tasks) == ("desc", 2, 4)
    assert d.dagrun_timeout == timedelta(minutes=5)
    assert d.tags == ["a", "b"]
    assert d.dag_display_name == "Shown" and d.fail_stop and d.max_consecutive_failed_dag_runs == 3
    assert d.render_template_as_native_obj


def test_context_manager_assigns_tasks_and_registers_the_dag():
    with collect_dags() as collected:
        with DAG("a", schedule=None, start_date=START) as d:
            op = EmptyOperator(task_id="op")
        DAG("not_entered", schedule=None)
    assert op.dag is d
    assert d.task_dict == {"op": op}
    assert collected == [d]


def test_dag_argument_style():
    d = DAG("a", schedule=None, start_date=START)
    op = EmptyOperator(task_id="op", dag=d)
    assert d.get_task("op") is op
    assert d.has_task("op") and not d.has_task("other")
    with pytest.raises(TaskNotFound) as info:
        d.get_task("other")
    assert isinstance(info.value, errors.NotFoundError)


def test_duplicate_task_id_names_the_task():
    with DAG("a", schedule=None, start_date=START):
        EmptyOperator(task_id="same")
        with pytest.raises(DuplicateTaskIdFound, match="'same' has already been added") as info:
            EmptyOperator(task_id="same")
    assert isinstance(info.value, errors.DuplicateTaskIdError)
    assert isinstance(info.value, AirflowException)


def test_cycle_names_the_tasks_in_it():
    with DAG("cyc", schedule=None, start_date=START) as d:
        a, b, c, x = (EmptyOperator(task_id=t) for t in ("a", "b", "c", "x"))
        x >> a >> b >> c >> a
    with pytest.raises(AirflowDagCycleException, match=r"a >> b >> c >> a") as info:
        d.check_cycle()
    assert isinstance(info.value, errors.DagCycleError)
    assert "x" not in str(info.value)


def test_topological_sort_and_roots_leaves():
    with DAG("a", schedule=None, start_date=START) as d:
        a, b, c = (EmptyOperator(task_id=t) for t in "abc")
        a >> [b, c]
    assert next(t.task_id for t in d.topological_sort()) == "a"
    assert d.roots == [a]
    assert set(d.leaves) == {b, c}


def test_task_start_date_is_the_later_of_task_and_dag():
    with DAG("a", schedule=None, start_date=START):
        early = EmptyOperator(task_id="early", start_date=datetime(2020, 1, 1))
        late = EmptyOperator(task_id="late", start_date=datetime(2025, 1, 1))
        none = EmptyOperator(task_id="none")
    assert early.start_date == datetime(2024, 1, 1, tzinfo=UTC)
    assert late.start_date == datetime(2025, 1, 1, tzinfo=UTC)
    assert none.start_date == datetime(2024, 1, 1, tzinfo=UTC)


def test_scheduled_dag_needs_valid_param_defaults():
    d = DAG("sched", schedule="@daily", start_date=START, params={"p": Param(type="string")})
    with pytest.raises(ParamValidationError, match=r"not allowed to define a Schedule.*param p"):
        d.validate("3")
    DAG("manual", schedule=None, params={"p": Param(type="string")}).validate("3")


def test_generation_two_scheduled_dag_needs_a_start_date():
    with DAG("a", schedule="@daily") as d:
        EmptyOperator(task_id="t")
    with pytest.raises(AirflowException, match="missing the start_date"):
        d.validate("2")
    d.validate("3")


def test_dag_decorator_makes_function_args_params():
    @dag(schedule=None, start_date=START)
    def pipeline(number: int = 3, word="x"):
        """Pipeline docs."""
        EmptyOperator(task_id="only")

    with collect_dags() as collected:
        built = pipeline()
    assert collected == [built]
    assert built.dag_id == "pipeline"
    assert dict(built.params) == {"number": 3, "word": "x"}
    assert built.doc_md == "Pipeline docs."
    assert built.task_ids == ["only"]
    assert built.fileloc == __file__
    other = pipeline(number=5)
    assert other.params["number"] == 5


def test_dag_decorator_with_explicit_id():
    @dag("explicit", schedule=None)
    def anything():
        pass

    assert anything().dag_id == "explicit"


def test_edge_info_and_set_dependency():
    with DAG("a", schedule=None, start_date=START) as d:
        EmptyOperator(task_id="x")
        EmptyOperator(task_id="y")
    d.set_dependency("x", "y")
    d.set_edge_info("x", "y", {"label": "go"})
    assert d.get_task("y").upstream_task_ids == {"x"}
    assert d.get_edge_info("x", "y") == {"label": "go"}
    assert d.get_edge_info("y", "x") == {}


def test_template_env_uses_dag_settings(tmp_path):
    (tmp_path / "hello.txt").write_text("hi {{ name }}")
    d = DAG(
        "a",
        schedule=None,
        template_searchpath=str(tmp_path),
        user_defined_macros={"name": "brisa"},
        user_defined_filters={"shout": lambda s: s.upper()},
    )
    env = d.get_template_env()
    assert env.get_template("hello.txt").render() == "hi brisa"
    assert env.from_string("{{ 'x' | shout }}").render() == "X"


def test_add_task_adopts_a_task_made_outside_any_dag():
    d = DAG("a", schedule=None, start_date=START)
    op = EmptyOperator(task_id="loose")
    d.add_task(op)
    assert op.dag is d and op.task_group is d.task_group
    other = EmptyOperator(task_id="other")
    d.add_tasks([other])
    assert d.task_ids == ["loose", "other"] and other.dag is d
    assert {t.task_id for t in d.task_group.iter_tasks()} == {"loose", "other"}
