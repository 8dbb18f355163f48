"""``brisa db check-migrations``: waits for the schema, exit 1 when it never becomes current."""

import pytest
from brisa_cli import brisa, home_env, postgres_url

from tests.conftest import PG_ADMIN_URL


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_check_migrations_fails_before_migrate_and_passes_after(backend, tmp_path, request):
    url = None
    if backend == "postgres":
        url = postgres_url(PG_ADMIN_URL, request.getfixturevalue("pg_scratch_database"))
    env = home_env(tmp_path, url)
    early = brisa("db", "check-migrations", "-t", "0", env=env)
    assert early.returncode == 1 and "There are still unapplied migrations after 0 seconds" in early.stderr
    assert brisa("db", "migrate", env=env).returncode == 0
    done = brisa("db", "check-migrations", "--migration-wait-timeout", "5", env=env)
    assert (done.returncode, done.stdout) == (0, "DB migrations done.\n"), done.stderr


def test_check_migrations_waits_through_an_unreachable_database(tmp_path):
    env = home_env(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    result = brisa("db", "check-migrations", "-t", "0", env=env)
    assert result.returncode == 1 and "unapplied migrations" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migrate_to_a_revision_downgrade_and_back(backend, tmp_path, request):
    url = None
    if backend == "postgres":
        url = postgres_url(PG_ADMIN_URL, request.getfixturevalue("pg_scratch_database"))
    env = home_env(tmp_path, url)
    first = brisa("db", "migrate", "--to-revision", "0001", env=env)
    assert first.returncode == 0, first.stderr
    assert "Database migrated to revision 0001" in first.stdout
    assert brisa("db", "check", env=env).returncode != 0  # not the newest yet
    assert brisa("db", "migrate", env=env).returncode == 0
    assert brisa("db", "check", env=env).returncode == 0
    refused = brisa("db", "downgrade", "-r", "0001", env=env, timeout=60)  # asks; no answer on stdin
    assert refused.returncode != 0
    assert brisa("db", "check", env=env).returncode == 0
    down = brisa("db", "downgrade", "-r", "0001", "-y", env=env)
    assert down.returncode == 0, down.stderr
    assert "Database downgraded to revision 0001" in down.stdout
    again = brisa("db", "migrate", env=env)
    assert again.returncode == 0 and brisa("db", "check", env=env).returncode == 0


def test_an_unknown_revision_is_one_clear_error(tmp_path):
    result = brisa("db", "migrate", "-r", "9999", env=home_env(tmp_path))
    assert result.returncode == 2
    known = "0001, 0002, 0003, 0004, 0005, 0006, 0007, 0008, 0009"
    assert f"unknown revision '9999': Brisa's are {known}" in result.stderr


@pytest.mark.postgres
def test_show_sql_only_prints_the_migration_and_changes_nothing(tmp_path, pg_scratch_database):
    env = home_env(tmp_path, postgres_url(PG_ADMIN_URL, pg_scratch_database))
    assert brisa("db", "migrate", "-r", "0001", env=env).returncode == 0
    sql = brisa("db", "migrate", "--show-sql-only", env=env)
    assert sql.returncode == 0, sql.stderr
    assert "CREATE TABLE task_state" in sql.stdout and "CREATE TABLE ab_session" in sql.stdout
    assert "UPDATE alembic_version SET version_num='0009'" in sql.stdout
    check = brisa("db", "check", env=env)
    assert check.returncode != 0 and "revision 0001" in check.stderr  # nothing was run
    back = brisa("db", "downgrade", "-r", "0001", "--from-revision", "0009", "-s", env=env)
    assert back.returncode == 0 and "DROP TABLE ab_session" in back.stdout


def test_show_sql_only_is_refused_on_sqlite_as_in_airflow(tmp_path):
    result = brisa("db", "migrate", "--show-sql-only", env=home_env(tmp_path))
    assert result.returncode == 2
    assert "not supported on SQLite" in result.stderr
