from __future__ import annotations

import copy

import pytest

from brisa import errors
from brisa.sdk.exceptions import AirflowException, ParamValidationError
from brisa.sdk.params import NOTSET, Param, ParamsDict, merge_params, resolve_run_params


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
