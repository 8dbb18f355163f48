"""Template context golden tests.

The expected values were produced by real Airflow (2.10.5 for generation 2 and 3.1.8
for generation 3) for the same DAGs and dates; generation 2 prints dates with the
``T`` of pendulum 2, as Airflow 1.10-2.7 did (see brisa.templating.dates).
"""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest

from brisa.templating import PreviousRuns, build_context, make_environment, render
from brisa.timetables import timetable_for

from .helpers import FakeDag, FakeDagRun, FakeRuntime, FakeTask, FakeTI, scheduled_run, tutorial_dag, utc

TASK = FakeTask(task_id="templated")


def context_for(dag, dag_run, *, generation, **kwargs):
    ti = FakeTI(task_id=TASK.task_id, dag_id=dag.dag_id, run_id=dag_run.run_id)
    return build_context(
        dag=dag, task=TASK, dag_run=dag_run, ti=ti, generation=generation, runtime=FakeRuntime(), **kwargs
    )


def rendered(context, keys):
    """Each key as ``{{ key }}`` renders it: what templates print, character for character."""
    env = make_environment()
    return {key: render("{{ " + key + " }}", context, env) for key in keys}


def manual_run(dag, run_after):
    interval = dag.timetable.infer_manual_data_interval(run_after=run_after)
    return FakeDagRun(
        run_id=f"manual__{run_after.isoformat()}",
        run_type="manual",
        logical_date=run_after,
        data_interval_start=interval.start,
        data_interval_end=interval.end,
        external_trigger=True,
    )


# -- generation 2 ---------------------------------------------------------------------------
TUTORIAL_2015_06_01 = {
    "ds": "2015-06-01",
    "ds_nodash": "20150601",
    "ts": "2015-06-01T00:00:00+00:00",
    "ts_nodash": "20150601T000000",
    "ts_nodash_with_tz": "20150601T000000+0000",
    "logical_date": "2015-06-01T00:00:00+00:00",
    "execution_date": "2015-06-01T00:00:00+00:00",
    "data_interval_start": "2015-06-01T00:00:00+00:00",
    "data_interval_end": "2015-06-02T00:00:00+00:00",
    "next_execution_date": "2015-06-02T00:00:00+00:00",
    "next_ds": "2015-06-02",
    "next_ds_nodash": "20150602",
    "prev_execution_date": "2015-05-31T00:00:00+00:00",
    "prev_ds": "2015-05-31",
    "prev_ds_nodash": "20150531",
    "yesterday_ds": "2015-05-31",
    "yesterday_ds_nodash": "20150531",
    "tomorrow_ds": "2015-06-02",
    "tomorrow_ds_nodash": "20150602",
    "prev_data_interval_start_success": "None",
    "prev_data_interval_end_success": "None",
    "prev_start_date_success": "None",
    "prev_end_date_success": "None",
    "prev_execution_date_success": "None",
    "run_id": "scheduled__2015-06-01T00:00:00+00:00",
    "task_instance_key_str": "tutorial__templated__20150601",
    "test_mode": "False",
    "expanded_ti_count": "None",
    "map_index_template": "None",
}


def test_tutorial_timedelta_schedule_generation_2():
    dag = tutorial_dag("2")
    context = context_for(dag, scheduled_run(dag, utc(2015, 6, 1), generation="2"), generation="2")
    assert rendered(context, TUTORIAL_2015_06_01) == TUTORIAL_2015_06_01
    assert render("{{ macros.ds_add(ds, 7) }}", context, make_environment()) == "2015-06-08"


def test_same_values_for_a_daily_cron_generation_2():
    dag = FakeDag("tutorial", timetable_for("@daily", generation="2"))
    context = context_for(dag, scheduled_run(dag, utc(2015, 6, 1), generation="2"), generation="2")
    assert rendered(context, TUTORIAL_2015_06_01) == TUTORIAL_2015_06_01


