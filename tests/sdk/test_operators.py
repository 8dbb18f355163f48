from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta

import pytest

from brisa.sdk import timezone as tz
from brisa.sdk.dag import DAG
from brisa.sdk.exceptions import AirflowException, AirflowSkipException
from brisa.sdk.operators.bash import BashOperator
from brisa.sdk.operators.branch import BaseBranchOperator
from brisa.sdk.operators.datetime import BranchDateTimeOperator
from brisa.sdk.operators.empty import DummyOperator, EmptyOperator
from brisa.sdk.operators.latest_only import LatestOnlyOperator
from brisa.sdk.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from brisa.sdk.operators.trigger_dagrun import TriggerDagRunOperator
from brisa.sdk.operators.weekday import BranchDayOfWeekOperator, WeekDay
from brisa.sdk.taskgroup import TaskGroup

from .fakes import MemoryRuntime, run_task

START = datetime(2024, 1, 1)
LOGICAL = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


def one_task_dag(factory):
    with DAG("d", schedule=None, start_date=START) as dag:
        factory()
    return dag


# -- BashOperator --------------------------------------------------------------------------
def test_bash_streams_lines_and_returns_the_last(capfd):
    dag = one_task_dag(lambda: BashOperator(task_id="b", bash_command="echo one; echo two  "))
    runtime = MemoryRuntime()
    assert run_task(dag, "b", runtime) == "two"
    assert capfd.readouterr().out.splitlines()[-2:] == ["one", "two"]
    assert runtime.xcoms[("d", "r", "b", -1, "return_value")] == "two"


def test_bash_failure_uses_airflows_message():
    dag = one_task_dag(lambda: BashOperator(task_id="b", bash_command="exit 3"))
    with pytest.raises(
        AirflowException, match=r"^Bash command failed. The command returned a non-zero exit code 3.$"
    ):
        run_task(dag, "b", MemoryRuntime())


def test_bash_skip_exit_codes():
    dag = one_task_dag(lambda: BashOperator(task_id="b", bash_command="exit 99"))
    with pytest.raises(AirflowSkipException, match=r"exit code 99. Skipping."):
        run_task(dag, "b", MemoryRuntime())
    custom = one_task_dag(lambda: BashOperator(task_id="b", bash_command="exit 4", skip_on_exit_code=[4, 5]))
    with pytest.raises(AirflowSkipException):
        run_task(custom, "b", MemoryRuntime())
    none = one_task_dag(lambda: BashOperator(task_id="b", bash_command="exit 99", skip_on_exit_code=None))
    with pytest.raises(AirflowException, match="non-zero exit code 99"):
        run_task(none, "b", MemoryRuntime())


def test_bash_environment(monkeypatch):
    monkeypatch.setenv("FROM_PARENT", "parent")
    replace = one_task_dag(
        lambda: BashOperator(
            task_id="b",
            bash_command='echo "${FROM_PARENT:-none}-$MINE-$AIRFLOW_CTX_TASK_ID"',
            env={"MINE": "m"},
        )
    )
    assert run_task(replace, "b", MemoryRuntime()) == "none-m-b"
    append = one_task_dag(
        lambda: BashOperator(
            task_id="b", bash_command='echo "$FROM_PARENT-$MINE"', env={"MINE": "m"}, append_env=True
        )
    )
    assert run_task(append, "b", MemoryRuntime()) == "parent-m"
    inherit = one_task_dag(lambda: BashOperator(task_id="b", bash_command='echo "$FROM_PARENT"'))
    assert run_task(inherit, "b", MemoryRuntime()) == "parent"


def test_bash_cwd(tmp_path):
    dag = one_task_dag(lambda: BashOperator(task_id="b", bash_command="pwd", cwd=str(tmp_path)))
    assert run_task(dag, "b", MemoryRuntime()) == str(tmp_path)
    default = one_task_dag(lambda: BashOperator(task_id="b", bash_command="pwd"))
    assert "airflowtmp" in run_task(default, "b", MemoryRuntime())
    missing = one_task_dag(lambda: BashOperator(task_id="b", bash_command="pwd", cwd=str(tmp_path / "nope")))
    with pytest.raises(AirflowException, match="Can not find the cwd"):
        run_task(missing, "b", MemoryRuntime())


