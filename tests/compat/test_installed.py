"""Real provider packages next to Brisa's shim (brisa/providers/installed.py, finder.py)."""

from __future__ import annotations

import importlib
import sys

import pytest

from brisa.compat import airflow_is_installed, shim_installed
from brisa.compat.finder import SHIM_MARK
from brisa.providers.installed import provider_name, real_provider_root
from tests.providers.fake import write_provider


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A site-packages directory on sys.path; provider modules imported from it are
    forgotten afterwards."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    yield site
    for name in [n for n in sys.modules if n.startswith("airflow.providers.")]:
        if str(site) in (getattr(sys.modules[name], "__file__", None) or ""):
            del sys.modules[name]


def test_provider_wheels_alone_are_not_apache_airflow(site):
    write_provider(site, "http")
    assert not (site / "airflow" / "__init__.py").exists()  # a namespace package, as wheels ship
    assert airflow_is_installed() is False


def test_a_regular_airflow_package_is_apache_airflow(site):
    (site / "airflow").mkdir()
    (site / "airflow" / "__init__.py").write_text("")
    assert airflow_is_installed() is True


def test_an_installed_provider_is_imported_from_its_own_files(site):
    write_provider(site, "acme")
    with shim_installed() as recorder:
        module = importlib.import_module("airflow.providers.acme.hooks.acme")
        assert module.__file__.startswith(str(site))
        assert not getattr(module, SHIM_MARK, False)
        # Its imports of Airflow's surface are Brisa's.
        from brisa.sdk.connection import BaseHook

        assert issubclass(module.AcmeHook, BaseHook)
        import airflow.providers

        assert airflow.providers.acme.hooks.acme is module  # reachable as an attribute too
    assert "airflow.providers.acme.hooks.acme" in recorder.modules


def test_brisa_keeps_its_own_sql_provider_until_the_real_one_is_installed(site):
    with shim_installed():
        assert getattr(importlib.import_module("airflow.providers.common.sql"), SHIM_MARK)
    write_provider(site, "common.sql")
    with shim_installed():
        common_sql = importlib.import_module("airflow.providers.common.sql")
        assert not getattr(common_sql, SHIM_MARK, False)
        assert common_sql.__file__.startswith(str(site))
        assert getattr(importlib.import_module("airflow.providers.common"), SHIM_MARK)


def test_common_compat_is_always_brisas(site):
    write_provider(site, "common.compat")
    assert real_provider_root("airflow.providers.common.compat.sdk") is None
    with shim_installed():
        assert getattr(importlib.import_module("airflow.providers.common.compat.sdk"), SHIM_MARK)


def test_a_provider_not_installed_says_how_to_install_it(site):
    with shim_installed(), pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("airflow.providers.slack.hooks.slack")
    assert "Brisa does not support airflow.providers.slack " in str(info.value)
    assert "install the provider with `brisa providers install slack`" in str(info.value)
    with shim_installed(), pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("airflow.providers.microsoft.azure.hooks.wasb")
    assert "`brisa providers install microsoft.<name>`" in str(info.value)


def test_two_part_providers_share_their_namespace_directory(site):
    write_provider(site, "microsoft.acme")
    write_provider(site, "microsoft.other")
    with shim_installed():
        acme = importlib.import_module("airflow.providers.microsoft.acme.hooks.acme")
        other = importlib.import_module("airflow.providers.microsoft.other.hooks.other")
    assert acme.__file__.startswith(str(site)) and other.__file__.startswith(str(site))


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("airflow.providers.http.hooks.http", "http"),
        ("airflow.providers.amazon.aws.hooks.s3", "amazon"),
        ("airflow.providers.common.sql.hooks.sql", "common.sql"),
        ("airflow.providers.apache.kafka", "apache.kafka"),
        ("airflow.providers.apache", "apache.<name>"),
        ("airflow.operators.bash", None),
    ],
)
def test_provider_names_of_module_paths(module, name):
    assert provider_name(module) == name
