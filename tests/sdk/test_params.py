from __future__ import annotations

import copy
from datetime import datetime

import pytest

from brisa import errors
from brisa.sdk.exceptions import AirflowException, ParamValidationError
from brisa.sdk.params import (
    NOTSET,
    Param,
    ParamsDict,
    conf_overrides_params,
    merge_params,
    resolve_run_params,
)
from brisa.services.runs import param_errors

START = datetime(2024, 1, 1)


def test_param_validates_with_json_schema():
    assert Param(5, type="integer", minimum=0).resolve() == 5
    with pytest.raises(ParamValidationError, match="-1 is less than the minimum of 0"):
        Param(-1, type="integer", minimum=0).resolve()
    assert Param("b", enum=["a", "b"]).resolve() == "b"
    assert Param("2024-01-01", type="string", format="date").resolve() == "2024-01-01"
    with pytest.raises(ParamValidationError):
        Param("not a date", type="string", format="date").resolve()


def test_param_without_value():
    param = Param(type="string")
    assert not param.has_value
    with pytest.raises(ParamValidationError, match="No value passed"):
        param.resolve()
    assert param.resolve("x") == "x" and param.value == "x"
    assert Param(type="string").resolve(suppress_exception=True) is None


def test_param_schema_argument_and_dump():
    param = Param(1, description="one", schema={"type": "integer"})
    assert param.schema == {"type": "integer"}
    assert param.dump() == {
        "value": 1,
        "has_value": True,
        "schema": {"type": "integer"},
        "description": "one",
    }
    assert Param().dump()["value"] is None


def test_validation_errors_are_both_airflow_and_brisa_errors():
    with pytest.raises(ParamValidationError) as info:
        Param("x", type="integer").resolve()
    assert isinstance(info.value, AirflowException)
    assert isinstance(info.value, errors.ParamValidationError)
    assert isinstance(info.value, errors.DagError)


def test_params_dict_hands_out_values_and_names_the_bad_param():
    params = ParamsDict({"n": Param(1, type="integer"), "plain": "v"})
    assert params["n"] == 1 and params["plain"] == "v"
    assert dict(params.items()) == {"n": 1, "plain": "v"}
    assert params.get_param("plain").schema == {}
    params["n"] = 5
    assert params["n"] == 5
    with pytest.raises(ParamValidationError, match="Invalid input for param n"):
        params["n"] = "five"
    broken = ParamsDict({"m": Param(type="integer")})
    with pytest.raises(ParamValidationError, match="Invalid input for param m: No value passed"):
        broken.validate()


def test_params_dict_update_copy_and_equality():
    params = ParamsDict({"a": 1})
    params.update({"b": 2}, c=3)
    params.update(ParamsDict({"d": Param(4)}))
    assert params.dump() == {"a": 1, "b": 2, "c": 3, "d": 4}
    clone = copy.deepcopy(params)
    clone["a"] = 10
    assert params["a"] == 1
    assert params == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert len(params) == 4 and "a" in params
    del params["a"]
    assert "a" not in params


def test_merge_keeps_schemas_of_earlier_layers():
    merged = merge_params({"a": Param(1, type="integer"), "b": 1}, {"a": 2}, {"b": "x"})
    assert merged.dump() == {"a": 2, "b": "x"}
    assert merged.get_param("a").schema == {"type": "integer"}
    with pytest.raises(ParamValidationError, match="param a"):
        merge_params({"a": Param(1, type="integer")}, {"a": "no"})


def test_run_conf_overrides_params_and_is_validated():
    params = ParamsDict({"n": Param(1, type="integer"), "s": "x"})
    assert resolve_run_params(params, {"n": 2, "extra": True}) == {"n": 2, "s": "x", "extra": True}
    assert resolve_run_params(params, {"n": 2}, conf_overrides_params=False) == {"n": 1, "s": "x"}
    assert params["n"] == 1
    with pytest.raises(ParamValidationError, match="param n"):
        resolve_run_params(params, {"n": "two"})


def test_notset_survives_copies():
    assert copy.deepcopy(NOTSET) is NOTSET and repr(NOTSET) == "NOTSET"


# -- per generation (issue 15): each test names the Airflow whose behaviour it pins -----------
def test_a_1_10_files_run_conf_leaves_its_params_alone():
    """Airflow 1.10.15's ``[core] dag_run_conf_overrides_params`` defaulted to False (its
    templates read ``dag_run.conf``); 2.0 made it True, as 2.10.5 and 3.1 keep it."""
    from brisa.sdk.dag import DAG

    dag = DAG("legacy", schedule=None, params={"colour": "red"})
    conf = {"colour": "teal"}
    assert conf_overrides_params(dag) is True
    assert resolve_run_params(dag.params, conf, conf_overrides_params=True) == {"colour": "teal"}
    dag.written_for_airflow_1 = True
    assert conf_overrides_params(dag) is False
    assert resolve_run_params(dag.params, conf, conf_overrides_params=False) == {"colour": "red"}


