"""``Variable``: Airflow variables, read and written through the task's runtime."""

from __future__ import annotations

import json
from typing import Any

from brisa.runtime import current_runtime
from brisa.sdk.params import NOTSET, ArgNotSet
from brisa.secrets.masking import is_sensitive_name


class Variable:
    """``Variable.get("key")``; also a plain record (``Variable(key=, val=)``)."""

    def __init__(self, key: str | None = None, val: Any = None, description: str | None = None) -> None:
        self.key = key
        self.val = val
        self.description = description

    def __repr__(self) -> str:
        return f"{self.key} : {'***' if self.key and is_sensitive_name(self.key) else self.val}"

    @classmethod
    def get(
        cls,
        key: str,
        default_var: Any = NOTSET,
        deserialize_json: bool = False,
        *,
        default: Any = NOTSET,
    ) -> Any:
        """The variable's value; ``default_var`` (or ``default``) when unset, else KeyError."""
        fallback = default_var if not isinstance(default_var, ArgNotSet) else default
        runtime = current_runtime()
        value = runtime.get_variable(key)
        if value is None:
            if isinstance(fallback, ArgNotSet):
                raise KeyError(f"Variable {key} does not exist")
            return fallback
        if is_sensitive_name(key):
            # The supervisor's masker also registers it (with [core] sensitive_var_conn_names,
            # and sensitive keys nested in a JSON value) when it hands the value out.
            runtime.mask_secret(value)
        return json.loads(value) if deserialize_json else value

    @classmethod
    def set(cls, key: str, value: Any, description: str | None = None, serialize_json: bool = False) -> None:
        stored = json.dumps(value, indent=2) if serialize_json else str(value)
        current_runtime().set_variable(key, stored, description)

    @classmethod
    def delete(cls, key: str) -> None:
        current_runtime().delete_variable(key)

    @classmethod
    def update(cls, key: str, value: Any, serialize_json: bool = False) -> None:
        if current_runtime().get_variable(key) is None:
            raise KeyError(f"Variable {key} does not exist")
        cls.set(key, value, serialize_json=serialize_json)

    @classmethod
    def setdefault(
        cls, key: str, default: Any, description: str | None = None, deserialize_json: bool = False
    ) -> Any:
        """The value of ``key``; when unset, store ``default`` and return it."""
        current = cls.get(key, default_var=None, deserialize_json=deserialize_json)
        if current is not None:
            return current
        if default is None:
            raise ValueError("Default Value must be set")
        cls.set(key, default, description=description, serialize_json=deserialize_json)
        return default


__all__ = ["Variable", "is_sensitive_name"]
