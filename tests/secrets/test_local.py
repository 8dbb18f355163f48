"""brisa.secrets.local: what DAG code run by hand (``dags test``, a ``DagBag``) reads."""

from __future__ import annotations

from pathlib import Path

from brisa.config import load_settings
from brisa.secrets.fernet import generate_key
from brisa.secrets.local import local_secrets
from brisa.store import migrate
from brisa.store.connect import open_store


def _settings(tmp_path: Path, url: str):  # type: ignore[no-untyped-def]
    environ = {
        "BRISA_HOME": str(tmp_path / "home"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url,
        "AIRFLOW__CORE__FERNET_KEY": generate_key(),
        "AIRFLOW_VAR_FROM_ENV": "env-value",
    }
    return load_settings(environ, resources=None), environ


def test_the_metadata_database_is_read_when_its_schema_is_current(tmp_path: Path) -> None:
    settings, environ = _settings(tmp_path, f"sqlite:///{tmp_path / 'brisa.db'}")
    store = open_store(settings)
    migrate.upgrade(store)
    store.dispose()
    local_secrets(settings, environ).set_variable("stored", "db-value")

    secrets = local_secrets(settings, environ)
    assert secrets.store.url == settings.database.sql_alchemy_conn
    assert (secrets.get_variable("stored"), secrets.get_variable("from_env")) == ("db-value", "env-value")


def test_without_a_usable_database_only_the_environment_is_read(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'empty.db'}", "postgresql://postgres@127.0.0.1:1/nothing"):
        settings, environ = _settings(tmp_path, url)
        secrets = local_secrets(settings, environ)
        assert secrets.store.url == "sqlite://"  # a throw-away store: nothing is read from it
        assert secrets.get_variable("from_env") == "env-value"
