"""Key rotation (``brisa rotate-fernet-key``) and the start-up key check.

**Rotation** re-encrypts every stored variable value, connection password, connection
extra and trigger's keyword arguments
with the first key of ``[core] fernet_key``; the keys listed after it only need to
decrypt. Values stored in plaintext (a database copied from an Airflow that had no
fernet key) are encrypted on the way. It works in two passes:

1. a read-only pass decrypts everything; if any value fails, :class:`SecretsError` names
   every value that failed and nothing is written;
2. one write transaction per table re-reads and re-encrypts the rows.

A value written by someone else between the passes is encrypted with the first key
already (every write path uses it), so rotating it again is harmless.

**The key check** decrypts one encrypted variable and one encrypted connection secret,
if the database has any: a wrong or missing key is reported when the process starts,
not when the first task asks for a connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from brisa.errors import SecretsError
from brisa.secrets.fernet import FernetCodec
from brisa.store.repos.connections import StoredConnection
from brisa.store.repos.triggers import is_plaintext
from brisa.store.repos.variables import StoredVariable
from brisa.store.sql import Store, Transaction

CANARY_ROWS = 50
"""How many rows per table the key check looks through for an encrypted one."""

MAX_NAMED_FAILURES = 10

T = TypeVar("T")


@dataclass(frozen=True)
class RotationReport:
    variables: int
    """Variables re-encrypted with the first key."""
    connections: int
    """Connections whose password and/or extra were re-encrypted."""
    were_plaintext: int
    """Of those, values that were stored unencrypted before."""
    triggers: int = 0
    """Triggers (of deferred tries and asset watchers) whose keyword arguments were re-encrypted."""


class _Sealer:
    """Re-encrypts one value with the first key and remembers what failed."""

    def __init__(self, codec: FernetCodec) -> None:
        self.codec = codec
        self.failures: list[str] = []
        self.were_plaintext = 0

    def seal(self, value: str | None, encrypted: bool, what: str) -> str | None:
        if value is None:
            return None
        if not encrypted:
            self.were_plaintext += 1
            return self.codec.encrypt(value)
        try:
            return self.codec.rotate(value)
        except SecretsError:
            self.failures.append(what)
            return value

    def raise_failures(self) -> None:
        if not self.failures:
            return
        named = ", ".join(self.failures[:MAX_NAMED_FAILURES])
        more = len(self.failures) - MAX_NAMED_FAILURES
        if more > 0:
            named += f" and {more} more"
        raise SecretsError(
            f"cannot rotate: {len(self.failures)} stored value(s) cannot be decrypted with the "
            f"configured fernet key(s) ({self.codec.key_count} key(s)): {named}. List the key they "
            "were encrypted with after the new one ([core] fernet_key = new,old) and run "
            "`brisa rotate-fernet-key` again; nothing was changed"
        )


def _rotated_variables(tx: Transaction, sealer: _Sealer) -> list[StoredVariable]:
    rows = []
    for row in tx.variables.list().items:
        if row.val is not None:
            val = sealer.seal(row.val, row.is_encrypted, f"variable {row.key!r}")
            rows.append(replace(row, val=val, is_encrypted=True))
    return rows


def _rotated_connections(tx: Transaction, sealer: _Sealer) -> list[StoredConnection]:
    rows = []
    for row in tx.connections.list().items:
        if row.password is None and row.extra is None:
            continue
        what = f"connection {row.conn_id!r}"
        password = sealer.seal(row.password, row.is_encrypted, f"{what} (password)")
        extra = sealer.seal(row.extra, row.is_extra_encrypted, f"{what} (extra)")
        rows.append(
            replace(
                row,
                password=password,
                extra=extra,
                is_encrypted=password is not None,
                is_extra_encrypted=extra is not None,
            )
        )
    return rows


def _rotated_triggers(tx: Transaction, sealer: _Sealer) -> list[tuple[int, str]]:
    return [
        (trigger_id, sealer.seal(kwargs, not is_plaintext(kwargs), f"trigger {trigger_id}") or kwargs)
        for trigger_id, kwargs in tx.triggers.sealed()
    ]


def rotate_stored_secrets(store: Store, codec: FernetCodec) -> RotationReport:
    """Re-encrypt everything with the first key; see the module docstring."""
    with store.transaction(readonly=True) as tx:
        dry_run = _Sealer(codec)
        _rotated_variables(tx, dry_run)
        _rotated_connections(tx, dry_run)
        _rotated_triggers(tx, dry_run)
    dry_run.raise_failures()
    sealer = _Sealer(codec)
    with store.transaction() as tx:
        variables = _rotated_variables(tx, sealer)
        sealer.raise_failures()
        for variable in variables:
            tx.variables.put(
                variable.key, variable.val or "", description=variable.description, is_encrypted=True
            )
    with store.transaction() as tx:
        connections = _rotated_connections(tx, sealer)
        sealer.raise_failures()
        for connection in connections:
            tx.connections.put(connection)
    with store.transaction() as tx:
        triggers = _rotated_triggers(tx, sealer)
        sealer.raise_failures()
        for trigger_id, kwargs in triggers:
            tx.triggers.reseal(trigger_id, kwargs)
    return RotationReport(len(variables), len(connections), sealer.were_plaintext, len(triggers))


class Revealer(Protocol):
    def reveal_variable(self, stored: StoredVariable) -> str | None: ...

    def reveal_connection(self, stored: StoredConnection) -> dict[str, Any]: ...


def check_stored_key(store: Store, revealer: Revealer) -> int:
    """Decrypt one stored variable and one connection secret; how many were checked."""
    with store.transaction(readonly=True) as tx:
        variable = _first(tx.variables.list(limit=CANARY_ROWS).items, _is_encrypted_variable)
        connection = _first(tx.connections.list(limit=CANARY_ROWS).items, _is_encrypted_connection)
    try:
        if variable is not None:
            revealer.reveal_variable(variable)
        if connection is not None:
            revealer.reveal_connection(connection)
    except SecretsError as exc:
        raise SecretsError(f"fernet key check failed: {exc}") from None
    return (variable is not None) + (connection is not None)


def _is_encrypted_variable(row: StoredVariable) -> bool:
    return row.is_encrypted and row.val is not None


def _is_encrypted_connection(row: StoredConnection) -> bool:
    return (row.is_encrypted and row.password is not None) or (
        row.is_extra_encrypted and row.extra is not None
    )


def _first(rows: Sequence[T], wanted: Callable[[T], bool]) -> T | None:
    return next((row for row in rows if wanted(row)), None)


__all__ = ["CANARY_ROWS", "Revealer", "RotationReport", "check_stored_key", "rotate_stored_secrets"]