def test_dst_zone_generation_2_dates_are_utc():
    # Midnight in Amsterdam: the run of local 31 March starts 2024-03-30 23:00 UTC, so
    # ds is the UTC date, and the interval is 23 hours long (the spring change).
    dag = FakeDag("ams", timetable_for("0 0 * * *", generation="2", timezone="Europe/Amsterdam"))
    context = context_for(dag, scheduled_run(dag, utc(2024, 3, 30, 23), generation="2"), generation="2")
    assert rendered(
        context,
        [
            "ds",
            "ts",
            "data_interval_end",
            "next_execution_date",
            "next_ds",
            "prev_execution_date",
            "prev_ds",
            "yesterday_ds",
            "tomorrow_ds",
            "logical_date.add(days=1)",
        ],
    ) == {
        "ds": "2024-03-30",
        "ts": "2024-03-30T23:00:00+00:00",
        "data_interval_end": "2024-03-31T22:00:00+00:00",
        "next_execution_date": "2024-03-31T22:00:00+00:00",
        "next_ds": "2024-03-31",
        "prev_execution_date": "2024-03-29T23:00:00+00:00",
        "prev_ds": "2024-03-29",
        "yesterday_ds": "2024-03-29",
        "tomorrow_ds": "2024-03-31",
        "logical_date.add(days=1)": "2024-03-31T23:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("schedule", "interval_start", "interval_end"),
    [
        ("@daily", "2015-06-04T00:00:00+00:00", "2015-06-05T00:00:00+00:00"),
        (dt.timedelta(days=1), "2015-06-04T13:17:01+00:00", "2015-06-05T13:17:01+00:00"),
        (None, "2015-06-05T13:17:01+00:00", "2015-06-05T13:17:01+00:00"),
    ],
)
def test_manual_run_generation_2(schedule, interval_start, interval_end):
    dag = FakeDag("manual", timetable_for(schedule, generation="2"))
    context = context_for(dag, manual_run(dag, utc(2015, 6, 5, 13, 17, 1)), generation="2")
    assert rendered(
        context,
        [
            "ds",
            "ts",
            "data_interval_start",
            "data_interval_end",
            "next_execution_date",
            "next_ds",
            "prev_execution_date",
            "prev_ds_nodash",
            "run_id",
        ],
    ) == {
        "ds": "2015-06-05",
        "ts": "2015-06-05T13:17:01+00:00",
        "data_interval_start": interval_start,
        "data_interval_end": interval_end,
        # Airflow 2: a manual run's neighbours are itself.
        "next_execution_date": "2015-06-05T13:17:01+00:00",
        "next_ds": "2015-06-05",
        "prev_execution_date": "2015-06-05T13:17:01+00:00",
        "prev_ds_nodash": "20150605",
        "run_id": "manual__2015-06-05T13:17:01+00:00",
    }


def test_generation_2_neighbours_of_non_interval_timetables():
    # A trigger timetable has a next run but Airflow 2 knows no previous one.
    dag = FakeDag("trigger", timetable_for("@daily", generation="3"))
    run = FakeDagRun("scheduled__x", "scheduled", utc(2024, 1, 5), utc(2024, 1, 5), utc(2024, 1, 5))
    context = context_for(dag, run, generation="2")
    assert (context["next_ds"], context["prev_execution_date"], context["prev_ds"]) == (
        "2024-01-06",
        None,
        None,
    )
    once = FakeDag("once", timetable_for("@once", generation="2"))
    context = context_for(once, run, generation="2")
    assert (context["next_execution_date"], context["prev_execution_date"]) == (None, None)


def test_generation_2_key_set_is_airflow_2_10s():
    dag = tutorial_dag("2")
    context = context_for(dag, scheduled_run(dag, utc(2015, 6, 1), generation="2"), generation="2")
    assert set(context) == set(
        [
            "conf",
            "conn",
            "dag",
            "dag_run",
            "data_interval_end",
            "data_interval_start",
            "ds",
            "ds_nodash",
            "execution_date",
            "expanded_ti_count",
            "inlet_events",
            "inlets",
            "logical_date",
            "macros",
            "map_index_template",
            "next_ds",
            "next_ds_nodash",
            "next_execution_date",
            "outlet_events",
            "outlets",
            "params",
            "prev_data_interval_end_success",
            "prev_data_interval_start_success",
            "prev_ds",
            "prev_ds_nodash",
            "prev_end_date_success",
            "prev_execution_date",
            "prev_execution_date_success",
            "prev_start_date_success",
            "run_id",
            "task",
            "task_instance",
            "task_instance_key_str",
            "test_mode",
            "ti",
            "tomorrow_ds",
            "tomorrow_ds_nodash",
            "triggering_dataset_events",
            "ts",
            "ts_nodash",
            "ts_nodash_with_tz",
            "var",
            "yesterday_ds",
            "yesterday_ds_nodash",
        ]
    )


