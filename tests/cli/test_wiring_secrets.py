"""What the CLI's wiring gives task processes and maskers: Brisa's secrets hidden from the
first, known to the second."""

from __future__ import annotations

import pytest

from brisa.cli import wiring
from brisa.config import load_settings
from brisa.secrets.fernet import generate_key

CONN = "postgresql://etl:wh-pass-2024@db.example.com/w"


@pytest.fixture
def environ(tmp_path) -> dict[str, str]:
    return {
        "BRISA_HOME": str(tmp_path),
        "AIRFLOW__CORE__FERNET_KEY": generate_key(),
        "AIRFLOW__API__SECRET_KEY": "an-api-secret-key-of-more-than-32-bytes",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql://brisa:db-pass-99@pg/brisa",
        "AIRFLOW_CONN_WAREHOUSE": CONN,
        "AIRFLOW_VAR_SLACK_TOKEN": "xoxb-slack-123",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


def test_every_masker_knows_the_settings_and_environment_secrets_from_the_start(environ):
    settings = load_settings(environ)
    masker = wiring.masker_factory(settings, environ)()
    line = (
        f"{environ['AIRFLOW__CORE__FERNET_KEY']} {environ['AIRFLOW__API__SECRET_KEY']} db-pass-99 "
        f"{CONN} wh-pass-2024 xoxb-slack-123 region=eu"
    )
    assert masker.mask(line) == "*** *** *** *** *** *** region=eu"
    other = wiring.masker_factory(settings, environ)()
    masker.add("learnt-by-one-try")
    assert other.mask("learnt-by-one-try") == "learnt-by-one-try"  # each try has its own


def test_the_task_pool_hides_brisas_secrets_unless_a_setting_asks(environ):
    pool = wiring.task_pool(load_settings(environ), environ)
    assert pool._hidden_env == {
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    }
    passing = load_settings({**environ, "AIRFLOW__CORE__PASS_SENSITIVE_ENV_TO_TASKS": "True"})
    assert wiring.task_pool(passing, environ)._hidden_env == frozenset()


def test_the_celery_worker_runs_tries_in_a_pool_that_hides_them(environ, memory_store, monkeypatch):
    from brisa.cli.celery_cmd import make_worker

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(environ)
    monkeypatch.setattr(wiring, "make_secrets", lambda s, store: _NoKeyCheck())
    worker = make_worker(settings, memory_store, concurrency=1, nodename="w@host")
    assert "AIRFLOW__CORE__FERNET_KEY" in worker.executor.pool._hidden_env
    assert worker.executor.smtp_password is None


class _NoKeyCheck:
    def check_key(self) -> int:
        return 0
