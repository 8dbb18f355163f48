"""The pure planner: given a run's task states, what happens next (no DB, no clock)."""

from datetime import UTC, datetime, timedelta

from brisa.plan.tasks import PastState, plan_run, topological_order
from brisa.serialized import MappedInput, MappedSpec
from brisa.states import RunState, TaskState
from brisa.testing import make_dag, make_run, make_ti, with_task

NOW = datetime(2026, 1, 1, 1, tzinfo=UTC)
S, F, K = TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED
DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}


def changes(plan):
    return {(c.key.task_id, c.key.map_index): c.to for c in plan.changes}


def test_roots_are_scheduled_first():
    dag = make_dag("d", DIAMOND)
    tis = [make_ti("d", t) for t in DIAMOND]
    plan = plan_run(dag, make_run("d"), tis, now=NOW)
    assert changes(plan) == {("a", -1): TaskState.SCHEDULED}
    assert plan.run_state is None


def test_downstream_scheduled_when_upstream_succeeded():
    dag = make_dag("d", DIAMOND)
    tis = [make_ti("d", "a", S), make_ti("d", "b"), make_ti("d", "c"), make_ti("d", "d")]
    assert changes(plan_run(dag, make_run("d"), tis, now=NOW)) == {
        ("b", -1): TaskState.SCHEDULED,
        ("c", -1): TaskState.SCHEDULED,
    }


def test_failure_cascades_upstream_failed_in_one_plan_and_fails_the_run():
    dag = make_dag("d", DIAMOND)
    tis = [make_ti("d", "a", F), make_ti("d", "b"), make_ti("d", "c"), make_ti("d", "d")]
    plan = plan_run(dag, make_run("d"), tis, now=NOW)
    assert changes(plan) == {
        ("b", -1): TaskState.UPSTREAM_FAILED,
        ("c", -1): TaskState.UPSTREAM_FAILED,
        ("d", -1): TaskState.UPSTREAM_FAILED,
    }
    assert plan.run_state == RunState.FAILED


def test_run_succeeds_when_leaves_succeed_even_if_a_middle_task_failed():
    dag = make_dag("d", {"a": [], "b": ["a"]}, task_options={"b": {"trigger_rule": "all_done"}})
    tis = [make_ti("d", "a", F), make_ti("d", "b", S)]
    assert plan_run(dag, make_run("d"), tis, now=NOW).run_state == RunState.SUCCESS


def test_all_skipped_run_is_a_success():
    dag = make_dag("d", {"a": [], "b": ["a"]})
    tis = [make_ti("d", "a", K), make_ti("d", "b")]
    plan = plan_run(dag, make_run("d"), tis, now=NOW)
    assert changes(plan) == {("b", -1): TaskState.SKIPPED}
    assert plan.run_state == RunState.SUCCESS


def test_retry_waits_for_its_time_and_asks_to_be_woken():
    dag = make_dag("d", {"a": []})
    later = NOW + timedelta(seconds=30)
    tis = [make_ti("d", "a", TaskState.UP_FOR_RETRY, next_try_at=later)]
    plan = plan_run(dag, make_run("d"), tis, now=NOW)
    assert plan.changes == [] and plan.wake_at == later
    plan = plan_run(dag, make_run("d"), tis, now=later)
    assert changes(plan) == {("a", -1): TaskState.SCHEDULED}


def test_dagrun_timeout_fails_run_and_skips_unfinished():
    dag = make_dag("d", {"a": [], "b": ["a"]}, dagrun_timeout=60)
    run = make_run("d", start_date=NOW - timedelta(seconds=61))
    tis = [make_ti("d", "a", TaskState.RUNNING), make_ti("d", "b")]
    plan = plan_run(dag, run, tis, now=NOW)
    assert changes(plan) == {("a", -1): K, ("b", -1): K}
    assert plan.run_state == RunState.FAILED


def test_mapped_placeholder_expands_to_length():
    spec = MappedSpec("expand", (MappedInput("x", xcom_task_id="a"),))
    dag = make_dag("d", {"a": [], "m": ["a"]}, task_options={"m": {"mapped": spec}})
    tis = [make_ti("d", "a", S), make_ti("d", "m")]
    plan = plan_run(dag, make_run("d"), tis, now=NOW, mapped_lengths={"m": 3})
    assert changes(plan) == {("m", -1): TaskState.SCHEDULED}
    assert plan.changes[0].fields == {"map_index": 0}
    assert [(n.task_id, n.map_index, n.state) for n in plan.new_tis] == [
        ("m", 1, TaskState.SCHEDULED),
        ("m", 2, TaskState.SCHEDULED),
    ]