def test_a_1_10_file_also_gets_airflow_1_10_15s_extra_keys():
    """Airflow 1.10.15's get_template_context: END_DATE, end_date and latest_date are ds,
    tables is the task's ``tables`` param; Airflow 2.0 removed the four (a 2.x file has none)."""
    dag = tutorial_dag("2")
    dag.written_for_airflow_1 = True
    run = scheduled_run(dag, utc(2015, 6, 1), generation="2")
    task = FakeTask(task_id="templated", params={"tables": ["users", "orders"]})
    ti = FakeTI(task_id=task.task_id, dag_id=dag.dag_id, run_id=run.run_id)
    context = build_context(dag=dag, task=task, dag_run=run, ti=ti, generation="2", runtime=FakeRuntime())
    assert {k: context[k] for k in ("END_DATE", "end_date", "latest_date", "tables")} == {
        "END_DATE": "2015-06-01",
        "end_date": "2015-06-01",
        "latest_date": "2015-06-01",
        "tables": ["users", "orders"],
    }
    assert context_for(dag, run, generation="2")["tables"] is None  # no such param: None, as 1.10
    dag.written_for_airflow_1 = False
    assert not {"END_DATE", "end_date", "latest_date", "tables"} & set(context_for(dag, run, generation="2"))


def test_manual_runs_neighbours_are_the_runs_own_date_in_1_10_and_2_x_alike():
    """Airflow 1.10.15 (``if dag_run and dag_run.external_trigger``) and 2.10 agree: a manual
    run's next/prev execution dates are its own logical date; Airflow 3 removed the keys."""
    dag = tutorial_dag("2")
    dag.written_for_airflow_1 = True
    context = context_for(dag, manual_run(dag, utc(2015, 6, 1, 12)), generation="2")
    shown = rendered(context, ["next_ds", "prev_ds", "latest_date"])
    assert shown == {"next_ds": "2015-06-01", "prev_ds": "2015-06-01", "latest_date": "2015-06-01"}


# -- generation 3 ---------------------------------------------------------------------------
def test_tutorial_timedelta_schedule_generation_3():
    # Airflow 3: a timedelta schedule fires at the tick and the logical date is the tick.
    dag = tutorial_dag("3")
    run = scheduled_run(dag, utc(2015, 6, 1), generation="3")
    context = context_for(dag, run, generation="3")
    assert rendered(
        context,
        [
            "ds",
            "ts",
            "logical_date",
            "data_interval_start",
            "data_interval_end",
            "task_instance_key_str",
            "logical_date.add(days=1)",
            "logical_date | ts",
        ],
    ) == {
        "ds": "2015-06-01",
        "ts": "2015-06-01T00:00:00+00:00",
        "logical_date": "2015-06-01 00:00:00+00:00",  # pendulum 3 prints a space
        "data_interval_start": "2015-06-01 00:00:00+00:00",
        "data_interval_end": "2015-06-01 00:00:00+00:00",
        "task_instance_key_str": "tutorial__templated__20150601",
        "logical_date.add(days=1)": "2015-06-02 00:00:00+00:00",
        "logical_date | ts": "2015-06-01T00:00:00+00:00",
    }
    assert render("{{ macros.ds_add(ds, 7) }}", context, make_environment()) == "2015-06-08"


def test_daily_cron_every_value_generation_3():
    dag = FakeDag("cron3", timetable_for("@daily", generation="3"))
    context = context_for(dag, scheduled_run(dag, utc(2015, 6, 1), generation="3"), generation="3")
    expected = {
        "ds": "2015-06-01",
        "ds_nodash": "20150601",
        "ts": "2015-06-01T00:00:00+00:00",
        "ts_nodash": "20150601T000000",
        "ts_nodash_with_tz": "20150601T000000+0000",
        "logical_date": "2015-06-01 00:00:00+00:00",
        "data_interval_start": "2015-06-01 00:00:00+00:00",
        "data_interval_end": "2015-06-01 00:00:00+00:00",
        "prev_data_interval_start_success": "None",
        "prev_data_interval_end_success": "None",
        "prev_start_date_success": "None",
        "prev_end_date_success": "None",
        "run_id": "scheduled__2015-06-01T00:00:00+00:00",
        "task_instance_key_str": "cron3__templated__20150601",
        "task_reschedule_count": "0",
        "map_index_template": "None",
        "inlets": "[]",
        "outlets": "[]",
    }
    assert rendered(context, expected) == expected
    # Keys Airflow 3 removed are undefined, so StrictUndefined makes them errors.
    with pytest.raises(jinja2.UndefinedError):
        render("{{ next_ds }}", context, make_environment())