def test_bash_templated_command_and_script_file(tmp_path, monkeypatch):
    script = tmp_path / "script.sh"
    script.write_text("echo from-file-{{ ds }}")
    with DAG("d", schedule=None, start_date=START, template_searchpath=str(tmp_path)) as dag:
        BashOperator(task_id="file", bash_command="script.sh")
        BashOperator(task_id="inline", bash_command="echo {{ ds }} {{ params.x }}", params={"x": "y"})
    runtime = MemoryRuntime()
    assert run_task(dag, "file", runtime, logical_date=LOGICAL) == "from-file-2024-03-04"
    assert run_task(dag, "inline", runtime, logical_date=LOGICAL) == "2024-03-04 y"


def test_bash_output_processor_and_no_push():
    dag = one_task_dag(
        lambda: BashOperator(task_id="b", bash_command="echo 5", output_processor=int, do_xcom_push=False)
    )
    runtime = MemoryRuntime()
    assert run_task(dag, "b", runtime) == 5
    assert runtime.xcoms == {}


def test_bash_on_kill_stops_the_process_group():
    op = BashOperator(task_id="b", bash_command="sleep 30")
    import subprocess

    op._process = subprocess.Popen(["sleep", "30"], start_new_session=True)
    op.on_kill()
    assert op._process.wait(timeout=5) != 0


# -- PythonOperator ----------------------------------------------------------------------------
def test_python_operator_args_kwargs_and_context():
    seen = {}

    def work(a, b, c=None, ds=None, templates_dict=None):
        seen.update(a=a, b=b, c=c, ds=ds, templates=templates_dict)
        return a + b

    dag = one_task_dag(
        lambda: PythonOperator(
            task_id="p",
            python_callable=work,
            op_args=[1],
            op_kwargs={"b": 2, "c": "{{ ds }}"},
            templates_dict={"when": "{{ ds_nodash }}"},
        )
    )
    assert run_task(dag, "p", MemoryRuntime(), logical_date=LOGICAL) == 3
    assert seen == {"a": 1, "b": 2, "c": "2024-03-04", "ds": "2024-03-04", "templates": {"when": "20240304"}}


def test_python_operator_var_kwargs_get_the_whole_context():
    seen = {}

    def work(**kwargs):
        seen.update(kwargs)

    dag = one_task_dag(lambda: PythonOperator(task_id="p", python_callable=work, op_kwargs={"extra": 1}))
    run_task(dag, "p", MemoryRuntime(), logical_date=LOGICAL)
    assert seen["extra"] == 1 and seen["ti"].task_id == "p" and seen["ds"] == "2024-03-04"


def test_python_operator_rejects_positional_context_clash_and_non_callables():
    dag = one_task_dag(lambda: PythonOperator(task_id="p", python_callable=lambda ds: ds, op_args=["x"]))
    with pytest.raises(ValueError, match="'ds' in args is a part of kwargs"):
        run_task(dag, "p", MemoryRuntime(), logical_date=LOGICAL)
    with pytest.raises(AirflowException, match="must be callable"):
        PythonOperator(task_id="p", python_callable="nope")


def test_provide_context_is_accepted_and_marks_generation_two():
    with DAG("d", schedule=None, start_date=START) as dag:
        PythonOperator(task_id="p", python_callable=lambda **kw: 1, provide_context=True)
    assert any("provide_context" in reason for _, reason in dag.generation_hints)


# -- branching -------------------------------------------------------------------------------------
def branch_dag(choice, **kwargs):
    with DAG("d", schedule=None, start_date=START) as dag:
        branch = BranchPythonOperator(task_id="branch", python_callable=lambda: choice, **kwargs)
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        with TaskGroup("grp") as grp:
            g1 = EmptyOperator(task_id="g1")
            g2 = EmptyOperator(task_id="g2")
            g1 >> g2
        join = EmptyOperator(task_id="join")
        branch >> [a, b, grp, join]
        a >> join
    return dag


def test_branch_skips_other_direct_downstream_but_keeps_a_joined_path():
    runtime = MemoryRuntime()
    assert run_task(branch_dag("a"), "branch", runtime) == "a"
    assert runtime.skipped == [(("b", "grp.g1"), None)]


