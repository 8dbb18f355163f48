"""The connection form follows the installed providers' connection types and their hooks'
``get_ui_field_behaviour`` (brisa/providers/forms.py)."""

from __future__ import annotations

import sys

import pytest

from brisa.compat import uninstall_shim
from brisa.compat.finder import _installed_finder
from tests.providers.fake import write_provider


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
