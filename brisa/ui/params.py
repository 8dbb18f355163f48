"""The trigger form: one input per DAG param, built from its JSON schema, and back (pure).

Airflow's trigger form picks a widget by the param's schema and so does this one:

==========================  ===========================================================
schema                      widget, and how the submitted text becomes the conf value
==========================  ===========================================================
``enum``                    a select; options hold each value as JSON
``boolean``                 a checkbox (unchecked is ``false``)
``integer`` / ``number``    a number input; empty is ``null``
``array``                   a text area: one item per line, or a JSON array
``object``                  a text area with a JSON object
``string``                  a text input (``date``, ``time`` formats get date and time
                            inputs, ``multiline`` a text area); empty is ``null`` when
                            the schema allows null, else ``""``
no type                     a text input: JSON when it parses, else the text itself
==========================  ===========================================================

Values that do not parse are reported per field; the schema itself is checked afterwards
by :func:`brisa.services.runs.param_errors`, whose messages go next to the same fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from brisa.secrets.masking import REPLACEMENT, SecretsMasker

FIELD_PREFIX = "param."


@dataclass(frozen=True)
class ParamField:
    name: str
    kind: str
    """``select``, ``boolean``, ``integer``, ``number``, ``array``, ``object``, ``string``,
    ``date``, ``time``, ``multiline`` or ``any``."""
    label: str
    description: str | None
    text: str
    """What the input shows (``true``/``false`` for a checkbox)."""
    options: tuple[tuple[str, str], ...] = ()
    """For ``select``: ``(JSON value, label)`` pairs."""
    required: bool = False
    error: str | None = None
    masked: bool = False

    @property
    def input_name(self) -> str:
        return FIELD_PREFIX + self.name


@dataclass
class ParsedForm:
    conf: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _spec(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {"value": raw, "schema": {}, "has_value": True}


def _types(schema: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The main JSON type of a schema and whether it allows null."""
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    main = next((t for t in types if t != "null"), None)
    return main, "null" in types


_STRING_FORMATS = {"date": "date", "time": "time", "multiline": "multiline"}


def field_kind(schema: Mapping[str, Any]) -> str:
    if "enum" in schema:
        return "select"
    main, _ = _types(schema)
    if main == "string":
        return _STRING_FORMATS.get(str(schema.get("format")), "string")
    return main if main in ("boolean", "integer", "number", "array", "object") else "any"


def value_text(kind: str, value: Any) -> str:
    """A conf value as the text its widget shows."""
    if kind == "boolean":
        return "true" if value else "false"
    if value is None:
        return ""
    if kind in ("string", "date", "time", "multiline") or (kind == "any" and isinstance(value, str)):
        return str(value)
    if kind == "array" and isinstance(value, list) and all(_is_line(item) for item in value):
        return "\n".join(value)
    if kind == "select":
        return json.dumps(value)
    return json.dumps(value, indent=2 if kind == "object" else None, default=str)


def _is_line(item: Any) -> bool:
    return isinstance(item, str) and "\n" not in item and item.strip() == item and item != ""


def build_fields(
    params: Mapping[str, Any],
    masker: SecretsMasker,
    *,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[ParamField]:
    """The form's fields: the DAG's defaults, or what was submitted when re-showing the form."""
    fields = []
    for name, raw in params.items():
        spec = _spec(raw)
        schema = spec.get("schema") or {}
        kind = field_kind(schema)
        masked = masker.should_hide_value_for_key(name) and spec.get("value") is not None
        text = REPLACEMENT if masked else value_text(kind, spec.get("value"))
        if submitted is not None:
            text = _submitted_text(kind, submitted.get(FIELD_PREFIX + name))
        fields.append(
            ParamField(
                name=name,
                kind=kind,
                label=str(schema.get("title") or name),
                description=spec.get("description") or schema.get("description"),
                text=text,
                options=_options(schema) if kind == "select" else (),
                required=not spec.get("has_value", True),
                error=(errors or {}).get(name),
                masked=masked,
            )
        )
    return fields


def _submitted_text(kind: str, text: str | None) -> str:
    if kind == "boolean":
        return "true" if text == "true" else "false"
    return text or ""


def _options(schema: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    shown = schema.get("values_display") or {}
    return tuple((json.dumps(value), str(shown.get(str(value), value))) for value in schema["enum"])


def parse_fields(params: Mapping[str, Any], form: Mapping[str, str]) -> ParsedForm:
    """The conf the fields describe, and the fields whose text does not parse."""
    parsed = ParsedForm()
    for name, raw in params.items():
        spec = _spec(raw)
        schema = spec.get("schema") or {}
        text = form.get(FIELD_PREFIX + name)
        if text == REPLACEMENT and spec.get("value") is not None:
            continue  # a masked default left as shown: the DAG's default applies
        if not spec.get("has_value", True) and not (text or "").strip() and field_kind(schema) != "boolean":
            continue  # a required param left empty: reported as missing, not as ""
        try:
            parsed.conf[name] = parse_value(field_kind(schema), schema, text, spec.get("value"))
        except ValueError as exc:
            parsed.errors[name] = str(exc)
    return parsed


def parse_value(kind: str, schema: Mapping[str, Any], text: str | None, default: Any = None) -> Any:
    """The conf value for a widget's text; ValueError with a message for the user."""
    _, nullable = _types(schema)
    if kind == "boolean":
        return text == "true"
    text = text if text is not None else ""
    if kind in ("string", "date", "time", "multiline"):
        return None if text == "" and nullable else text
    if text.strip() == "":
        return None
    if kind == "select":
        return _json(text)
    if kind == "integer":
        return _integer(text)
    if kind == "number":
        return _number(text)
    if kind == "array":
        return _array(text)
    if kind == "object":
        return _object(text)
    return text if isinstance(default, str) else _json_or_text(text)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except ValueError:
        raise ValueError("not valid JSON") from None


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except (RecursionError, ValueError):
        return text


def _integer(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("must be a whole number") from None


def _number(text: str) -> int | float:
    value = _json_or_text(text.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


def _array(text: str) -> list[Any]:
    if text.lstrip().startswith("["):
        value = _json(text)
        if not isinstance(value, list):
            raise ValueError("must be a JSON array")
        return value
    return [line.strip() for line in text.splitlines() if line.strip()]


def _object(text: str) -> dict[str, Any]:
    value = _json(text)
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return value


def parse_conf_json(text: str | None) -> dict[str, Any]:
    """The raw conf editor's text: empty, or a JSON object."""
    if not text or not text.strip():
        return {}
    value = _json(text)
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return value


__all__ = [
    "FIELD_PREFIX",
    "ParamField",
    "ParsedForm",
    "build_fields",
    "field_kind",
    "parse_conf_json",
    "parse_fields",
    "parse_value",
    "value_text",
]