def test_branch_to_a_list_or_a_task_group():
    runtime = MemoryRuntime()
    run_task(branch_dag(["a", "b"]), "branch", runtime)
    assert runtime.skipped == [(("grp.g1",), None)]
    runtime = MemoryRuntime()
    run_task(branch_dag("grp"), "branch", runtime)
    assert runtime.skipped == [(("a", "b", "join"), None)]


def test_branch_to_nothing_skips_all_and_unknown_ids_fail():
    runtime = MemoryRuntime()
    run_task(branch_dag(None), "branch", runtime)
    assert runtime.skipped == [(("a", "b", "grp.g1", "join"), None)]
    with pytest.raises(AirflowException, match=r"must contain only valid task_ids.*nope"):
        run_task(branch_dag("nope"), "branch", MemoryRuntime())


def test_base_branch_operator_subclass():
    class Pick(BaseBranchOperator):
        def choose_branch(self, context):
            return "b"

    with DAG("d", schedule=None, start_date=START) as dag:
        Pick(task_id="pick") >> [EmptyOperator(task_id="a"), EmptyOperator(task_id="b")]
    runtime = MemoryRuntime()
    run_task(dag, "pick", runtime)
    assert runtime.skipped == [(("a",), None)]


def short_circuit_dag(value, ignore):
    with DAG("d", schedule=None, start_date=START) as dag:
        gate = ShortCircuitOperator(
            task_id="gate", python_callable=lambda: value, ignore_downstream_trigger_rules=ignore
        )
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        gate >> a >> b
    return dag


def test_short_circuit_skips_everything_downstream_or_only_direct():
    runtime = MemoryRuntime()
    assert run_task(short_circuit_dag(0, True), "gate", runtime) == 0
    assert runtime.skipped == [(("a", "b"), None)]
    runtime = MemoryRuntime()
    run_task(short_circuit_dag([], False), "gate", runtime)
    assert runtime.skipped == [(("a",), None)]
    runtime = MemoryRuntime()
    assert run_task(short_circuit_dag("yes", True), "gate", runtime) == "yes"
    assert runtime.skipped == []


def test_branch_datetime_and_day_of_week():
    with DAG("d", schedule=None, start_date=START) as dag:
        by_time = BranchDateTimeOperator(
            task_id="by_time",
            follow_task_ids_if_true="t",
            follow_task_ids_if_false="f",
            target_lower=time(0, 0),
            target_upper=time(1, 0),
            use_task_logical_date=True,
        )
        by_day = BranchDayOfWeekOperator(
            task_id="by_day",
            follow_task_ids_if_true="t",
            follow_task_ids_if_false="f",
            week_day={"Monday", WeekDay.TUESDAY},
            use_task_logical_date=True,
        )
        t, f = EmptyOperator(task_id="t"), EmptyOperator(task_id="f")
        by_time >> [t, f]
        by_day >> [t, f]
    assert run_task(dag, "by_time", MemoryRuntime(), logical_date=LOGICAL) == "t"
    assert run_task(dag, "by_time", MemoryRuntime(), logical_date=LOGICAL + timedelta(hours=3)) == "f"
    assert run_task(dag, "by_day", MemoryRuntime(), logical_date=LOGICAL) == "t"
    assert run_task(dag, "by_day", MemoryRuntime(), logical_date=LOGICAL + timedelta(days=3)) == "f"
    with pytest.raises(AirflowException, match="Both target_upper and target_lower are None"):
        BranchDateTimeOperator(task_id="x", follow_task_ids_if_true="t", follow_task_ids_if_false="f")
    with pytest.raises(AttributeError, match="Invalid Week Day"):
        WeekDay.validate_week_day("Caturday")


# -- others ------------------------------------------------------------------------------------------
def test_empty_and_dummy():
    dag = one_task_dag(lambda: DummyOperator(task_id="e"))
    assert run_task(dag, "e", MemoryRuntime()) is None
    assert isinstance(dag.get_task("e"), EmptyOperator) and dag.get_task("e").inherits_from_empty_operator


