"""Airflow's own example DAGs under Brisa: 1.10.15, 2.10.5, 3.3.2 (apache-airflow-core) and
the standard provider 1.21.0.

Their wheels are downloaded from the package index at test time (cached; never kept in this
repository) and their ``example_dags`` read where they lie. Every file must either load, or
fail naming what Brisa does not support (or a third-party package that is not installed,
as on an Airflow without it): never an error from inside Brisa. The files that load today
are pinned, so that none stops loading unnoticed, and a selection of them runs to success
under ``brisa dags test``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from brisa.loader import parse_file
from brisa.runtime import NoSecrets, ParseRuntime, use_runtime
from brisa.services.run_actions import ServiceActions

pytestmark = pytest.mark.slow

WHEELS = {
    "1.10.15": ("apache-airflow==1.10.15", "airflow/example_dags"),
    "2.10.5": ("apache-airflow==2.10.5", "airflow/example_dags"),
    "3.3.2": ("apache-airflow-core==3.3.2", "airflow/example_dags"),
    "standard-1.21.0": (
        "apache-airflow-providers-standard==1.21.0",
        "airflow/providers/standard/example_dags",
    ),
}
REFUSED = re.compile(r"Brisa does not support|is not supported by Brisa")
THIRD_PARTY = re.compile(r"^ModuleNotFoundError: No module named '(?!airflow)[\w.]+'$")

MUST_LOAD = {
    "1.10.15": {
        "example_bash_operator.py",
        "example_branch_operator.py",
        "example_branch_python_dop_operator_3.py",
        "example_complex.py",
        "example_external_task_marker_dag.py",
        "example_latest_only.py",
        "example_latest_only_with_trigger.py",
        "example_nested_branch_dag.py",
        "example_passing_params_via_test_command.py",
        "example_python_operator.py",
        "example_short_circuit_operator.py",
        "example_skip_dag.py",
        "example_trigger_controller_dag.py",
        "example_trigger_target_dag.py",
        "example_xcom.py",
        "tutorial.py",
    },
    "2.10.5": {
        "example_bash_decorator.py",
        "example_bash_operator.py",
        "example_branch_datetime_operator.py",
        "example_branch_day_of_week_operator.py",
        "example_branch_labels.py",
        "example_branch_operator.py",
        "example_branch_operator_decorator.py",
        "example_branch_python_dop_operator_3.py",
        "example_complex.py",
        "example_dag_decorator.py",
        "example_dataset_alias.py",
        "example_dataset_alias_with_no_taskflow.py",
        "example_datasets.py",
        "example_display_name.py",
        "example_dynamic_task_mapping.py",
        "example_dynamic_task_mapping_with_no_taskflow_operators.py",
        "example_external_task_marker_dag.py",
        "example_inlet_event_extra.py",
        "example_latest_only.py",
        "example_latest_only_with_trigger.py",
        "example_nested_branch_dag.py",
        "example_outlet_event_extra.py",
        "example_params_trigger_ui.py",
        "example_params_ui_tutorial.py",
        "example_passing_params_via_test_command.py",
        "example_python_decorator.py",
        "example_python_operator.py",
        "example_sensor_decorator.py",
        "example_sensors.py",
        "example_setup_teardown.py",
        "example_setup_teardown_taskflow.py",
        "example_short_circuit_decorator.py",
        "example_short_circuit_operator.py",
        "example_skip_dag.py",
        "example_sla_dag.py",
        "example_task_group.py",
        "example_task_group_decorator.py",
        "example_time_delta_sensor_async.py",
        "example_trigger_controller_dag.py",
        "example_trigger_target_dag.py",
        "example_xcom.py",
        "example_xcomargs.py",
        "tutorial.py",
        "tutorial_dag.py",
        "tutorial_taskflow_api.py",
        "tutorial_taskflow_api_virtualenv.py",
        "tutorial_taskflow_templates.py",
    },
    "3.3.2": {
        "example_asset_alias.py",
        "example_asset_alias_with_no_taskflow.py",
        "example_asset_decorator.py",
        "example_asset_partition.py",
        "example_assets.py",
        "example_branch_labels.py",
        "example_branch_python_dop_operator_3.py",
        "example_complex.py",
        "example_dag_decorator.py",
        "example_display_name.py",
        "example_dynamic_task_mapping.py",
        "example_dynamic_task_mapping_with_no_taskflow_operators.py",
        "example_failed_dag.py",
        "example_inlet_event_extra.py",
        "example_latest_only_with_trigger.py",
        "example_nested_branch_dag.py",
        "example_outlet_event_extra.py",
        "example_params_trigger_ui.py",
        "example_params_ui_tutorial.py",
        "example_passing_params_via_test_command.py",
        "example_setup_teardown.py",
        "example_setup_teardown_taskflow.py",
        "example_simplest_dag.py",
        "example_skip_dag.py",
        "example_task_group.py",
        "example_task_group_decorator.py",
        "example_task_state_store.py",
        "example_task_state_store_async.py",
        "example_task_state_store_mapped.py",
        "example_time_delta_sensor_async.py",
        "example_trigger_target_dag.py",
        "example_xcom.py",
        "example_xcomargs.py",
        "tutorial.py",
        "tutorial_dag.py",
        "tutorial_taskflow_api.py",
        "tutorial_taskflow_api_virtualenv.py",
        "tutorial_taskflow_templates.py",
    },
    "standard-1.21.0": {
        "example_bash_decorator.py",
        "example_bash_operator.py",
        "example_branch_datetime_operator.py",
        "example_branch_day_of_week_operator.py",
        "example_branch_operator.py",
        "example_branch_operator_decorator.py",
        "example_external_task_child_deferrable.py",
        "example_external_task_marker_dag.py",
        "example_external_task_parent_deferrable.py",
        "example_latest_only.py",
        "example_measurement_correction_decorator.py",
        "example_measurement_correction_operator.py",
        "example_python_decorator.py",
        "example_python_operator.py",
        "example_sensor_decorator.py",
        "example_sensors.py",
        "example_short_circuit_decorator.py",
        "example_short_circuit_operator.py",
        "example_trigger_controller_dag.py",
    },
}

# Self-contained examples (no network, no sensor waiting on the clock) run to success.
RUN_TO_SUCCESS = [
    ("1.10.15", "example_xcom"),
    ("1.10.15", "example_branch_operator"),
    ("2.10.5", "example_xcom"),
    ("2.10.5", "example_dynamic_task_mapping"),
    ("2.10.5", "example_task_group"),
    ("2.10.5", "example_complex"),
    ("2.10.5", "example_setup_teardown_taskflow"),
    ("3.3.2", "example_simplest_dag"),
    ("3.3.2", "tutorial_taskflow_api"),
    ("3.3.2", "example_dynamic_task_mapping"),
    ("3.3.2", "example_task_state_store"),
    # data-aware scheduling: producers record their events (extra by yield, by context, via an alias)
    ("2.10.5", "dataset_with_extra_by_yield"),
    ("2.10.5", "dataset_with_extra_from_classic_operator"),
    ("2.10.5", "dataset_alias_example_alias_producer"),
    ("3.3.2", "asset_with_extra_by_context"),
    ("3.3.2", "asset1_producer"),
    ("3.3.2", "asset_alias_example_alias_consumer"),
    ("standard-1.21.0", "example_short_circuit_operator"),
]


def _cache() -> Path:
    root = os.environ.get("BRISA_TEST_CACHE") or str(Path.home() / ".cache" / "brisa-test")
    return Path(root) / "airflow-examples"


@pytest.fixture(scope="session")
def example_folders() -> dict[str, Path]:
    folders = {}
    for name, (spec, examples) in WHEELS.items():
        target = _cache() / name
        done = target / ".extracted"
        if not done.exists():
            wheels = target / "wheel"
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", spec, "-d", str(wheels)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert result.returncode == 0, f"could not download {spec}:\n{result.stdout}{result.stderr}"
            (wheel,) = wheels.glob("*.whl")
            with zipfile.ZipFile(wheel) as archive:
                members = [m for m in archive.namelist() if m.startswith(examples + "/")]
                archive.extractall(target / "files", members)
            done.touch()
        folders[name] = target / "files" / examples
    return folders


def _loads(path: Path) -> str | None:
    """None when the file loads; else its error's last line."""
    with use_runtime(ParseRuntime(NoSecrets())):
        result = parse_file(str(path), timeout=60, dags_folder=str(path.parent))
    return result.errors[0].message.strip().splitlines()[-1] if result.errors else None


