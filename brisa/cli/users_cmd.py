"""``brisa users ...``: create, list, delete users and reset their passwords.

Passwords come from a prompt (typed twice), ``--password-stdin`` (one line on standard
input, for scripts) or ``--password`` (visible in ``ps`` and shell history: avoid it).
Only argon2id hashes are stored.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from brisa.cli import wiring
from brisa.cli.output import output_option, render

USER_COLUMNS = ("id", "username", "email", "first_name", "last_name", "role", "active", "last_login")


def register(cli: click.Group) -> None:
    cli.add_command(users)


@click.group()
def users() -> None:
    """Manage the users who may log in to the web UI and the REST API."""


def _store() -> Any:
    settings = wiring.load_settings()
    wiring.ensure_schema(settings)
    return wiring.open_store(settings)


def read_password(password: str | None, from_stdin: bool, *, username: str) -> str:
    """The new password from the option, standard input or a prompt; checked against the policy."""
    from brisa.auth.users import check_password

    if password is not None and from_stdin:
        raise click.UsageError("give --password or --password-stdin, not both")
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_password(password, username=username)
    return password


def _password_options(command: Any) -> Any:
    command = click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")(
        command
    )
    return click.option("-p", "--password", help="The password (visible to other users of this machine).")(
        command
    )


@users.command("create")
@click.option("-u", "--username", required=True)
@click.option("-e", "--email", default=None, help="name@example.com")
@click.option("-r", "--role", required=True, help="Admin, Op, User or Viewer.")
@click.option("-f", "--firstname", default="")
@click.option("-l", "--lastname", default="")
@_password_options
def create_user(
    username: str,
    email: str | None,
    role: str,
    firstname: str,
    lastname: str,
    password: str | None,
    password_stdin: bool,
) -> None:
    """Create a user (the password is asked for unless given)."""
    from brisa.auth.passwords import hash_password
    from brisa.auth.roles import Role
    from brisa.auth.users import UserSpec, username_key
    from brisa.errors import ConflictError

    parsed_role = Role.parse(role)  # before asking for a password
    secret = read_password(password, password_stdin, username=username)
    spec = UserSpec(username, parsed_role, secret, email, firstname, lastname)
    store = _store()
    with store.transaction() as tx:
        taken = {username_key(u.username) for u in tx.users.list().items}
        if username_key(spec.username) in taken:
            raise ConflictError(f"user {spec.username!r} already exists")
        tx.users.create(
            username=spec.username,
            email=spec.email or "",
            role=spec.role.value,
            password_hash=hash_password(spec.password),
            now=wiring.utcnow(),
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
    click.echo(f"User {spec.username} created with role {spec.role.value}.")


@users.command("list")
@output_option
def list_users(output: str) -> None:
    """List users (never their passwords)."""
    with _store().transaction(readonly=True) as tx:
        records = tx.users.list().items
    render(
        [{column: getattr(r, column) for column in USER_COLUMNS} for r in records],
        output,
        columns=USER_COLUMNS,
    )


@users.command("delete")
@click.option("-u", "--username", required=True)
def delete_user(username: str) -> None:
    """Delete a user; their tokens and sessions stop working at once."""
    with _store().transaction() as tx:
        tx.users.delete(username)
    click.echo(f"User {username} deleted.")


@users.command("reset-password")
@click.option("-u", "--username", required=True)
@_password_options
def reset_password(username: str, password: str | None, password_stdin: bool) -> None:
    """Set a new password, end the user's sessions and tokens, and lift any login lock."""
    from brisa.auth.passwords import hash_password

    store = _store()
    with store.transaction(readonly=True) as tx:
        tx.users.require(username)
    secret = read_password(password, password_stdin, username=username)
    with store.transaction() as tx:
        tx.users.set_password(username, hash_password(secret))
    click.echo(f"Password of {username} changed.")


__all__ = ["USER_COLUMNS", "create_user", "delete_user", "list_users", "read_password", "register", "users"]