def test_trigger_dagrun_creates_a_run_and_pushes_its_id():
    dag = one_task_dag(
        lambda: TriggerDagRunOperator(
            task_id="trig",
            trigger_dag_id="other_{{ params.n }}",
            conf={"k": "{{ ds }}"},
            params={"n": 1},
            trigger_run_id="run_{{ ds_nodash }}",
            logical_date="{{ logical_date }}",
        )
    )
    runtime = MemoryRuntime()
    run_task(dag, "trig", runtime, logical_date=LOGICAL)
    assert runtime.triggered == [
        {
            "dag_id": "other_1",
            "run_id": "run_20240304",
            "conf": {"k": "2024-03-04"},
            "logical_date": "2024-03-04T00:00:00+00:00",
            "reset": False,
        }
    ]
    assert runtime.xcoms[("d", "r", "trig", -1, "trigger_run_id")] == "run_20240304"


def test_trigger_dagrun_existing_run_fails_or_skips():
    def build(skip):
        return one_task_dag(
            lambda: TriggerDagRunOperator(
                task_id="trig", trigger_dag_id="o", trigger_run_id="x", skip_when_already_exists=skip
            )
        )

    runtime = MemoryRuntime()
    run_task(build(False), "trig", runtime)
    with pytest.raises(AirflowException, match="already exists"):
        run_task(build(False), "trig", runtime)
    with pytest.raises(AirflowSkipException):
        run_task(build(True), "trig", runtime)


def test_trigger_dagrun_waits_for_completion():
    dag = one_task_dag(
        lambda: TriggerDagRunOperator(
            task_id="trig", trigger_dag_id="o", trigger_run_id="x", wait_for_completion=True, poke_interval=0
        )
    )
    runtime = MemoryRuntime()
    runtime.run_states[("o", "x")] = ["queued", "running", "success"]
    run_task(dag, "trig", runtime)
    failing = MemoryRuntime()
    failing.run_states[("o", "x")] = ["running", "failed"]
    with pytest.raises(AirflowException, match="o failed with failed states failed"):
        run_task(dag, "trig", failing)


def test_trigger_dagrun_conf_must_be_json_and_1_10_callable():
    with pytest.raises(AirflowException, match="JSON Serializable"):
        TriggerDagRunOperator(task_id="t", trigger_dag_id="o", conf={"x": object()})

    def decide(context, dag_run_obj):
        dag_run_obj.payload = {"from": "callable"}
        return dag_run_obj

    dag = one_task_dag(
        lambda: TriggerDagRunOperator(
            task_id="trig", trigger_dag_id="o", python_callable=decide, execution_date=LOGICAL
        )
    )
    runtime = MemoryRuntime()
    run_task(dag, "trig", runtime)
    assert runtime.triggered[0]["conf"] == {"from": "callable"}
    assert runtime.triggered[0]["logical_date"] == "2024-03-04T00:00:00+00:00"
    nothing = one_task_dag(
        lambda: TriggerDagRunOperator(task_id="trig", trigger_dag_id="o", python_callable=lambda c, o: None)
    )
    quiet = MemoryRuntime()
    run_task(nothing, "trig", quiet)
    assert quiet.triggered == []


def test_latest_only():
    with DAG("d", schedule="@daily", start_date=START) as dag:
        LatestOnlyOperator(task_id="latest") >> EmptyOperator(task_id="after")
    dag.generation = "2"
    old = datetime(2024, 1, 1, tzinfo=UTC)
    runtime = MemoryRuntime()
    assert (
        run_task(dag, "latest", runtime, logical_date=old, data_interval=(old, old + timedelta(days=1))) == []
    )
    assert runtime.skipped == [(("after",), None)]
    manual = MemoryRuntime()
    assert run_task(dag, "latest", manual, logical_date=old, run_type="manual") == ["after"]
    assert manual.skipped == []
    now = tz.utcnow()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    latest = MemoryRuntime()
    run_task(dag, "latest", latest, logical_date=start, data_interval=(start, start + timedelta(days=1)))
    assert latest.skipped == []


def test_context_vars_reach_bash(monkeypatch):
    dag = one_task_dag(
        lambda: BashOperator(task_id="b", bash_command="echo $AIRFLOW_CTX_DAG_ID/$AIRFLOW_CTX_LOGICAL_DATE")
    )
    assert run_task(dag, "b", MemoryRuntime(), logical_date=LOGICAL) == "d/2024-03-04T00:00:00+00:00"
    assert os.environ.get("AIRFLOW_CTX_DAG_ID") is None
