"""The option table: Airflow's old locations, unknown keys and derived defaults."""

from tests.config.support import FERNET_KEY, load, write


def test_moved_keys_are_read_from_airflows_old_locations(home):
    write(home / "brisa.cfg", "[core]\nsql_alchemy_conn = sqlite:////data/old.db\ndag_concurrency = 3\n")
    settings = load(
        {"AIRFLOW__WEBSERVER__WEB_SERVER_PORT": "9090", "AIRFLOW__WEBSERVER__WORKERS": "3"}, home=home
    )
    assert settings.database.sql_alchemy_conn == "sqlite:////data/old.db"
    assert settings.source("database", "sql_alchemy_conn") == "brisa.cfg [core] sql_alchemy_conn"
    assert settings.core.max_active_tasks_per_dag == 3
    assert settings.api.port == 9090 and settings.api.workers == 3
    assert settings.raw_value("core", "sql_alchemy_conn") == "sqlite:////data/old.db"
    assert settings.source("webserver", "web_server_port") == "env AIRFLOW__WEBSERVER__WEB_SERVER_PORT"


def test_unknown_keys_are_kept_and_listed(home):
    write(home / "brisa.cfg", "[core]\nlog_format = [%%(asctime)s]\n[ldap]\nbind_password = hunter22\n")
    settings = load({"AIRFLOW__KUBERNETES__NAMESPACE": "x"}, home=home)
    log_format = settings.item("core", "log_format")
    assert (log_format.value, log_format.known, log_format.source) == ("[%(asctime)s]", False, "brisa.cfg")
    assert settings.item("ldap", "bind_password").display_value == "***"
    assert settings.raw_value("kubernetes", "namespace") == "x"
    keys = [(item.section, item.key) for item in settings.items()]
    assert keys.index(("core", "log_format")) > keys.index(("core", "executor"))
    assert keys[-1] == ("ldap", "bind_password")


def test_result_backend_defaults_to_the_metadata_database(home):
    settings = load({"DATABASE_URL": "postgres://u:p@localhost/x"}, home=home)
    assert settings.celery.result_backend == "db+postgresql+psycopg://u:p@localhost/x"
    assert settings.source("celery", "result_backend") == "derived from [database] sql_alchemy_conn"


def test_airflow_cfg_big_machine_defaults_do_not_override_sizing(home):
    write(
        home / "airflow.cfg",
        "[core]\nparallelism = 32\n[celery]\nworker_concurrency = 16\n[webserver]\nworkers = 4\n",
    )
    settings = load(home=home)
    assert (settings.core.parallelism, settings.celery.worker_concurrency, settings.api.workers) == (8, 8, 1)
    write(home / "brisa.cfg", "[core]\nparallelism = 32\n")
    assert load(home=home).core.parallelism == 32
    assert load({"AIRFLOW__CORE__PARALLELISM": "32"}).core.parallelism == 32


def test_logging_level_from_airflows_older_keys(home):
    assert load({"AIRFLOW__CORE__LOGGING_LEVEL": "warn"}, home=home).logging.level == "WARNING"


def test_secret_key_is_derived_from_the_fernet_key(home):
    first = load({"AIRFLOW__CORE__FERNET_KEY": FERNET_KEY}, home=home)
    again = load({"AIRFLOW__CORE__FERNET_KEY": f"{FERNET_KEY},other"}, home=home)
    other = load({"AIRFLOW__CORE__FERNET_KEY": "another-key"}, home=home)
    assert first.api.secret_key == again.api.secret_key != other.api.secret_key
    assert FERNET_KEY not in first.api.secret_key
    assert first.source("api", "secret_key") == "derived from [core] fernet_key"


def test_explicit_secret_key_wins(home):
    environ = {"AIRFLOW__CORE__FERNET_KEY": FERNET_KEY, "AIRFLOW__WEBSERVER__SECRET_KEY": "s3cret"}
    assert load(environ, home=home).api.secret_key == "s3cret"


def test_airflow_1_10s_public_placeholder_secret_key_is_ignored(home):
    write(home / "airflow.cfg", "[webserver]\nsecret_key = temporary_key\n")
    assert load(home=home).api.secret_key is None
