"""``brisa users``: through click's CliRunner and as a real ``brisa`` process."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import click
import pytest
from click.testing import CliRunner

from brisa.auth.passwords import verify_password
from brisa.cli.users_cmd import register
from brisa.cli.wiring import load_settings, open_store
from brisa.errors import ConflictError, InvalidInputError, NotFoundError

PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")


@pytest.fixture
def home(monkeypatch, tmp_path):
    """A home with its own SQLite file and nothing from the machine's environment."""
    for name in list(os.environ):
        if name.startswith(("BRISA", "AIRFLOW")) or name in PLATFORM_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))
    return tmp_path


def run(*args, input=None):
    group = click.Group()
    register(group)
    return CliRunner().invoke(group, list(args), input=input)


def stored_user(username):
    with open_store(load_settings()).transaction(readonly=True) as tx:
        return tx.users.get(username)


def create(username="ann", role="Op", password="a-long-password", *extra):
    return run(
        "users", "create", "-u", username, "-r", role, "--password-stdin", *extra, input=password + "\n"
    )


def test_create_with_the_password_on_stdin_stores_only_a_hash(home):
    result = create("ann", "op", "a-long-password", "-e", "ann@example.com", "-f", "Ann", "-l", "Lee")
    assert result.exit_code == 0, result.output
    assert result.output == "User ann created with role Op.\n"
    user = stored_user("ann")
    assert (user.role, user.email, user.first_name, user.last_name) == ("Op", "ann@example.com", "Ann", "Lee")
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password("a-long-password", user.password_hash)


def test_create_asks_for_the_password_twice(home):
    result = run("users", "create", "-u", "bob", "-r", "Viewer", input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert "a-long-password" not in result.output
    mismatch = run("users", "create", "-u", "cy", "-r", "Viewer", input="one-password\nother-password\n" * 3)
    assert mismatch.exit_code != 0


def test_create_refuses_duplicates_bad_roles_and_weak_passwords(home):
    create("ann")
    assert isinstance(create("ANN").exception, ConflictError)
    bad_role = create("dan", "Superuser")
    assert isinstance(bad_role.exception, InvalidInputError)
    assert "valid roles are Viewer, User, Op, Admin" in str(bad_role.exception)
    assert isinstance(create("eve", "Viewer", "short").exception, InvalidInputError)
    both = run("users", "create", "-u", "fay", "-r", "Viewer", "-p", "a-long-password", "--password-stdin")
    assert both.exit_code == 2


def test_list_as_json_never_shows_password_hashes(home):
    create("ann", "Admin")
    create("bob", "Viewer")
    result = run("users", "list", "-o", "json")
    users = json.loads(result.output)
    assert [(u["username"], u["role"], u["active"]) for u in users] == [
        ("ann", "Admin", True),
        ("bob", "Viewer", True),
    ]
    assert "argon2" not in result.output
    assert "password_hash" not in users[0]


def test_delete(home):
    create("ann")
    assert run("users", "delete", "-u", "ann").output == "User ann deleted.\n"
    assert stored_user("ann") is None
    assert isinstance(run("users", "delete", "-u", "ann").exception, NotFoundError)


def test_reset_password_sets_a_new_hash_lifts_the_lock_and_ends_sessions_and_tokens(home):
    create("ann")
    with open_store(load_settings()).transaction() as tx:
        before = tx.users.require("ann")
        tx.users.update("ann", failed_logins=20, locked_until=before.created_at)
        far = before.created_at + timedelta(days=3650)
        tx.sessions.add("browser", user_id=before.id, now=before.created_at, expires_at=far)
    result = run("users", "reset-password", "-u", "ann", "-p", "another-password")
    assert result.output == "Password of ann changed.\n"
    user = stored_user("ann")
    assert verify_password("another-password", user.password_hash)
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert user.credential_id != before.credential_id  # tokens issued before are refused
    with open_store(load_settings()).transaction(readonly=True) as tx:
        assert tx.sessions.count(user.id) == 0
    missing = run("users", "reset-password", "-u", "nobody", "-p", "another-password")
    assert isinstance(missing.exception, NotFoundError)


def brisa(*args, home, input=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env["BRISA_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-c", "from brisa.cli.main import main; main()", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_the_real_command_creates_lists_and_reports_errors_with_exit_codes(tmp_path):
    created = brisa(
        "users",
        "create",
        "-u",
        "ann",
        "-r",
        "Admin",
        "--password-stdin",
        home=tmp_path,
        input="a-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    listed = brisa("users", "list", "-o", "json", home=tmp_path)
    assert [u["username"] for u in json.loads(listed.stdout)] == ["ann"]
    again = brisa(
        "users",
        "create",
        "-u",
        "ann",
        "-r",
        "Admin",
        "--password-stdin",
        home=tmp_path,
        input="a-long-password\n",
    )
    assert again.returncode == 4
    assert again.stderr == "Error: user 'ann' already exists\n"