@pytest.mark.parametrize("generation", ["2", "3"])
def test_a_scheduled_dag_needs_valid_defaults_and_a_manual_one_does_not(generation):
    """Airflow 2.10.5 (``validate_schedule_and_params``) and 3.1 (``_validate_params``)
    alike: a DAG that can be scheduled fails to load when a param has no default or an
    invalid one; a manual-only DAG loads, and its trigger is what fails."""
    from brisa.sdk.dag import DAG

    for params in ({"p": Param(type="string")}, {"p": Param(-1, type="integer", minimum=0)}):
        with pytest.raises(ParamValidationError, match="not allowed to define a Schedule"):
            DAG("sched", schedule="@daily", start_date=START, params=params).validate(generation)
        DAG("manual", schedule=None, params=params).validate(generation)


def test_airflow_3_refuses_a_param_value_json_cannot_hold():
    """Airflow 3.1's Param (task SDK 1.1 ``_check_json``) raises at parse time, for DAG and
    task params alike; Airflow 2.10.5 only warned (``RemovedInAirflow3Warning``)."""
    from brisa.sdk.dag import DAG
    from brisa.sdk.operators.empty import EmptyOperator

    with DAG("on_dag", schedule=None, params={"when": START}) as on_dag:
        EmptyOperator(task_id="t")
    with DAG("on_task", schedule=None) as on_task:
        EmptyOperator(task_id="t", params={"fn": Param(print)})
    for dag, shown in ((on_dag, "2024-01-01 00:00:00"), (on_task, "<built-in function print>")):
        with pytest.raises(ParamValidationError) as info:
            dag.validate("3")
        assert str(info.value) == (
            f"All provided parameters must be json-serializable. The value '{shown}' is not serializable."
        )
        with pytest.warns(DeprecationWarning, match="non-json-serializable params is deprecated"):
            dag.validate("2")
    DAG("plain", schedule=None, params={"n": 1, "s": [1, "a", None]}).validate("3")


def test_suppress_exception_hands_out_none_for_an_invalid_or_missing_value():
    """Airflow 2.10.5 and 3.1's ``ParamsDict(suppress_exception=True)``: reading or
    validating gives None instead of raising, and a bad assignment keeps the old value."""
    params = ParamsDict({"n": Param(1, type="integer"), "m": Param(type="string")}, suppress_exception=True)
    assert params["m"] is None
    params["n"] = "five"
    assert params["n"] == 1
    assert ParamsDict({"n": Param("x", type="integer")}, suppress_exception=True).validate() == {"n": None}


def test_date_time_and_time_formats_are_checked_as_airflow_2_10_checks_them():
    """Airflow 2.10.5 depends on rfc3339-validator, so ``format: date-time`` and ``time``
    are checked (jsonschema alone skips them); an ISO 8601 date-time that is not RFC 3339
    still passes with a deprecation warning (``_warn_if_not_rfc3339_dt``)."""
    when = Param("2024-01-01T10:00:00+00:00", type="string", format="date-time")
    assert when.resolve() == "2024-01-01T10:00:00+00:00"
    assert when.resolve("2024-01-01t10:00:00.5z") == "2024-01-01t10:00:00.5z"
    for bad in ("tomorrow", "2024-02-30T00:00:00Z"):
        with pytest.raises(ParamValidationError, match="is not a 'date-time'"):
            when.resolve(bad)
    with pytest.warns(DeprecationWarning, match="non-RFC3339 datetime: '2024-01-01 10:00:00'"):
        assert when.resolve("2024-01-01 10:00:00") == "2024-01-01 10:00:00"
    at = Param("10:00:00+00:00", type="string", format="time")
    assert at.resolve() == "10:00:00+00:00"
    with pytest.raises(ParamValidationError, match="is not a 'time'"):
        at.resolve("25:00:00Z")
    assert param_errors({"w": {"value": None, "schema": {"format": "date-time"}}}, {"w": "soon"}) == {
        "w": "'soon' is not a 'date-time'"
    }


def test_a_dag_param_without_any_value_fails_as_airflow_does():
    """Airflow 2.10.5 and 3.1's ``DagParam.resolve``: the run's value, else the default,
    else ``AirflowException: No value could be resolved for parameter <name>``."""
    from brisa.sdk.dag import DAG
    from brisa.sdk.xcom_arg import DagParam

    dag = DAG("p", schedule=None)
    assert DagParam(dag, "n", 3).resolve({"params": {}}) == 3
    assert DagParam(dag, "n", 3).resolve({"params": {"n": 4}}) == 4
    with pytest.raises(AirflowException, match="No value could be resolved for parameter m"):
        DagParam(dag, "m").resolve({"params": {}})
