from __future__ import annotations

import importlib
import sys

import pytest

from brisa.compat import TABLE, ImportRecorder, install_shim, shim_installed, uninstall_shim
from brisa.compat import finder as finder_module
from brisa.compat.finder import SHIM_MARK, AirflowShimFinder
from brisa.compat.table import UNSUPPORTED_MODULES


def airflow_modules():
    return [name for name in sys.modules if name == "airflow" or name.startswith("airflow.")]


@pytest.mark.parametrize("module_name", sorted(TABLE))
def test_every_table_module_and_name_imports(module_name):
    with shim_installed():
        module = importlib.import_module(module_name)
        assert getattr(module, SHIM_MARK)
        for name in TABLE[module_name].names:
            assert getattr(module, name) is not None, name
        for name in module.__all__:
            getattr(module, name)


@pytest.mark.parametrize("module_name", sorted(m for m in TABLE if TABLE[m].unsupported))
def test_every_refused_name_is_an_import_error_naming_it(module_name):
    with shim_installed():
        for name, reason in TABLE[module_name].unsupported.items():
            with pytest.raises(ImportError) as info:
                exec(f"from {module_name} import {name}", {})
            assert not isinstance(info.value, AttributeError)
            assert f"cannot import name {name!r} from {module_name!r}: Brisa does not support it" in str(
                info.value
            )
            assert reason in str(info.value)


@pytest.mark.parametrize("module_name", sorted(UNSUPPORTED_MODULES))
def test_every_refused_module_fails_naming_itself_and_why(module_name):
    with shim_installed(), pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module(module_name)
    assert info.value.name == module_name
    assert f"Brisa does not support {module_name} ({UNSUPPORTED_MODULES[module_name]})" in str(info.value)


@pytest.mark.parametrize("module_name", sorted(TABLE))
def test_unknown_names_and_submodules_of_every_module_are_named(module_name):
    # Never an AttributeError from inside Brisa, nor Python's bare "is not a package".
    with shim_installed():
        with pytest.raises(ImportError, match=f"cannot import name 'NoSuchName' from '{module_name}': Brisa"):
            exec(f"from {module_name} import NoSuchName", {})
        missing = f"{module_name}.no_such_module"
        with pytest.raises(ModuleNotFoundError, match=f"Brisa does not support {missing} ") as info:
            importlib.import_module(missing)
        assert info.value.name == missing


def test_real_dag_file_imports_of_every_generation():
    with shim_installed():
        from airflow import DAG
        from airflow.models import DAG as ModelsDAG
        from airflow.operators.bash_operator import BashOperator as Old
        from airflow.providers.standard.operators.bash import BashOperator as New
        from airflow.sdk import DAG as SdkDAG
        from airflow.sdk import chain, task, timezone
        from airflow.utils.dates import days_ago

        import brisa.sdk.dag
        import brisa.sdk.operators.bash

        assert DAG is ModelsDAG is SdkDAG is brisa.sdk.dag.DAG
        assert Old is New is brisa.sdk.operators.bash.BashOperator
        assert callable(chain) and callable(task) and callable(days_ago)
        assert timezone.utcnow().utcoffset().total_seconds() == 0
        import airflow

        assert airflow.__version__.startswith("2.")
        assert airflow.models.DAG is DAG
        assert airflow.utils.timezone.utc is not None


def test_old_style_operator_sensor_and_base_operator_imports():
    # Airflow 1.10 exported its core operators and sensors from the packages themselves;
    # 2.3+ DAG files also take BaseOperator from airflow.models.operator.
    with shim_installed():
        from airflow.models.operator import BaseOperator
        from airflow.operators import BashOperator, DummyOperator, PythonOperator
        from airflow.sensors import ExternalTaskSensor, TimeDeltaSensor

        import brisa.sdk.baseoperator
        import brisa.sdk.operators.bash
        import brisa.sdk.operators.empty
        import brisa.sdk.operators.python
        import brisa.sdk.sensors.external_task
        import brisa.sdk.sensors.time_delta

        assert BashOperator is brisa.sdk.operators.bash.BashOperator
        assert BaseOperator is brisa.sdk.baseoperator.BaseOperator
        assert DummyOperator is brisa.sdk.operators.empty.DummyOperator
        assert PythonOperator is brisa.sdk.operators.python.PythonOperator
        assert ExternalTaskSensor is brisa.sdk.sensors.external_task.ExternalTaskSensor
        assert TimeDeltaSensor is brisa.sdk.sensors.time_delta.TimeDeltaSensor
        with pytest.raises(ImportError, match="Brisa does not support it"):
            exec("from airflow.operators import HiveOperator", {})


