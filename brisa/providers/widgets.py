"""Provider hooks' extra connection fields (``get_connection_form_widgets``), read without
Flask-AppBuilder or WTForms.

Hooks build their extra fields inside ``get_connection_form_widgets`` from WTForms fields,
Flask-AppBuilder widgets and Flask-Babel's ``lazy_gettext``. Airflow 3's UI has no Flask
either: it puts stand-ins for those names in place and reads the fields as a JSON-schema
like description (``HookMetaService``). Brisa does the same: :func:`install_stand_ins`
adds small modules named ``wtforms``, ``wtforms.validators``, ``flask_babel`` and
``flask_appbuilder.fieldwidgets`` only when the real package is not installed, and
:func:`extra_fields` turns what a hook returns (real WTForms unbound fields or the
stand-ins, which look alike) into :class:`ExtraField` descriptions.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# -- the stand-ins ----------------------------------------------------------------------


class _Unbound:
    """What a WTForms field class returns outside a form (WTForms' ``UnboundField``):
    the class and the arguments it was given."""

    def __init__(self, field_class: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.field_class, self.args, self.kwargs = field_class, args, kwargs


class StandInField:
    """A field class: calling it gives what WTForms gives outside a form."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _Unbound(cls, args, kwargs)


class StringField(StandInField): ...


class TextAreaField(StandInField): ...


class PasswordField(StandInField): ...


class IntegerField(StandInField): ...


class BooleanField(StandInField): ...


class Validator:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


class Optional(Validator): ...


class InputRequired(Validator): ...


class DataRequired(Validator): ...


class NumberRange(Validator): ...


class AnyOf(Validator):
    def __init__(self, values: Sequence[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(values, *args, **kwargs)
        self.values = list(values)


class Widget:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


class BS3TextFieldWidget(Widget): ...


class BS3TextAreaFieldWidget(Widget): ...


class BS3PasswordFieldWidget(Widget): ...


def lazy_gettext(text: str, **variables: Any) -> str:
    return text % variables if variables else text


_FIELDS = {c.__name__: c for c in (StringField, TextAreaField, PasswordField, IntegerField, BooleanField)}
_VALIDATORS = {
    "Optional": Optional,
    "InputRequired": InputRequired,
    "DataRequired": DataRequired,
    "NumberRange": NumberRange,
    "AnyOf": AnyOf,
    "any_of": AnyOf,
    "optional": Optional,
    "input_required": InputRequired,
    "data_required": DataRequired,
    "number_range": NumberRange,
}
_WIDGETS = {c.__name__: c for c in (BS3TextFieldWidget, BS3TextAreaFieldWidget, BS3PasswordFieldWidget)}
STAND_INS: dict[str, dict[str, Any]] = {
    "wtforms": {**_FIELDS, "validators": None},
    "wtforms.fields": dict(_FIELDS),
    "wtforms.fields.simple": dict(_FIELDS),
    "wtforms.validators": dict(_VALIDATORS),
    "flask_babel": {"lazy_gettext": lazy_gettext, "gettext": lazy_gettext},
    "flask_appbuilder": {"fieldwidgets": None},
    "flask_appbuilder.fieldwidgets": dict(_WIDGETS),
}
"""Module -> the names hooks import from it (None: the submodule of that name)."""


def _is_installed(top: str) -> bool:
    module = sys.modules.get(top)
    if module is not None:
        return not getattr(module, "__brisa_stand_in__", False)
    return importlib.util.find_spec(top) is not None


def install_stand_ins() -> list[str]:
    """Put the stand-in modules in ``sys.modules`` for every package that is not installed
    (once: hooks may import them at module level and keep them); the names installed."""
    added = []
    for name in STAND_INS:
        if name in sys.modules or _is_installed(name.partition(".")[0]):
            continue
        module = types.ModuleType(name, "Brisa's stand-in: see brisa.providers.widgets")
        module.__brisa_stand_in__ = True  # type: ignore[attr-defined]
        sys.modules[name] = module
        added.append(name)
    for name in added:
        module = sys.modules[name]
        for attribute, value in STAND_INS[name].items():
            setattr(module, attribute, sys.modules[f"{name}.{attribute}"] if value is None else value)
    return added


# -- reading a hook's fields --------------------------------------------------------------

KINDS = {
    "StringField": "string",
    "TextAreaField": "text",
    "PasswordField": "password",
    "IntegerField": "integer",
    "BooleanField": "boolean",
}
"""WTForms field class -> the input the form shows (other classes: a text input)."""


@dataclass(frozen=True)
class ExtraField:
    """One extra field of a connection type: saved in the connection's ``extra`` JSON under
    :attr:`name`, the hook's own key (``timeout``, or ``extra__http__x`` in old hooks), as
    Airflow 3's UI saves it."""

    name: str
    label: str
    kind: str = "string"
    """string, text, password, integer or boolean."""
    description: str = ""
    default: Any = None
    choices: tuple[Any, ...] = ()

    def to_schema(self) -> dict[str, Any]:
        """Airflow 3's serialized form (``SerializedParam.dump()``-like)."""
        kind = {"text": "string", "password": "string"}.get(self.kind, self.kind)
        schema: dict[str, Any] = {"type": [kind, "null"], "title": self.label}
        if self.description:
            schema["description"] = self.description
        if self.kind == "password":
            schema["format"] = "password"
        if self.choices:
            schema["enum"] = list(self.choices)
        return {"value": self.default, "schema": schema, "description": self.description or None}

    def parse(self, text: str) -> Any:
        """The value a form input's ``text`` stands for (None: leave the key out)."""
        if self.kind == "boolean":
            return text.lower() in {"on", "true", "1", "yes"}
        if not text.strip():
            return None
        if self.kind == "integer":
            from brisa.errors import InvalidInputError

            try:
                return int(text.strip())
            except ValueError:
                raise InvalidInputError(f"{self.label} must be a whole number") from None
        return text


def extra_fields(widgets: Mapping[str, Any]) -> tuple[ExtraField, ...]:
    """``get_connection_form_widgets()``'s result as :class:`ExtraField`\\ s."""
    return tuple(_field(name, widget) for name, widget in widgets.items())


def _field(name: str, widget: Any) -> ExtraField:
    field_class = getattr(widget, "field_class", type(widget))
    args, kwargs = tuple(getattr(widget, "args", ())), dict(getattr(widget, "kwargs", {}))
    label = str(args[0] if args else kwargs.get("label") or name)
    validators = list(args[1] if len(args) > 1 else kwargs.get("validators") or ())
    kind = KINDS.get(field_class.__name__, "string")
    widget_name = type(kwargs.get("widget")).__name__
    if widget_name == "BS3PasswordFieldWidget":
        kind = "password"
    elif widget_name == "BS3TextAreaFieldWidget" and kind == "string":
        kind = "text"
    choices: tuple[Any, ...] = ()
    for validator in validators:
        values = getattr(validator, "values", None)
        if type(validator).__name__ == "AnyOf" and values is not None:
            choices = tuple(values)
    default = kwargs.get("default")
    return ExtraField(
        name=name,
        label=label,
        kind=kind,
        description=str(kwargs.get("description") or ""),
        default=None if callable(default) else default,
        choices=choices,
    )


__all__ = ["STAND_INS", "ExtraField", "extra_fields", "install_stand_ins"]
