"""Reading hooks' extra connection fields with the WTForms/Flask stand-ins."""

from __future__ import annotations

import sys

import pytest

from brisa.errors import InvalidInputError
from brisa.providers import widgets
from brisa.providers.widgets import ExtraField, extra_fields, install_stand_ins


def test_stand_ins_answer_the_names_hooks_import_and_fields_read_like_airflow_3s():
    install_stand_ins()
    from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
    from flask_babel import lazy_gettext
    from wtforms import PasswordField, StringField
    from wtforms.validators import Optional, any_of

    read = extra_fields(
        {
            "mode": StringField(
                lazy_gettext("Mode"), validators=[Optional(), any_of(["a", "b"])], default="a"
            ),
            "key_file": StringField("Key", widget=BS3TextAreaFieldWidget()),
            "secret": PasswordField(label="Secret", description="kept"),
        }
    )
    assert read == (
        ExtraField("mode", "Mode", "string", default="a", choices=("a", "b")),
        ExtraField("key_file", "Key", "text"),
        ExtraField("secret", "Secret", "password", description="kept"),
    )
    assert read[0].to_schema() == {
        "value": "a",
        "schema": {"type": ["string", "null"], "title": "Mode", "enum": ["a", "b"]},
        "description": None,
    }
    assert read[2].to_schema()["schema"]["format"] == "password"


def test_an_installed_package_is_never_replaced(monkeypatch):
    monkeypatch.setattr(widgets, "_is_installed", lambda top: top == "flask_babel")
    for name in widgets.STAND_INS:
        monkeypatch.delitem(sys.modules, name, raising=False)
    added = install_stand_ins()
    assert "flask_babel" not in added and "wtforms.validators" in added


def test_values_are_parsed_by_kind():
    assert ExtraField("n", "N", "integer").parse(" 30 ") == 30
    assert ExtraField("n", "N", "integer").parse("") is None
    assert ExtraField("b", "B", "boolean").parse("on") is True
    assert ExtraField("b", "B", "boolean").parse("") is False
    with pytest.raises(InvalidInputError, match="N must be a whole number"):
        ExtraField("n", "N", "integer").parse("x")
