from __future__ import annotations

import pytest

from brisa.compat import decide_generation, generation_of


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("airflow.sdk", "3"),
        ("airflow.sdk.definitions.dag", "3"),
        ("airflow.providers.standard.operators.bash", "3"),
        ("airflow.operators.bash_operator", "2"),
        ("airflow.operators.bash", "2"),
        ("airflow.sensors.external_task", "2"),
        ("airflow.contrib.sensors.file_sensor", "2"),
        ("airflow.utils.dates", "2"),
        ("airflow.models.baseoperator", "2"),
        ("airflow", None),
        ("airflow.models", None),
        ("airflow.decorators", None),
        ("airflow.operators", None),
        ("airflow.providers", None),
        ("airflow.utils.timezone", None),
    ],
)
def test_generation_of_modules(module, expected):
    assert generation_of(module) == expected


def test_override_wins():
    generation, reason = decide_generation(imported_modules=["airflow.sdk"], override="2")
    assert generation == "2" and "airflow_generation='2'" in reason


def test_airflow_3_imports():
    generation, reason = decide_generation(
        imported_modules=[
            "airflow",
            "airflow.sdk",
            "airflow.providers",
            "airflow.providers.standard",
            "airflow.providers.standard.operators",
            "airflow.providers.standard.operators.bash",
        ]
    )
    assert generation == "3"
    assert reason == "Airflow 3 DAG: imports airflow.sdk, airflow.providers.standard.operators.bash"


def test_old_paths_and_removed_arguments_mean_two():
    generation, reason = decide_generation(
        imported_modules=["airflow", "airflow.operators", "airflow.operators.bash_operator"]
    )
    assert (generation, reason) == ("2", "Airflow 1.10/2.x DAG: imports airflow.operators.bash_operator")
    generation, reason = decide_generation(
        imported_modules=["airflow.sdk"], dag_hints=[("2", "uses the schedule_interval argument")]
    )
    assert generation == "2" and "schedule_interval" in reason


def test_ambiguous_files_get_the_configured_default():
    assert decide_generation(imported_modules=["airflow", "airflow.decorators"], default="3")[0] == "3"
    generation, reason = decide_generation(imported_modules=[])
    assert generation == "2" and "configured default (2)" in reason


def test_both_kinds_of_imports_prefer_three():
    assert decide_generation(imported_modules=["airflow.sdk", "airflow.operators.python"])[0] == "3"