def test_dst_zone_generation_3():
    # 02:00 did not exist in Amsterdam on 31 March 2024: the run fired at 03:00 CEST.
    dag = FakeDag("ams3", timetable_for("0 2 * * *", generation="3", timezone="Europe/Amsterdam"))
    context = context_for(dag, scheduled_run(dag, utc(2024, 3, 31, 1), generation="3"), generation="3")
    assert rendered(context, ["ds", "ts_nodash_with_tz", "logical_date", "data_interval_end", "run_id"]) == {
        "ds": "2024-03-31",
        "ts_nodash_with_tz": "20240331T010000+0000",
        "logical_date": "2024-03-31 01:00:00+00:00",
        "data_interval_end": "2024-03-31 01:00:00+00:00",
        "run_id": "scheduled__2024-03-31T01:00:00+00:00",
    }


GENERATION_3_KEYS = set(
    [
        "conn",
        "dag",
        "dag_run",
        "data_interval_end",
        "data_interval_start",
        "ds",
        "ds_nodash",
        "inlet_events",
        "inlets",
        "logical_date",
        "macros",
        "map_index_template",
        "outlet_events",
        "outlets",
        "params",
        "prev_data_interval_end_success",
        "prev_data_interval_start_success",
        "prev_end_date_success",
        "prev_start_date_success",
        "run_id",
        "task",
        "task_instance",
        "task_instance_key_str",
        "task_reschedule_count",
        "task_state_store",  # Airflow 3.3 (AIP-103); the rest is Airflow 3.1.8's set
        "partition_key",  # Airflow 3.2+ (None for a run without a partition)
        "partition_date",
        "ti",
        "triggering_asset_events",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "var",
    ]
)


@pytest.mark.parametrize("schedule", [dt.timedelta(days=1), "@daily", None])
def test_generation_3_key_set_is_airflow_3s(schedule):
    dag = FakeDag("d", timetable_for(schedule, generation="3"))
    context = context_for(dag, manual_run(dag, utc(2015, 6, 5, 13, 17, 1)), generation="3")
    assert set(context) == GENERATION_3_KEYS


def test_a_partitioned_run_s_key_and_date_are_in_the_context():
    dag = FakeDag("d", timetable_for(None, generation="3"))
    run = FakeDagRun("asset_triggered__x", "asset_triggered", None, None, None)
    assert (context_for(dag, run, generation="3")["partition_key"], run.partition_date) == (None, None)
    run.partition_key, run.partition_date = "2024-03-13", dt.datetime(2024, 3, 13, tzinfo=dt.UTC)
    context = context_for(dag, run, generation="3")
    assert (context["partition_key"], context["partition_date"]) == ("2024-03-13", utc(2024, 3, 13))
    assert rendered(context, ["partition_key"]) == {"partition_key": "2024-03-13"}


def test_generation_3_run_without_logical_date_has_no_date_keys():
    dag = FakeDag("d", timetable_for(None, generation="3"))
    run = FakeDagRun("manual__abc", "manual", None, None, None, external_trigger=True)
    context = context_for(dag, run, generation="3")
    assert GENERATION_3_KEYS - set(context) == set(
        [
            "logical_date",
            "ds",
            "ds_nodash",
            "ts",
            "ts_nodash",
            "ts_nodash_with_tz",
            "data_interval_start",
            "data_interval_end",
            "prev_data_interval_start_success",
            "prev_data_interval_end_success",
        ]
    )
    assert context["task_instance_key_str"] == "d__templated__manual__abc"


# -- both generations ---------------------------------------------------------------------------
TUTORIAL_TEMPLATE = """
    {% for i in range(5) %}
        echo "{{ ds }}"
        echo "{{ macros.ds_add(ds, 7)}}"
        echo "{{ params.my_param }}"
    {% endfor %}
"""


@pytest.mark.parametrize("generation", ["2", "3"])
def test_tutorial_templated_command_renders_15_lines(generation):
    dag = tutorial_dag(generation)
    context = context_for(
        dag, scheduled_run(dag, utc(2015, 6, 1), generation=generation), generation=generation
    )
    result = render(TUTORIAL_TEMPLATE, context, make_environment())
    # Exactly what Airflow 2.10 and 3.1 hand to bash for this template.
    block = (
        '\n        echo "2015-06-01"\n        echo "2015-06-08"\n        echo "Parameter I passed in"\n    '
    )
    assert result == "\n    " + block * 5
    assert [line.strip() for line in result.splitlines() if line.strip()] == [
        'echo "2015-06-01"',
        'echo "2015-06-08"',
        'echo "Parameter I passed in"',
    ] * 5