def test_mapped_over_empty_list_is_skipped():
    spec = MappedSpec("expand", (MappedInput("x", literal_length=0),))
    dag = make_dag("d", {"m": []}, task_options={"m": {"mapped": spec}})
    plan = plan_run(dag, make_run("d"), [make_ti("d", "m")], now=NOW, mapped_lengths={"m": 0})
    assert changes(plan) == {("m", -1): K}
    assert plan.run_state == RunState.SUCCESS


def test_depends_on_past_waits_for_previous_success():
    dag = with_task(make_dag("d", {"a": []}), "a", depends_on_past=True)
    tis = [make_ti("d", "a")]
    blocked = plan_run(dag, make_run("d"), tis, now=NOW, past={"a": PastState(True, {-1: F})})
    assert blocked.changes == [] and blocked.run_state is None
    allowed = plan_run(dag, make_run("d"), tis, now=NOW, past={"a": PastState(True, {-1: S})})
    assert changes(allowed) == {("a", -1): TaskState.SCHEDULED}
    first = plan_run(dag, make_run("d"), tis, now=NOW, past={"a": PastState(False)})
    assert changes(first) == {("a", -1): TaskState.SCHEDULED}


def test_wait_for_downstream_needs_previous_downstream_done():
    dag = with_task(make_dag("d", {"a": [], "b": ["a"]}), "a", wait_for_downstream=True)
    tis = [make_ti("d", "a"), make_ti("d", "b")]
    past = {"a": PastState(True, {-1: S}, downstream_done=False)}
    assert plan_run(dag, make_run("d"), tis, now=NOW, past=past).changes == []


def test_task_removed_from_dag_is_marked_removed():
    dag = make_dag("d", {"a": []})
    tis = [make_ti("d", "a", S), make_ti("d", "gone")]
    plan = plan_run(dag, make_run("d"), tis, now=NOW)
    assert changes(plan) == {("gone", -1): TaskState.REMOVED}
    assert plan.run_state == RunState.SUCCESS


def test_task_added_to_dag_gets_an_instance():
    dag = make_dag("d", {"a": [], "new": []})
    plan = plan_run(dag, make_run("d"), [make_ti("d", "a", S)], now=NOW)
    assert [(n.task_id, n.map_index) for n in plan.new_tis] == [("new", -1)]
    assert plan.run_state is None


def test_topological_order_puts_upstream_first():
    order = [t.task_id for t in topological_order(make_dag("d", DIAMOND))]
    assert order.index("a") < order.index("b") < order.index("d")
    assert order.index("c") < order.index("d")


def _mapped_group_dag():
    """numbers >> [g.add >> g.double] (mapped task group g over numbers) >> total."""
    spec = MappedSpec("expand", (MappedInput("x", xcom_task_id="numbers"),), group="g")
    return make_dag(
        "d",
        {"numbers": [], "g.add": ["numbers"], "g.double": ["g.add"], "total": ["g.double"]},
        task_options={"g.add": {"mapped": spec}, "g.double": {"mapped": spec}},
    )


def test_a_mapped_group_task_waits_for_every_instance_of_its_group_upstream():
    dag = _mapped_group_dag()
    tis = [
        make_ti("d", "numbers", S),
        make_ti("d", "g.add", S, map_index=0),
        make_ti("d", "g.add", TaskState.RUNNING, map_index=1),
        make_ti("d", "g.double"),
        make_ti("d", "total"),
    ]
    plan = plan_run(dag, make_run("d"), tis, now=NOW, mapped_lengths={"g.double": 2})
    assert plan.changes == [] and plan.new_tis == []


def test_each_index_of_a_mapped_group_task_follows_the_same_index_upstream_as_airflow_2_5():
    # Airflow 2.5's "relevant upstream map index": g.double[1] is upstream_failed by
    # g.add[1] alone; the other indexes run.
    dag = _mapped_group_dag()
    tis = [
        make_ti("d", "numbers", S),
        *(make_ti("d", "g.add", state, map_index=i) for i, state in enumerate([S, F, S])),
        make_ti("d", "g.double"),
        make_ti("d", "total"),
    ]
    plan = plan_run(dag, make_run("d"), tis, now=NOW, mapped_lengths={"g.double": 3})
    assert changes(plan)[("g.double", -1)] == TaskState.SCHEDULED
    assert plan.changes[0].fields == {"map_index": 0}
    assert [(n.task_id, n.map_index, n.state) for n in plan.new_tis] == [
        ("g.double", 1, TaskState.UPSTREAM_FAILED),
        ("g.double", 2, TaskState.SCHEDULED),
    ]