def test_unknown_module_fails_with_a_clear_message():
    with shim_installed():
        with pytest.raises(
            ModuleNotFoundError, match=r"Brisa does not support airflow.providers.amazon"
        ) as info:
            importlib.import_module("airflow.providers.amazon.aws.operators.s3")
        assert info.value.name == "airflow.providers.amazon"
        # SubDagOperator is supported since issue 15; its Airflow 3 provider path is not.
        with pytest.raises(
            ImportError, match=r"Brisa does not support airflow.providers.standard.operators.subdag"
        ):
            exec("from airflow.providers.standard.operators.subdag import SubDagOperator", {})


def test_unknown_name_of_a_known_module_fails_with_a_clear_message():
    with shim_installed():
        with pytest.raises(
            ImportError,
            match=r"cannot import name 'Foo' from 'airflow.operators.bash': Brisa does not support it",
        ):
            exec("from airflow.operators.bash import Foo", {})
        with pytest.raises(ImportError, match=r"cannot import name 'ObjectStoragePath'.*no object storage"):
            exec("from airflow.sdk import ObjectStoragePath", {})
        with pytest.raises(ImportError, match="DockerOperator"):
            exec("from airflow.operators.python import DockerOperator", {})
        module = importlib.import_module("airflow.operators.bash")
        with pytest.raises(AttributeError):
            module._private  # noqa: B018
        assert getattr(module, "__wrapped__", None) is None


def test_import_error_fallbacks_in_dag_files_work():
    source = (
        "try:\n    from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n"
        "except ImportError:\n    S3Hook = None\n"
    )
    namespace: dict = {}
    with shim_installed():
        exec(source, namespace)
    assert namespace["S3Hook"] is None


def test_recorder_sees_every_import_and_modules_are_purged():
    with shim_installed() as recorder:
        import airflow.operators.bash
        from airflow.sdk import dag  # noqa: F401
    assert recorder.modules == ["airflow", "airflow.operators", "airflow.operators.bash", "airflow.sdk"]
    assert airflow_modules() == []
    assert not any(isinstance(f, AirflowShimFinder) for f in sys.meta_path)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("airflow")
    second = ImportRecorder()
    with shim_installed(second):
        import airflow.operators.bash  # noqa: F401
    assert "airflow.operators.bash" in second.modules


def test_install_is_idempotent_and_outlives_blocks():
    try:
        first = install_shim()
        assert install_shim() is first
        with shim_installed():
            pass
        assert first in sys.meta_path
        importlib.import_module("airflow.models")
    finally:
        uninstall_shim()
    assert airflow_modules() == []
    assert not any(isinstance(f, AirflowShimFinder) for f in sys.meta_path)


def test_a_real_airflow_is_not_shadowed(monkeypatch):
    monkeypatch.setattr(finder_module, "airflow_is_installed", lambda: True)
    assert install_shim() is None
    with shim_installed() as recorder:
        with pytest.raises(ModuleNotFoundError) as info:
            importlib.import_module("airflow")
        assert "Brisa" not in str(info.value)
    assert recorder.modules == []


def test_other_modules_are_ignored():
    assert AirflowShimFinder().find_spec("airflowish") is None
    assert AirflowShimFinder().find_spec("json") is None


def test_sql_provider_paths_of_every_generation_resolve_to_brisas_sql_objects():
    with shim_installed():
        from airflow.hooks.dbapi_hook import DbApiHook as Old
        from airflow.hooks.postgres_hook import PostgresHook as OldHook
        from airflow.operators.postgres_operator import PostgresOperator as OldOp
        from airflow.operators.sqlite_operator import SqliteOperator
        from airflow.providers.common.sql.hooks.sql import DbApiHook, fetch_all_handler
        from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
        from airflow.providers.postgres.hooks.postgres import PostgresHook
        from airflow.providers.postgres.operators.postgres import PostgresOperator
        from airflow.providers.sqlite.hooks.sqlite import SqliteHook

        import brisa.sdk.hooks.dbapi as dbapi
        import brisa.sdk.operators.sql as sql

        assert Old is DbApiHook is dbapi.DbApiHook and fetch_all_handler is dbapi.fetch_all_handler
        assert OldHook is PostgresHook and issubclass(SqliteHook, DbApiHook)
        assert OldOp is PostgresOperator is sql.PostgresOperator
        assert issubclass(SqliteOperator, SQLExecuteQueryOperator)
        with pytest.raises(ImportError, match=r"Brisa does not support airflow\.providers\.mysql"):
            importlib.import_module("airflow.providers.mysql.hooks.mysql")


def test_email_paths_of_every_generation_resolve_to_brisas_email_objects():
    with shim_installed():
        from airflow.operators import EmailOperator as Package
        from airflow.operators.email import EmailOperator
        from airflow.operators.email_operator import EmailOperator as Old
        from airflow.providers.smtp.operators.smtp import EmailOperator as Provider
        from airflow.utils.email import send_email

        import brisa.sdk.email as mail
        import brisa.sdk.operators.email as operators

        assert Package is EmailOperator is Old is Provider is operators.EmailOperator
        assert send_email is mail.send_email