@pytest.mark.parametrize("generation", ["2", "3"])
def test_previous_successful_run_values(generation):
    dag = tutorial_dag(generation)
    prev = PreviousRuns(
        prev_data_interval_start_success=utc(2015, 5, 31),
        prev_data_interval_end_success=utc(2015, 6, 1),
        prev_start_date_success=utc(2015, 6, 1, 0, 0, 5),
        prev_end_date_success=utc(2015, 6, 1, 0, 1),
        prev_logical_date_success=utc(2015, 5, 31),
    )
    context = context_for(
        dag, scheduled_run(dag, utc(2015, 6, 1), generation=generation), generation=generation, prev=prev
    )
    sep = "T" if generation == "2" else " "
    expected = {
        "prev_data_interval_start_success": f"2015-05-31{sep}00:00:00+00:00",
        "prev_data_interval_end_success": f"2015-06-01{sep}00:00:00+00:00",
        "prev_start_date_success": f"2015-06-01{sep}00:00:05+00:00",
        "prev_end_date_success": f"2015-06-01{sep}00:01:00+00:00",
    }
    if generation == "2":
        expected["prev_execution_date_success"] = "2015-05-31T00:00:00+00:00"
    assert rendered(context, expected) == expected


@pytest.mark.parametrize("generation", ["2", "3"])
def test_objects_passed_through(generation):
    dag = tutorial_dag(generation)
    run = scheduled_run(dag, utc(2015, 6, 1), generation=generation)
    context = context_for(dag, run, generation=generation)
    assert context["dag"] is dag and context["dag_run"] is run and context["task"] is TASK
    assert context["ti"] is context["task_instance"]
    env = make_environment()
    assert render(
        "{{ ti.xcom_pull(task_ids='up') }}|{{ dag.dag_id }}|{{ task.task_id }}|{{ inlets }}", context, env
    ) == ("xcom from up|tutorial|templated|[]")
    assert render("{{ dag_run.run_id }}", context, env) == run.run_id


def test_params_merge_dag_task_and_run_conf_unless_given():
    dag = FakeDag("p", timetable_for(None, generation="2"), params={"a": 1, "b": 1, "c": 1})
    task = FakeTask("t", params={"b": 2, "c": 2})
    run = FakeDagRun("manual__x", "manual", utc(2024, 1, 1), utc(2024, 1, 1), utc(2024, 1, 1), conf={"c": 3})
    ti = FakeTI("t", "p", "manual__x")
    context = build_context(dag=dag, task=task, dag_run=run, ti=ti, generation="2", runtime=FakeRuntime())
    assert context["params"] == {"a": 1, "b": 2, "c": 3}
    given = build_context(
        dag=dag, task=task, dag_run=run, ti=ti, generation="2", runtime=FakeRuntime(), params={"only": True}
    )
    assert given["params"] == {"only": True}


def test_generation_2_extras_and_conf():
    dag = tutorial_dag("2")
    run = scheduled_run(dag, utc(2015, 6, 1), generation="2")
    context = context_for(
        dag,
        run,
        generation="2",
        conf=lambda s, k: "/dags" if (s, k) == ("core", "dags_folder") else None,
        test_mode=True,
        expanded_ti_count=3,
    )
    env = make_environment()
    assert render(
        "{{ conf.get('core', 'dags_folder') }}|{{ test_mode }}|{{ expanded_ti_count }}", context, env
    ) == ("/dags|True|3")


def test_unknown_generation_is_refused():
    dag = tutorial_dag("2")
    with pytest.raises(ValueError, match="generation"):
        context_for(dag, scheduled_run(dag, utc(2015, 6, 1), generation="2"), generation="1")


def test_map_index_template_and_task_reschedule_count():
    dag = tutorial_dag("3")
    task = FakeTask("t", map_index_template="{{ task.task_id }}")
    run = scheduled_run(dag, utc(2015, 6, 1), generation="3")
    context = build_context(
        dag=dag,
        task=task,
        dag_run=run,
        ti=FakeTI("t", "tutorial", run.run_id),
        generation="3",
        runtime=FakeRuntime(),
        task_reschedule_count=2,
    )
    assert (context["map_index_template"], context["task_reschedule_count"]) == ("{{ task.task_id }}", 2)
