"""``airflow.providers.common.compat``: every public name of its newest release resolves or is refused."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from brisa.compat import TABLE, shim_installed
from brisa.compat.table import UNSUPPORTED_MODULES
from brisa.compat.versions import AIRFLOW_2_VERSION
from brisa.loader import parse_file
from tests.compat.airflow_names import COMMON_COMPAT_1_23_0


def _import_name(module: str, name: str):
    namespace: dict = {}
    exec(f"from {module} import {name}", namespace)
    return namespace[name]


@pytest.mark.parametrize("module", sorted(COMMON_COMPAT_1_23_0))
def test_every_public_name_of_the_provider_resolves_or_is_refused_by_name(module):
    with shim_installed():
        if module in UNSUPPORTED_MODULES:
            with pytest.raises(ModuleNotFoundError, match=f"Brisa does not support {module} "):
                importlib.import_module(module)
            return
        importlib.import_module(module)
        entry = TABLE[module]
        for name in COMMON_COMPAT_1_23_0[module]:
            assert name in entry.names or name in entry.unsupported, f"{module}.{name} is not decided"
            if name in entry.unsupported:
                refused = f"cannot import name '{name}'.*Brisa does not support it"
                with pytest.raises(ImportError, match=refused):
                    _import_name(module, name)
            else:
                assert _import_name(module, name) is not None


def test_the_standard_providers_example_imports_give_brisas_objects():
    # Airflow 3's standard-provider example DAGs import these from common.compat.sdk.
    with shim_installed():
        from airflow.providers.common.compat.sdk import (
            DAG,
            BaseOperator,
            Context,
            TriggerRule,
            XComArg,
            chain,
            get_current_context,
            task,
            timezone,
        )
        from airflow.providers.common.compat.standard.operators import PythonOperator, ShortCircuitOperator
        from airflow.providers.common.compat.standard.utils import SkipMixin

        import brisa.sdk.operators.python as python_ops
        from brisa import sdk

        assert DAG is sdk.dag.DAG and BaseOperator is sdk.baseoperator.BaseOperator
        assert TriggerRule is sdk.trigger_rule.TriggerRule and XComArg is sdk.xcom_arg.XComArg
        assert Context is sdk.context.Context and get_current_context is sdk.context.get_current_context
        assert chain is sdk.dependencies.chain and task is sdk.decorators.task
        assert timezone is sdk.timezone and timezone.utcnow().utcoffset().total_seconds() == 0
        assert PythonOperator is python_ops.PythonOperator
        assert ShortCircuitOperator is python_ops.ShortCircuitOperator
        assert SkipMixin is sdk.skipping.SkipMixin


def test_provider_helpers_behave_as_airflows():
    with shim_installed():
        from airflow.providers.common.compat.lineage.entities import File, Table
        from airflow.providers.common.compat.module_loading import import_string, qualname
        from airflow.providers.common.compat.sdk import (
            AirflowException,
            AirflowOptionalProviderFeatureException,
            context_merge,
        )
        from airflow.providers.common.compat.standard.operators import is_async_callable

    context = {"a": 1}
    context_merge(context, {"b": 2}, c=3)
    assert context == {"a": 1, "b": 2, "c": 3}
    assert import_string("os.path.join") is importlib.import_module("os.path").join
    with pytest.raises(ImportError, match="does not define"):
        import_string("os.path.no_such_function")
    assert qualname(File) == "brisa.sdk.provider_compat.File"
    assert File("s3://bucket/key").url == "s3://bucket/key"
    assert Table(database="db", cluster="c", name="t").columns == []
    assert issubclass(AirflowOptionalProviderFeatureException, AirflowException)

    async def coroutine():
        return None

    assert is_async_callable(coroutine) and not is_async_callable(len)


def test_context_to_airflow_vars_has_airflows_two_formats():
    from types import SimpleNamespace

    with shim_installed():
        from airflow.providers.common.compat.sdk import (
            AIRFLOW_VAR_NAME_FORMAT_MAPPING,
            context_to_airflow_vars,
        )

    ti = SimpleNamespace(dag_id="d", task_id="t", try_number=2, run_id="r")
    context = {"ti": ti, "task": SimpleNamespace(owner="ana", email=None), "logical_date": None}
    assert context_to_airflow_vars(context) == {
        "airflow.ctx.dag_id": "d",
        "airflow.ctx.task_id": "t",
        "airflow.ctx.try_number": "2",
        "airflow.ctx.dag_run_id": "r",
        "airflow.ctx.dag_owner": "ana",
    }
    assert context_to_airflow_vars(context, in_env_var_format=True)["AIRFLOW_CTX_DAG_ID"] == "d"
    assert AIRFLOW_VAR_NAME_FORMAT_MAPPING["AIRFLOW_CONTEXT_DAG_ID"] == {
        "default": "airflow.ctx.dag_id",
        "env_var_format": "AIRFLOW_CTX_DAG_ID",
    }


def test_version_flags_follow_the_airflow_the_file_has_shown():
    with shim_installed():
        from airflow import __version__
        from airflow.providers.common.compat import version_compat

        # Nothing Airflow-3-only imported yet: the Airflow 2 that airflow.__version__ reports.
        assert __version__ == AIRFLOW_2_VERSION
        assert version_compat.get_base_airflow_version_tuple() == (2, 11, 0)
        assert version_compat.AIRFLOW_V_3_0_PLUS is False
        import airflow.sdk  # noqa: F401

        assert version_compat.AIRFLOW_V_3_0_PLUS is version_compat.AIRFLOW_V_3_1_PLUS is True
        assert version_compat.AIRFLOW_V_3_2_PLUS is False
        assert version_compat.get_base_airflow_version_tuple() == (3, 1, 0)
    with shim_installed():  # a new file starts again from Airflow 2
        from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS

        assert AIRFLOW_V_3_0_PLUS is False


def test_the_standard_providers_own_version_compat_is_airflow_3():
    # Only Airflow 3 (or 2.x with the provider) has it; importing it is Airflow 3 evidence itself.
    with shim_installed():
        from airflow.providers.standard import version_compat

        assert version_compat.AIRFLOW_V_3_0_PLUS is version_compat.AIRFLOW_V_3_1_PLUS is True
        assert version_compat.AIRFLOW_V_3_1_3_PLUS is version_compat.AIRFLOW_V_3_2_PLUS is False
        assert version_compat.BaseOperator is importlib.import_module("brisa.sdk.baseoperator").BaseOperator
        with pytest.raises(ImportError, match=r"cannot import name 'NOTSET'.*Brisa does not support it"):
            exec("from airflow.providers.standard.version_compat import NOTSET", {})


FLAG_PICKS_IMPORTS = """
from datetime import datetime
{first}
from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS
if AIRFLOW_V_3_0_PLUS:
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
    schedule = {{"schedule": "@daily"}}
