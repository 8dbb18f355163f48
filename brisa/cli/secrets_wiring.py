"""What the ``variables``, ``connections`` and ``rotate-fernet-key`` commands share.

:func:`open_secrets` builds the secrets service (settings -> store -> service) and the
masker every shown value goes through; :func:`write_private` writes export files that
only their owner can read, since they hold passwords in clear.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click

from brisa.cli import wiring

STDOUT = "-"
CANNOT_DECRYPT = "<cannot decrypt>"


@dataclass(frozen=True)
class SecretsContext:
    settings: Any
    service: Any
    """A :class:`brisa.secrets.service.SecretsService`."""
    masker: Any
    """A :class:`brisa.secrets.masking.SecretsMasker` configured like the task logs' one."""


@contextmanager
def open_secrets(*, make_local_keys: bool = True) -> Iterator[SecretsContext]:
    """The secrets service over the configured store, disposed of afterwards.

    ``make_local_keys``: on a local SQLite install without keys, write fresh ones to
    ``brisa.cfg`` first (as ``brisa standalone`` would), so ``variables set`` works on a
    new install. Rotation passes False: rotating to a key made up on the spot is wrong.
    """
    settings = wiring.prepare_settings() if make_local_keys else wiring.load_settings()
    wiring.ensure_schema(settings)
    store = wiring.open_store(settings)
    try:
        service = wiring.make_secrets(settings, store)
        yield SecretsContext(settings, service, wiring.make_masker(settings))
    finally:
        store.dispose()


def write_private(path: str, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600 when created), or to stdout for ``-``."""
    if path == STDOUT:
        click.echo(text, nl=False)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def report(message: str, path: str) -> None:
    """A summary line; on stderr when the data itself went to stdout."""
    click.echo(message, err=path == STDOUT)


__all__ = ["CANNOT_DECRYPT", "STDOUT", "SecretsContext", "open_secrets", "report", "write_private"]
