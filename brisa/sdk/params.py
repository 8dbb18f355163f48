"""``Param`` and ``ParamsDict``: DAG and task params validated with JSON Schema.

A :class:`Param` is a default value plus a JSON Schema; a :class:`ParamsDict` maps
names to Params and hands out *resolved* values (``params["x"]`` is the value, as in
Airflow), validating on the way.  Validation errors raise
:class:`~brisa.sdk.exceptions.ParamValidationError` naming the param.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import ItemsView, Iterable, Iterator, Mapping, MutableMapping, ValuesView
from datetime import datetime
from typing import Any

import jsonschema
from jsonschema import FormatChecker

from brisa.sdk.exceptions import ParamValidationError


class ArgNotSet:
    """Sentinel type for "no value given" (``None`` is a valid value)."""

    def __repr__(self) -> str:
        return "NOTSET"

    def __copy__(self) -> ArgNotSet:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ArgNotSet:
        return self


NOTSET = ArgNotSet()


def is_arg_set(value: Any) -> bool:
    return not isinstance(value, ArgNotSet)


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)


def _is_rfc3339(instance: object) -> bool:
    """``format: date-time`` as Airflow checks it (its ``rfc3339-validator`` dependency);
    jsonschema alone leaves the format unchecked when that package is missing."""
    if not isinstance(instance, str):
        return True
    return _RFC3339.match(instance) is not None and _parses(instance.upper().replace("Z", "+00:00"))


def _is_rfc3339_time(instance: object) -> bool:
    return not isinstance(instance, str) or _is_rfc3339(f"1970-01-01T{instance}")


def _parses(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


FORMATS = FormatChecker()
FORMATS.checks("date-time")(_is_rfc3339)
FORMATS.checks("time")(_is_rfc3339_time)


def schema_problem(value: Any, schema: Mapping[str, Any]) -> str | None:
    """Why ``value`` does not fit ``schema`` (jsonschema's one-line message), or None.

    As Airflow 2.10, an ISO 8601 date-time that is not RFC 3339 (naive, or with a space)
    still passes ``format: date-time``, with a deprecation warning (Airflow 3 dropped it)."""
    try:
        jsonschema.validate(value, schema, format_checker=FORMATS)
    except jsonschema.ValidationError as err:
        if err.validator == "format" and err.validator_value == "date-time" and _iso_8601(value):
            return None
        return err.message
    except jsonschema.SchemaError as err:
        return f"invalid schema: {err.message}"
    return None


def _iso_8601(value: Any) -> bool:
    if not isinstance(value, str) or not _parses(value):
        return False
    warnings.warn(
        f"The use of non-RFC3339 datetime: {value!r} is deprecated and will be removed in a future release",
        DeprecationWarning,
        stacklevel=4,
    )
    return True


class Param:
    """A value with a JSON Schema: ``Param(5, type="integer", minimum=0)``."""

    CLASS_IDENTIFIER = "__class"

    def __init__(self, default: Any = NOTSET, description: str | None = None, **kwargs: Any) -> None:
        self.value = default
        self.description = description
        self.schema: dict[str, Any] = kwargs.pop("schema") if "schema" in kwargs else kwargs

    def __copy__(self) -> Param:
        return Param(self.value, self.description, schema=self.schema)

    def __repr__(self) -> str:
        return f"Param({self.value!r}, schema={self.schema!r})"

    @property
    def has_value(self) -> bool:
        return is_arg_set(self.value)

    def resolve(self, value: Any = NOTSET, suppress_exception: bool = False) -> Any:
        """Validate ``value`` (or the default) against the schema and return it."""
        final = self.value if isinstance(value, ArgNotSet) else value
        if isinstance(final, ArgNotSet):
            if suppress_exception:
                return None
            raise ParamValidationError("No value passed and Param has no default value")
        problem = schema_problem(final, self.schema)
        if problem is not None and not problem.startswith("invalid schema") and suppress_exception:
            return None
        if problem is not None:
            raise ParamValidationError(problem)
        self.value = final
        return final

    def dump(self) -> dict[str, Any]:
        return {
            "value": self.value if self.has_value else None,
            "has_value": self.has_value,
            "schema": self.schema,
            "description": self.description,
        }


class ParamsDict(MutableMapping[str, Any]):
    """Params by name; reading an item returns its resolved (validated) value."""

    def __init__(self, dict_obj: Mapping[str, Any] | None = None, suppress_exception: bool = False) -> None:
        self._params: dict[str, Param] = {}
        self.suppress_exception = suppress_exception
        for key, value in (dict_obj or {}).items():
            self._params[key] = value if isinstance(value, Param) else Param(value)

    def __copy__(self) -> ParamsDict:
        return ParamsDict(dict(self._params), self.suppress_exception)

    def __deepcopy__(self, memo: dict[int, Any]) -> ParamsDict:
        return ParamsDict(copy.deepcopy(self._params, memo), self.suppress_exception)

    def __contains__(self, key: object) -> bool:
        return key in self._params

    def __len__(self) -> int:
        return len(self._params)

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __delitem__(self, key: str) -> None:
        del self._params[key]

    def __repr__(self) -> str:
        return repr(self.dump())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ParamsDict):
            return self.dump() == other.dump()
        if isinstance(other, Mapping):
            return self.dump() == dict(other)
        return NotImplemented

    def __setitem__(self, key: str, value: Any) -> None:
        """A Param replaces; a plain value is validated against an existing Param."""
        if isinstance(value, Param):
            self._params[key] = value
        elif key in self._params:
            try:
                self._params[key].resolve(value=value, suppress_exception=self.suppress_exception)
            except ParamValidationError as err:
                raise ParamValidationError(f"Invalid input for param {key}: {err}") from None
        else:
            self._params[key] = Param(value)

    def __getitem__(self, key: str) -> Any:
        param = self._params[key]
        try:
            return param.resolve(suppress_exception=self.suppress_exception)
        except ParamValidationError as err:
            raise ParamValidationError(f"Invalid input for param {key}: {err}") from None

    def get_param(self, key: str) -> Param:
        return self._params[key]

    def items(self) -> ItemsView[str, Any]:
        return ItemsView(self)

    def values(self) -> ValuesView[Any]:
        return ValuesView(self)

    def update(self, *args: Any, **kwargs: Any) -> None:
        other = args[0] if args else {}
        if isinstance(other, ParamsDict):
            self._params.update(other._params)
            other = {}
        for key, value in {**dict(other), **kwargs}.items():
            self[key] = value

    def dump(self) -> dict[str, Any]:
        """Current values without validation (unset values are None)."""
        return {k: (p.value if p.has_value else None) for k, p in self._params.items()}

    def validate(self) -> dict[str, Any]:
        """Every param resolved; the first invalid one raises naming it."""
        return {key: self[key] for key in self._params}

    def serialize(self) -> dict[str, Any]:
        return {key: param.dump() for key, param in self._params.items()}


def merge_params(*layers: Mapping[str, Any] | None) -> ParamsDict:
    """Later layers win.  A plain value over an existing Param keeps that Param's
    schema (and is validated against it), as Airflow's ``ParamsDict.update``; Param
    objects are copied so tasks never share state."""
    merged = ParamsDict()
    for layer in layers:
        if not layer:
            continue
        items = layer._params.items() if isinstance(layer, ParamsDict) else layer.items()
        for key, value in items:
            if isinstance(value, Param):
                merged._params[key] = copy.copy(value)
            elif key in merged._params:
                merged._params[key] = copy.copy(merged._params[key])
                merged[key] = value
            else:
                merged._params[key] = Param(value)
    return merged


def resolve_run_params(
    params: ParamsDict, conf: Mapping[str, Any] | None, *, conf_overrides_params: bool = True
) -> dict[str, Any]:
    """The params a try sees: the task's params, overridden by the run's conf keys
    (Airflow's ``dag_run_conf_overrides_params``), validated."""
    resolved = copy.deepcopy(params)
    if conf and conf_overrides_params:
        for key, value in conf.items():
            resolved[key] = value
    return resolved.validate()


def conf_overrides_params(dag: Any) -> bool:
    """Whether a run's ``conf`` overrides the params its tasks see.

    Airflow's ``[core] dag_run_conf_overrides_params`` defaulted to False in 1.10.15 and
    to True since 2.0: Brisa applies the default of the Airflow the file was written for
    (a 1.10 file's templates read ``dag_run.conf`` for the run's values)."""
    return not getattr(dag, "written_for_airflow_1", False)


def check_json_values(layers: Iterable[Any], *, generation: str) -> None:
    """Airflow 3's ``Param`` refuses a value JSON cannot hold (the file fails to load);
    2.x only warned that it would (``RemovedInAirflow3Warning``).  ``layers`` are the
    DAG's and its tasks' params (anything else is skipped)."""
    for params in layers:
        if not isinstance(params, ParamsDict):
            continue
        for param in params._params.values():
            if param.has_value and not _is_json(param.value):
                _refuse_or_warn(param.value, generation)


def _refuse_or_warn(value: Any, generation: str) -> None:
    if generation == "3":
        raise ParamValidationError(
            f"All provided parameters must be json-serializable. The value '{value}' is not serializable."
        )
    warnings.warn(
        "The use of non-json-serializable params is deprecated and will be removed in a future release",
        DeprecationWarning,
        stacklevel=3,
    )


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


__all__ = [
    "FORMATS",
    "NOTSET",
    "ArgNotSet",
    "Param",
    "ParamsDict",
    "check_json_values",
    "conf_overrides_params",
    "is_arg_set",
    "merge_params",
    "resolve_run_params",
    "schema_problem",
]
