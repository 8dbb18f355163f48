"""What task processes must not see, and what logs must hide."""

from brisa.config import (
    load_settings,
)
from tests.config.support import FERNET_KEY, SMALL_DYNO


def test_sensitive_environment_names_brisas_own_secrets_but_not_connections_or_variables():
    from brisa.config import sensitive_environment

    environ = {
        "AIRFLOW__API__SECRET_KEY": "k",
        "AIRFLOW__WEBSERVER__SECRET_KEY": "k",
        "AIRFLOW__CORE__FERNET_KEY": "k",
        "BRISA__CORE__FERNET_KEY_CMD": "cat key",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "u",
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET": "/run/secrets/db",
        "AIRFLOW__SMTP__SMTP_PASSWORD": "p",
        "AIRFLOW__CELERY__BROKER_URL": "redis://:p@h",
        "AIRFLOW__LDAP__BIND_PASSWORD": "p",
        "AIRFLOW__SOMETHING__NEW_SECRET": "s",
        "DATABASE_URL": "postgres://u:p@h/d",
        "REDIS_URL": "redis://:p@h",
        # what tasks keep
        "AIRFLOW_CONN_WAREHOUSE": "postgresql://u:p@h/d",
        "AIRFLOW_VAR_TOKEN": "t",
        "AIRFLOW__CORE__DAGS_FOLDER": "/dags",
        "AIRFLOW__API__BASE_URL": "https://brisa.example.com",
        "AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES": "pin",
        "BRISA_HOME": "/srv/brisa",
        "PATH": "/usr/bin",
    }
    assert sensitive_environment(environ) == {
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__WEBSERVER__SECRET_KEY",
        "AIRFLOW__CORE__FERNET_KEY",
        "BRISA__CORE__FERNET_KEY_CMD",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET",
        "AIRFLOW__SMTP__SMTP_PASSWORD",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__LDAP__BIND_PASSWORD",
        "AIRFLOW__SOMETHING__NEW_SECRET",
        "DATABASE_URL",
        "REDIS_URL",
    }


def test_sensitive_values_are_every_key_url_and_url_password_of_the_settings(home):
    from brisa.config import sensitive_values

    other_key = "b" * 43 + "="
    settings = load_settings(
        {
            "BRISA__CORE__FERNET_KEY": f"{FERNET_KEY},{other_key}",
            "BRISA__DATABASE__SQL_ALCHEMY_CONN": "postgresql://etl:p%40ssw0rd@db/brisa",
            "AIRFLOW__SMTP__SMTP_PASSWORD": "smtp-pass-1",
        },
        home=str(home),
        resources=SMALL_DYNO,
    )
    found = sensitive_values(settings)
    assert {FERNET_KEY, other_key, "p@ssw0rd", "smtp-pass-1", settings.api.secret_key} <= set(found)
    assert "postgresql+psycopg://etl:p%40ssw0rd@db/brisa" in found
    assert not settings.core.pass_sensitive_env_to_tasks