@pytest.mark.parametrize("version", list(WHEELS))
def test_each_example_loads_or_names_what_brisa_does_not_support(example_folders, version):
    folder = example_folders[version]
    loaded, unexplained = set(), {}
    for path in sorted(folder.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        error = _loads(path)
        if error is None:
            loaded.add(path.name)
        elif not (REFUSED.search(error) or THIRD_PARTY.match(error)):
            unexplained[str(path.relative_to(folder))] = error
    assert unexplained == {}, "errors from inside Brisa, not a clear refusal"
    assert MUST_LOAD[version] - loaded == set(), "these examples no longer load"


@pytest.mark.parametrize(("version", "dag_id"), RUN_TO_SUCCESS, ids=[f"{v}-{d}" for v, d in RUN_TO_SUCCESS])
def test_examples_run_to_success_under_dags_test(example_folders, tmp_path, version, dag_id):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env.update(
        BRISA_HOME=str(tmp_path / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(example_folders[version]),
        BRISA__CORE__LOAD_EXAMPLES="False",
    )
    result = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", dag_id, "2024-01-02"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"DAG run of {dag_id} at 2024-01-02T00:00:00+00:00 ended as success" in result.stdout


# Airflow's alias examples through the real scheduler: the producer emits an event on an asset
# through an alias, which triggers both the alias's consumer and the asset's.
ALIAS_FLOWS = [
    (
        "2.10.5",
        "example_dataset_alias.py",
        "dataset_alias_example_alias_producer",
        {"dataset_alias_example_alias_consumer", "dataset_s3_bucket_consumer"},
        "dataset_triggered",
    ),
    (
        "3.3.2",
        "example_asset_alias.py",
        "asset_alias_example_alias_producer",
        {"asset_alias_example_alias_consumer", "asset_s3_bucket_consumer"},
        "asset_triggered",
    ),
]


def _run_scheduler(store, clock, *, ticks: int) -> None:
    """Drive a real Scheduler with in-process tries for ``ticks`` ticks of the fake clock."""
    from brisa.executors.inline import InlineExecutor
    from brisa.runner.store_runtime import StoreRuntime
    from brisa.runner.task_runner import run_try
    from brisa.scheduler.loop import Scheduler, SchedulerConfig
    from tests.runner.test_task_runner import _Masker, _Secrets

    def run_one(workload):
        runtime = StoreRuntime(
            store, workload.key, secrets=_Secrets(), masker=_Masker(), clock=clock, actions=ServiceActions()
        )
        return run_try(workload, runtime)

    scheduler = Scheduler(
        store, InlineExecutor(store, run_one, clock=clock), config=SchedulerConfig(), clock=clock
    )
    scheduler.start_job()
    for _ in range(ticks):
        scheduler.tick(clock())
        scheduler.handle_events(scheduler.executor.poll())
        clock.advance(1)


@pytest.mark.parametrize(("version", "file", "producer", "consumers", "run_type"), ALIAS_FLOWS)
def test_alias_examples_trigger_their_consumers_through_the_scheduler(
    example_folders, memory_store, version, file, producer, consumers, run_type
):
    from datetime import UTC, datetime

    from brisa.services.runs import trigger_run
    from brisa.states import RunState
    from brisa.testing import FakeClock

    store, clock = memory_store, FakeClock(datetime.now(UTC).replace(microsecond=0))
    path = example_folders[version] / file
    with use_runtime(ParseRuntime(NoSecrets())):
        dags = {d.dag_id: d for d in parse_file(str(path), timeout=60, dags_folder=str(path.parent)).dags}
    with store.transaction() as tx:
        for dag in dags.values():
            tx.dags.upsert(dag, paused_when_new=False, now=clock())
        trigger_run(tx, dags[producer], now=clock())

    _run_scheduler(store, clock, ticks=12)
    with store.transaction(readonly=True) as tx:
        triggered = {r.dag_id: r for r in tx.runs.list(run_types=[run_type]).items}
    assert set(triggered) == consumers
    assert {r.state for r in triggered.values()} == {RunState.SUCCESS}


# Airflow 3.3.2's partition example through the real scheduler: each producer is triggered
# (with a partition key where Airflow's docs trigger it with one) and each consumer must get
# one run per (mapped) key, or none where the example says it never triggers.
PARTITION_FLOWS = {
    "ingest_team_a_player_stats": "2026-01-01T10:00:00",
    "team_b_player_stats": "2026-01-01T10:15:00",
    "team_c_player_stats": "2026-01-01T10:30:00",
    "ingest_regional_sales": None,  # add_partitions("us|...", "eu|...", "apac|...")
    "ingest_region_stats": "eu",
    "live_region_player_stats": None,  # add_partitions("us")
    "multi_region_player_stats": None,  # add_partitions(["us", "eu", "apac"])
}
PARTITION_RUNS = {
    "clean_and_combine_player_stats": ["2026-01-01T10"],
    "compute_player_odds": ["2026-01-01T10"],
    "aggregate_regional_sales": ["apac|2026-06-14", "eu|2026-06-14", "us|2026-06-14"],
    "regional_stats_breakdown": ["eu"],
    "summarize_live_region_stats": ["us"],
    "scatter_live_region_to_segments": ["apac", "eu", "us"],
    "segment_region_stats_rollup": ["all_regions"],
    "segment_region_stats_early_rollup": ["all_regions"],
    # never: a year key against hour keys; a day waiting for 24 hours; no weekly model yet
    "player_odds_quality_check_wont_ever_to_trigger": [],
    "daily_team_a_rollup": [],
    "monthly_team_a_rollup": [],
    "daily_inference": [],
    "trailing_week_inference": [],
}


def test_the_partition_example_runs_one_consumer_run_per_key(example_folders, memory_store):
    from datetime import UTC, datetime

    from brisa.services.runs import trigger_run
    from brisa.states import RunState
    from brisa.testing import FakeClock

    store, clock = memory_store, FakeClock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    path = example_folders["3.3.2"] / "example_asset_partition.py"
    with use_runtime(ParseRuntime(NoSecrets())):
        dags = {d.dag_id: d for d in parse_file(str(path), timeout=60, dags_folder=str(path.parent)).dags}
    with store.transaction() as tx:
        for dag in dags.values():
            tx.dags.upsert(dag, paused_when_new=False, now=clock())
        for producer, key in PARTITION_FLOWS.items():
            trigger_run(tx, dags[producer], now=clock(), partition_key=key, run_id=f"manual__{producer}")

    _run_scheduler(store, clock, ticks=20)
    with store.transaction(readonly=True) as tx:
        runs = tx.runs.list(run_types=["asset_triggered"], limit=1000).items
    got = {dag_id: sorted(r.partition_key for r in runs if r.dag_id == dag_id) for dag_id in PARTITION_RUNS}
    assert got == PARTITION_RUNS
    assert {r.state for r in runs} == {RunState.SUCCESS}
    (combined,) = (r for r in runs if r.dag_id == "clean_and_combine_player_stats")
    assert combined.partition_date == datetime(2026, 1, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("version", ["2.10.5", "3.3.2"])
def test_the_deferrable_sensor_example_defers_and_resumes_under_dags_test(example_folders, tmp_path, version):
    """Without a logical date the run's interval ends now: its TimeDeltaSensor (deferrable)
    waits 30 s in the triggerer, as under Airflow's dag.test(), then the run succeeds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env.update(
        BRISA_HOME=str(tmp_path / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(example_folders[version]),
        BRISA__CORE__LOAD_EXAMPLES="False",
    )
    dag_id = "example_time_delta_sensor_async"
    result = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", dag_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Pausing task as DEFERRED" in output and "trigger fired" in output
    assert re.search(rf"DAG run of {dag_id} at \S+ ended as success", output)
