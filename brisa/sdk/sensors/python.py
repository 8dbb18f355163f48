"""``PythonSensor``: poke until ``python_callable`` returns something truthy."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from brisa.sdk.execution import determine_kwargs
from brisa.sdk.sensors.base import BaseSensorOperator, PokeReturnValue


class PythonSensor(BaseSensorOperator):
    template_fields = ("templates_dict", "op_args", "op_kwargs")
    extra_fields = ("python_callable", "poke_interval", "timeout", "mode", "soft_fail")

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Sequence[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        templates_dict: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.python_callable = python_callable
        self.op_args = op_args or []
        self.op_kwargs = op_kwargs or {}
        self.templates_dict = templates_dict

    def poke(self, context: dict[str, Any]) -> PokeReturnValue | bool:
        context = {**context, **self.op_kwargs, "templates_dict": self.templates_dict}
        kwargs = determine_kwargs(self.python_callable, list(self.op_args), context)
        self.log.info("Poking callable: %s", self.python_callable)
        result = self.python_callable(*self.op_args, **kwargs)
        if isinstance(result, PokeReturnValue):
            return result
        return PokeReturnValue(bool(result))


__all__ = ["PythonSensor"]
