"""The connection form follows the installed providers' connection types and their hooks'
``get_ui_field_behaviour`` (brisa/providers/forms.py)."""

from __future__ import annotations

import json
import sys

import pytest

from brisa.compat import uninstall_shim
from brisa.compat.finder import _installed_finder
from tests.providers.fake import write_provider
from tests.ui.helpers import post_form


@pytest.fixture
def acme(tmp_path, monkeypatch):
    """An installed provider whose hook serves conn_type ``acme``."""
    had_shim = _installed_finder() is not None
    write_provider(tmp_path, "acme")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [n for n in sys.modules if n.startswith("airflow.providers.acme")]:
        del sys.modules[name]
    if not had_shim:
        uninstall_shim()


def test_known_types_are_suggested_and_the_hook_shapes_the_form(admin, acme) -> None:
    page = admin.get("/connections/new?conn_type=acme").text
    assert '<datalist id="conn-types">' in page
    assert '<option value="acme">' in page and '<option value="postgres">' in page
    assert 'value="acme"' in page
    # The fake hook hides schema, calls login "Account" and suggests a host.
    assert '<div class="field" hidden>\n    <label for="schema">' in page
    assert '<label for="login">Account</label>' in page
    assert 'placeholder="acme.example.com"' in page


def test_an_unknown_type_gets_the_plain_form(admin, acme) -> None:
    page = admin.get("/connections/new?conn_type=nosuch").text
    assert '<label for="login">Login</label>' in page
    assert " hidden>" not in page


def test_the_hooks_extra_fields_are_inputs_saved_into_the_extra_json(app, admin, acme) -> None:
    page = admin.get("/connections/new?conn_type=acme").text
    assert '<label for="extra_field:timeout">Timeout</label>' in page and "Seconds to wait." in page
    assert '<option value="north" selected>north</option>' in page  # the hook's default
    assert 'name="extra_field:extra__acme__token" type="password"' in page
    assert 'name="extra_field:verify" checked' in page
    form = {
        "conn_id": "acme_1",
        "conn_type": "acme",
        "extra_fields_for": "acme",
        "extra_field:timeout": "30",
        "extra_field:region": "south",
        "extra_field:extra__acme__token": "tok-123",
        "extra": json.dumps({"other": 1}),
    }  # "verify" unticked: false, since the hook's default is true
    assert post_form(admin, "/connections/new", form).status_code == 303
    entry = app.state.brisa.secrets.connection_entry("acme_1")
    assert entry.extra == {
        "other": 1,
        "timeout": 30,
        "region": "south",
        "extra__acme__token": "tok-123",
        "verify": False,
    }

    edit = admin.get("/connections/edit?conn_id=acme_1").text
    assert 'name="extra_field:timeout" value="30"' in edit and "tok-123" not in edit
    assert "&#34;timeout&#34;" not in edit  # shown in its input, not in the JSON too
    again = {
        **form,
        "extra_field:timeout": "",
        "extra_field:extra__acme__token": "",
        "extra_field:verify": "on",
    }
    assert (
        post_form(admin, "/connections/edit", {**again, "extra": json.dumps({"other": 2})}).status_code == 303
    )
    entry = app.state.brisa.secrets.connection_entry("acme_1")
    assert entry.extra == {"other": 2, "region": "south", "extra__acme__token": "tok-123", "verify": True}


def test_fields_of_a_type_the_form_did_not_show_are_left_alone(app, admin, acme) -> None:
    form = {"conn_id": "acme_2", "conn_type": "acme", "extra_fields_for": "", "extra": '{"timeout": 5}'}
    assert post_form(admin, "/connections/new", form).status_code == 303
    assert app.state.brisa.secrets.connection_entry("acme_2").extra == {"timeout": 5}
    bad = {**form, "conn_id": "acme_3", "extra_fields_for": "acme", "extra_field:timeout": "soon"}
    refused = post_form(admin, "/connections/new", bad)
    assert refused.status_code == 400 and "Timeout must be a whole number" in refused.text