else:
    from airflow.operators.empty import EmptyOperator
    from airflow.models import DAG
    schedule = {{"schedule_interval": "@daily"}}

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), tags=[str(AIRFLOW_V_3_0_PLUS)], **schedule):
    EmptyOperator(task_id="noop")
"""


@pytest.mark.parametrize(
    ("first", "flag", "generation"),
    [
        ("", "False", "2"),
        ("from airflow.providers.common.compat.sdk import TriggerRule", "False", "2"),
        ("from airflow.sdk import task", "True", "3"),
        ("from airflow.providers.standard.operators.bash import BashOperator", "True", "3"),
    ],
)
def test_a_file_branching_on_version_flags_gets_the_generation_it_was_told(tmp_path, first, flag, generation):
    path = tmp_path / "flags.py"
    path.write_text(FLAG_PICKS_IMPORTS.format(first=first, dag_id="flags"))
    result = parse_file(str(path), generation_default="3" if generation == "2" else "2")
    assert not result.errors, result.errors
    [dag] = result.dags
    assert (list(dag.tags), dag.generation) == ([flag], generation)


def test_common_compat_imports_alone_do_not_decide_the_generation(tmp_path):
    path = tmp_path / "neutral.py"
    path.write_text(
        "from datetime import datetime\n"
        "from airflow.providers.common.compat.sdk import DAG, TriggerRule\n"
        "from airflow.providers.common.compat.standard.operators import PythonOperator\n"
        "with DAG('neutral', start_date=datetime(2024, 1, 1)):\n"
        "    PythonOperator(task_id='t', python_callable=print, trigger_rule=TriggerRule.ALL_DONE)\n"
    )
    for default in ("2", "3"):
        [dag] = parse_file(str(path), generation_default=default).dags
        assert dag.generation == default


E2E_DAG = """
from __future__ import annotations

import datetime

{generation_import}
from airflow.providers.common.compat.sdk import DAG, TriggerRule, chain, get_current_context, timezone
from airflow.providers.common.compat.standard.operators import PythonOperator, ShortCircuitOperator
from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS


def report():
    from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_0_PLUS as at_run_time

    context = get_current_context()
    print(f"flags parse={{AIRFLOW_V_3_0_PLUS}} run={{at_run_time}} old_keys={{'execution_date' in context}}")


with DAG("{dag_id}", start_date=datetime.datetime(2024, 1, 1, tzinfo=timezone.utc), schedule=None):
    gate = ShortCircuitOperator(task_id="gate", python_callable=lambda: True)
    chain(gate, [EmptyOperator(task_id="noop"), PythonOperator(
        task_id="report", python_callable=report, trigger_rule=TriggerRule.NONE_FAILED
    )])
"""


@pytest.mark.parametrize(
    ("generation_import", "expected"),
    [
        (
            "from airflow.providers.standard.operators.empty import EmptyOperator",
            "flags parse=True run=True old_keys=False",
        ),
        ("from airflow.operators.empty import EmptyOperator", "flags parse=False run=False old_keys=True"),
    ],
)
def test_dags_test_runs_a_common_compat_dag_with_the_generation_its_flags_said(
    tmp_path, generation_import, expected
):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "compat_e2e.py").write_text(
        E2E_DAG.format(generation_import=generation_import, dag_id="compat_e2e")
    )
    env = {
        **os.environ,
        "BRISA_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "BRISA__CORE__LOAD_EXAMPLES": "False",
    }
    result = subprocess.run(
        [sys.executable, "-m", "brisa.cli", "dags", "test", "compat_e2e", "2024-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for task_id in ("gate", "noop", "report"):
        assert f"{task_id}: success" in result.stdout
    assert expected in result.stdout
