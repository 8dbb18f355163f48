"""``brisa rotate-fernet-key`` and ``brisa fernet-key generate``.

To change the key: put a new key first in ``[core] fernet_key`` (``new,old``), restart
every process with it, run ``brisa rotate-fernet-key``, then drop the old key. Rotation
first checks that every stored value decrypts and changes nothing if one does not.
"""

from __future__ import annotations

import click

from brisa.cli.secrets_wiring import open_secrets


@click.command("rotate-fernet-key")
def rotate_fernet_key() -> None:
    """Re-encrypt every variable, connection and trigger with the first key of [core] fernet_key."""
    with open_secrets(make_local_keys=False) as ctx:
        result = ctx.service.rotate()
        key_count = ctx.service.codec.key_count
    click.echo(
        f"Re-encrypted {result.variables} variable(s), {result.connections} connection(s) and "
        f"{result.triggers} trigger(s) with the first key of [core] fernet_key."
    )
    if result.were_plaintext:
        click.echo(f"{result.were_plaintext} value(s) were stored unencrypted and are now encrypted.")
    if key_count > 1:
        click.echo(
            "The stored values no longer need the other key(s) of [core] fernet_key: remove them "
            "once every process runs with the new key first."
        )


@click.group("fernet-key")
def fernet_key() -> None:
    """Fernet keys for [core] fernet_key."""


@fernet_key.command("generate")
def generate() -> None:
    """Print a new random Fernet key (44 characters of url-safe base64)."""
    from brisa.secrets.fernet import generate_key

    click.echo(generate_key())


def register(cli: click.Group) -> None:
    cli.add_command(rotate_fernet_key)
    cli.add_command(fernet_key)


__all__ = ["fernet_key", "register", "rotate_fernet_key"]
