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
