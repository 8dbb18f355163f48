import pytest

from brisa.secrets.masking import SecretsMasker
from brisa.ui.params import (
    FIELD_PREFIX,
    build_fields,
    field_kind,
    parse_conf_json,
    parse_fields,
    parse_value,
    value_text,
)

PARAMS = {
    "count": {"value": 3, "schema": {"type": "integer", "minimum": 1}, "description": "How many"},
    "ratio": {"value": 0.5, "schema": {"type": "number"}},
    "flag": {"value": True, "schema": {"type": "boolean"}},
    "color": {"value": "red", "schema": {"type": "string", "enum": ["red", "blue"]}},
    "items": {"value": ["a", "b"], "schema": {"type": "array"}},
    "options": {"value": {"k": 1}, "schema": {"type": "object"}},
    "day": {"value": "2026-01-01", "schema": {"type": "string", "format": "date"}},
    "maybe": {"value": None, "schema": {"type": ["null", "string"]}},
    "plain": "hello",
    "db_password": {"value": "hunter2", "schema": {"type": "string"}},
    "needed": {"value": None, "has_value": False, "schema": {"type": "string"}},
}


def form_for(**texts: str) -> dict[str, str]:
    return {FIELD_PREFIX + name: text for name, text in texts.items()}


def test_widgets_follow_the_schema() -> None:
    kinds = {f.name: f.kind for f in build_fields(PARAMS, SecretsMasker())}
    assert kinds == {
        "count": "integer",
        "ratio": "number",
        "flag": "boolean",
        "color": "select",
        "items": "array",
        "options": "object",
        "day": "date",
        "maybe": "string",
        "plain": "any",
        "db_password": "string",
        "needed": "string",
    }
    assert field_kind({"type": "string", "format": "multiline"}) == "multiline"


def test_fields_show_defaults_and_hide_secrets() -> None:
    fields = {f.name: f for f in build_fields(PARAMS, SecretsMasker())}
    assert fields["count"].text == "3" and fields["count"].description == "How many"
    assert fields["flag"].text == "true"
    assert fields["items"].text == "a\nb"
    assert fields["color"].options == (('"red"', "red"), ('"blue"', "blue"))
    assert fields["color"].text == '"red"'
    assert fields["db_password"].text == "***" and fields["db_password"].masked
    assert fields["needed"].required and not fields["count"].required


def test_submitted_values_and_errors_are_shown_again() -> None:
    fields = build_fields(PARAMS, SecretsMasker(), submitted=form_for(count="x"), errors={"count": "bad"})
    count = next(f for f in fields if f.name == "count")
    flag = next(f for f in fields if f.name == "flag")
    assert (count.text, count.error, flag.text) == ("x", "bad", "false")  # an unchecked box is false


def test_the_form_becomes_conf() -> None:
    form = form_for(
        count="7",
        ratio="2.5",
        flag="true",
        color='"blue"',
        items="x\ny\n\n",
        options='{"a": [1]}',
        day="2026-02-03",
        maybe="",
        plain="[1, 2]",
        db_password="***",
        needed="given",
    )
    parsed = parse_fields(PARAMS, form)
    assert parsed.errors == {}
    assert parsed.conf == {
        "count": 7,
        "ratio": 2.5,
        "flag": True,
        "color": "blue",
        "items": ["x", "y"],
        "options": {"a": [1]},
        "day": "2026-02-03",
        "maybe": None,
        "plain": "[1, 2]",  # its default is text, so the text is kept as it is
        "needed": "given",
    }  # the masked secret left as shown is not sent: the DAG's default applies


def test_an_empty_required_param_is_left_out_to_be_reported_missing() -> None:
    assert "needed" not in parse_fields(PARAMS, form_for(needed="  ")).conf


def test_text_that_does_not_parse_is_reported_per_field() -> None:
    parsed = parse_fields(PARAMS, form_for(count="three", ratio="x", items="[1", options="[]", flag=""))
    assert parsed.errors == {
        "count": "must be a whole number",
        "ratio": "must be a number",
        "items": "not valid JSON",
        "options": "must be a JSON object",
    }
    assert parsed.conf["flag"] is False


@pytest.mark.parametrize(
    ("kind", "schema", "text", "expected"),
    [
        ("integer", {"type": "integer"}, "", None),
        ("string", {"type": "string"}, "", ""),
        ("array", {"type": "array"}, '["a", 1]', ["a", 1]),
        ("any", {}, "plain words", "plain words"),
        ("any", {}, "42", 42),
    ],
)
def test_parse_value(kind: str, schema: dict, text: str, expected: object) -> None:
    assert parse_value(kind, schema, text) == expected


def test_value_text_round_trips_items_with_newlines_as_json() -> None:
    assert value_text("array", ["a\nb", "c"]) == '["a\\nb", "c"]'
    assert parse_value("array", {}, value_text("array", ["a\nb", "c"])) == ["a\nb", "c"]


def test_raw_conf_must_be_an_object() -> None:
    assert parse_conf_json("  ") == {}
    assert parse_conf_json('{"a": 1}') == {"a": 1}
    with pytest.raises(ValueError, match="must be a JSON object"):
        parse_conf_json("[1]")
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_conf_json("{")
