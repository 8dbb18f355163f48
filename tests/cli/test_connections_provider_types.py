"""``connections add`` checks the type against the installed providers' connection types."""

import pytest
from secrets_cli import invoke, prepare_home

from brisa.cli.connections_cmd import register
from tests.providers.fake import write_provider


@pytest.fixture
def home_with_acme(monkeypatch, tmp_path):
    site = tmp_path / "site"
    write_provider(site, "acme")
    monkeypatch.syspath_prepend(str(site))
    home = tmp_path / "home"
    home.mkdir()
    return prepare_home(monkeypatch, home)


def test_a_type_an_installed_provider_serves_is_taken_silently(home_with_acme):
    result = invoke(register, "connections", "add", "one", "--conn-type", "acme", "--conn-host", "h")
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr


def test_an_unknown_type_is_stored_with_a_warning_naming_it(home_with_acme):
    result = invoke(register, "connections", "add", "two", "--conn-type", "acmme", "--conn-host", "h")
    assert result.exit_code == 0, result.output
    assert "Warning: no installed provider serves conn_type 'acmme'" in result.stderr
    assert "Known types: acme, fs, postgres, sqlite" in result.stderr
