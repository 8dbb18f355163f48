"""Variables and connections over the metadata database, encrypted with Fernet.

``MetastoreBackend`` is the database as a secrets backend (read side); ``SecretsService``
reads through the configured chain of backends (``[secrets] backends``, environment first
by default, as Airflow) and writes to the database, always encrypted: there is no
plaintext write path.

A value that no configured key decrypts raises :class:`SecretsError` naming the variable
or connection; the others stay readable. Listings (:meth:`SecretsService.list_variables`,
:meth:`SecretsService.list_connections`) do not raise for such a row: its entry carries
the error instead. :meth:`SecretsService.check_key` is the start-up canary and
:meth:`SecretsService.rotate` re-encrypts everything with the first key
(see :mod:`brisa.secrets.rotation`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from brisa.errors import ConfigError, ConflictError, InvalidInputError, NotFoundError, SecretsError
from brisa.secrets.backends import BaseSecretsBackend, ChainBackend, EnvironmentBackend, make_connection
from brisa.secrets.fernet import FernetCodec
from brisa.secrets.masking import SecretsMasker
from brisa.secrets.rotation import RotationReport, check_stored_key, rotate_stored_secrets
from brisa.secrets.views import ConnectionEntry, VariableEntry
from brisa.store.records import Page
from brisa.store.repos.connections import StoredConnection
from brisa.store.repos.variables import StoredVariable
from brisa.store.sql import Store

MAX_VARIABLE_KEY_LENGTH = 250
MAX_CONN_ID_LENGTH = 200
_CONN_ID = re.compile(r"[\w.\-]+")

OnExisting = Literal["overwrite", "fail", "skip"]


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[str, ...]
    skipped: tuple[str, ...]
    """Keys left alone because they already existed (``skip``)."""


class MetastoreBackend(BaseSecretsBackend):
    """The metadata database's ``variable`` and ``connection`` tables."""

    def __init__(self, store: Store, codec: FernetCodec) -> None:
        self.store = store
        self.codec = codec

    def get_variable(self, key: str) -> str | None:
        with self.store.transaction(readonly=True) as tx:
            stored = tx.variables.get(key)
        return None if stored is None else self.reveal_variable(stored)

    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        with self.store.transaction(readonly=True) as tx:
            stored = tx.connections.get(conn_id)
        return None if stored is None else self.reveal_connection(stored)

    def reveal_variable(self, stored: StoredVariable) -> str | None:
        """The plaintext value; :class:`SecretsError` naming the variable if it cannot be decrypted."""
        if stored.val is None or not stored.is_encrypted:
            return stored.val
        return self._decrypt(stored.val, f"variable {stored.key!r}")

    def reveal_connection(self, stored: StoredConnection) -> dict[str, Any]:
        """The connection dict; :class:`SecretsError` naming the connection if it cannot be decrypted."""
        what = f"connection {stored.conn_id!r}"
        password = stored.password
        if password is not None and stored.is_encrypted:
            password = self._decrypt(password, f"the password of {what}")
        extra_text = stored.extra
        if extra_text is not None and stored.is_extra_encrypted:
            extra_text = self._decrypt(extra_text, f"the extra of {what}")
        return make_connection(
            stored.conn_id,
            {
                "conn_type": stored.conn_type,
                "description": stored.description,
                "host": stored.host,
                "schema": stored.schema,
                "login": stored.login,
                "password": password,
                "port": stored.port,
                "extra": _extra_dict(extra_text),
            },
        )

    def _decrypt(self, token: str, what: str) -> str:
        try:
            return self.codec.decrypt(token)
        except SecretsError:
            raise undecryptable(what, self.codec) from None

    def variable_entry(self, stored: StoredVariable) -> VariableEntry:
        """The row as an entry; an undecryptable value gives an entry with ``error`` set."""
        try:
            value, error = self.reveal_variable(stored), None
        except SecretsError as exc:
            value, error = None, str(exc)
        return VariableEntry(stored.key, value, stored.description, stored.is_encrypted, error)

    def connection_entry(self, stored: StoredConnection) -> ConnectionEntry:
        """The row as an entry; undecryptable secrets give ``None`` fields and ``error``."""
        try:
            conn, error = self.reveal_connection(stored), None
        except SecretsError as exc:
            conn = {"password": None, "extra": {}}
            error = str(exc)
        return ConnectionEntry(
            conn_id=stored.conn_id,
            conn_type=stored.conn_type,
            description=stored.description,
            host=stored.host,
            schema=stored.schema,
            login=stored.login,
            password=conn["password"],
            port=stored.port,
            extra=conn["extra"],
            is_encrypted=stored.is_encrypted,
            is_extra_encrypted=stored.is_extra_encrypted,
            error=error,
        )


def undecryptable(what: str, codec: FernetCodec) -> SecretsError:
    """The error for a stored value that no configured key decrypts, with what to do."""
    cause = (
        "the key is derived from [api] secret_key, so secret_key has changed since it was written"
        if codec.derived
        else "it was encrypted with a key that is not in [core] fernet_key"
    )
    return SecretsError(
        f"{what} cannot be decrypted with the configured fernet key(s) ({codec.key_count} key(s)): "
        f"{cause}. Put the old key back after the current one ([core] fernet_key = new,old), "
        "then run `brisa rotate-fernet-key`"
    )


class SecretsService:
    """What tasks, the API, the UI and the CLI use to read and write secrets."""

    def __init__(self, store: Store, codec: FernetCodec, backends: Iterable[BaseSecretsBackend]) -> None:
        self.store = store
        self.codec = codec
        self.metastore = MetastoreBackend(store, codec)
        self.chain = ChainBackend(list(backends))

    @classmethod
    def from_settings(cls, settings: Any, store: Store, environ: Mapping[str, str]) -> SecretsService:
        """The service for ``settings``; :class:`SecretsError` when there is no usable key."""
        codec = FernetCodec.from_setting(settings.core.fernet_key, secret_key=settings.api.secret_key)
        service = cls(store, codec, [])
        chain: list[BaseSecretsBackend] = []
        for name in settings.secrets.backends:
            if name == "env":
                chain.append(EnvironmentBackend(dict(environ)))
            elif name == "metastore":
                chain.append(service.metastore)
            else:
                raise ConfigError(
                    f"unknown secrets backend {name!r} in [secrets] backends (known: env, metastore)"
                )
        service.chain = ChainBackend(chain)
        return service

    # -- keys -------------------------------------------------------------------------------
    def check_key(self) -> int:
        """Decrypt a stored variable and a stored connection secret, if any exist.

        Cheap enough for every start (``brisa standalone``, ``brisa scheduler``); raises
        :class:`SecretsError` explaining what to do when the configured key is wrong.
        Returns how many stored values were checked (0 on an empty database).
        """
        return check_stored_key(self.store, self.metastore)

    def rotate(self) -> RotationReport:
        """Re-encrypt every variable and connection with the first key (``brisa rotate-fernet-key``)."""
        return rotate_stored_secrets(self.store, self.codec)

    def register_secrets(self, masker: SecretsMasker) -> None:
        """Teach ``masker`` every secret the backends hold, to mask them wherever they turn
        up (an XCom a task returned, say): connection passwords and sensitive extras,
        variables under sensitive keys, sensitive keys nested in JSON variables. Values
        that cannot be decrypted are skipped (their listing shows the error)."""
        for backend in self.chain.backends:
            if isinstance(backend, EnvironmentBackend):
                backend.register_secrets(masker)
            elif backend is self.metastore:
                self._register_stored(masker)

    def _register_stored(self, masker: SecretsMasker) -> None:
        with self.store.transaction(readonly=True) as tx:
            variables = tx.variables.list().items
            connections = tx.connections.list().items
        for variable in variables:
            entry = self.metastore.variable_entry(variable)
            if entry.value is not None:
                masker.add_variable(entry.key, entry.value)
        for stored in connections:
            conn = self.metastore.connection_entry(stored)
            masker.add(conn.password)
            masker.add_sensitive_parts(conn.extra)

    # -- variables ------------------------------------------------------------------------
    def get_variable(self, key: str) -> str | None:
        """The value from the first backend that has it (environment, then database by default)."""
        return self.chain.get_variable(key)

    def set_variable(
        self, key: str, value: Any, description: str | None = None, *, overwrite: bool = True
    ) -> None:
        """Store ``value`` encrypted (non-strings as JSON); ``overwrite=False`` refuses an existing key."""
        check_variable_key(key)
        if not isinstance(value, str):
            value = json.dumps(value)
        with self.store.transaction() as tx:
            if not overwrite and tx.variables.get(key) is not None:
                raise ConflictError(f"variable {key!r} already exists")
            tx.variables.put(key, self.codec.encrypt(value), description=description, is_encrypted=True)

    def delete_variable(self, key: str) -> None:
        with self.store.transaction() as tx:
            if not tx.variables.delete(key):
                raise NotFoundError(f"variable {key!r} not found")

    def variable_entry(self, key: str) -> VariableEntry:
        """The variable as stored in the database (not the environment), decrypted."""
        with self.store.transaction(readonly=True) as tx:
            stored = tx.variables.get(key)
        if stored is None:
            raise NotFoundError(f"variable {key!r} not found")
        return self.metastore.variable_entry(stored)

    def list_variables(
        self,
        *,
        key_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("key", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[VariableEntry]:
        """Variables in the database, decrypted (``key_like`` is an SQL LIKE pattern)."""
        with self.store.transaction(readonly=True) as tx:
            page = tx.variables.search(key_like=key_like, order=order, limit=limit, offset=offset)
        return Page([self.metastore.variable_entry(s) for s in page.items], page.total)

    def import_variables(
        self, values: Mapping[str, tuple[str, str | None]], *, on_existing: OnExisting = "overwrite"
    ) -> ImportReport:
        """Store ``{key: (value, description)}`` in one transaction.

        ``on_existing``: ``overwrite`` replaces, ``skip`` keeps the stored value, ``fail``
        raises :class:`ConflictError` naming the existing keys and writes nothing.
        """
        for key in values:
            check_variable_key(key)
        with self.store.transaction() as tx:
            existing = {key for key in values if tx.variables.get(key) is not None}
            if on_existing == "fail" and existing:
                raise ConflictError(f"variables already exist: {', '.join(sorted(existing))}")
            skipped = existing if on_existing == "skip" else set()
            for key, (value, description) in values.items():
                if key not in skipped:
                    encrypted = self.codec.encrypt(value)
                    tx.variables.put(key, encrypted, description=description, is_encrypted=True)
        imported = tuple(key for key in values if key not in skipped)
        return ImportReport(imported, tuple(sorted(skipped)))

    # -- connections ------------------------------------------------------------------------
    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        """The connection from the first backend that has it."""
        return self.chain.get_connection(conn_id)

    def set_connection(self, conn: Mapping[str, Any], *, overwrite: bool = True) -> None:
        """Store a connection dict, password and extra encrypted.

        ``overwrite=False`` raises :class:`ConflictError` if the id exists.
        """
        stored = self.seal_connection(conn)
        with self.store.transaction() as tx:
            if not overwrite and tx.connections.get(stored.conn_id) is not None:
                raise ConflictError(f"connection {stored.conn_id!r} already exists")
            tx.connections.put(stored)

    def seal_connection(self, conn: Mapping[str, Any]) -> StoredConnection:
        """The row for a connection dict, password and extra encrypted."""
        check_conn_id(conn.get("conn_id"))
        full = make_connection(conn["conn_id"], {k: v for k, v in conn.items() if k != "conn_id"})
        extra = full.get("extra") or {}
        extra_text = json.dumps(extra) if extra else None
        password = full.get("password")
        return StoredConnection(
            conn_id=full["conn_id"],
            conn_type=full.get("conn_type") or "",
            description=full.get("description"),
            host=full.get("host"),
            schema=full.get("schema"),
            login=full.get("login"),
            password=self.codec.encrypt(password) if password is not None else None,
            port=full.get("port"),
            extra=self.codec.encrypt(extra_text) if extra_text is not None else None,
            is_encrypted=password is not None,
            is_extra_encrypted=extra_text is not None,
        )

    def delete_connection(self, conn_id: str) -> None:
        with self.store.transaction() as tx:
            if not tx.connections.delete(conn_id):
                raise NotFoundError(f"connection {conn_id!r} not found")

    def connection_entry(self, conn_id: str) -> ConnectionEntry:
        """The connection as stored in the database (not the environment), decrypted."""
        with self.store.transaction(readonly=True) as tx:
            stored = tx.connections.get(conn_id)
        if stored is None:
            raise NotFoundError(f"connection {conn_id!r} not found")
        return self.metastore.connection_entry(stored)

    def list_connections(
        self,
        *,
        conn_id_like: str | None = None,
        order: Sequence[tuple[str, bool]] = (("conn_id", False),),
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[ConnectionEntry]:
        """Connections in the database, decrypted (``conn_id_like`` is an SQL LIKE pattern)."""
        with self.store.transaction(readonly=True) as tx:
            page = tx.connections.search(conn_id_like=conn_id_like, order=order, limit=limit, offset=offset)
        return Page([self.metastore.connection_entry(s) for s in page.items], page.total)

    def import_connections(
        self, connections: Mapping[str, Mapping[str, Any]], *, overwrite: bool = False
    ) -> ImportReport:
        """Store ``{conn_id: fields}`` in one transaction; existing ids are skipped unless ``overwrite``."""
        sealed = [self.seal_connection({**conn, "conn_id": conn_id}) for conn_id, conn in connections.items()]
        imported, skipped = [], []
        with self.store.transaction() as tx:
            for stored in sealed:
                if not overwrite and tx.connections.get(stored.conn_id) is not None:
                    skipped.append(stored.conn_id)
                    continue
                tx.connections.put(stored)
                imported.append(stored.conn_id)
        return ImportReport(tuple(imported), tuple(skipped))


def check_variable_key(key: object) -> None:
    if not isinstance(key, str) or not key.strip():
        raise InvalidInputError("a variable key must be a non-empty string")
    if len(key) > MAX_VARIABLE_KEY_LENGTH:
        raise InvalidInputError(f"variable key is longer than {MAX_VARIABLE_KEY_LENGTH} characters")


def check_conn_id(conn_id: object) -> None:
    """Airflow's rule: letters, digits, ``_``, ``.`` and ``-``, at most 200 characters."""
    if not isinstance(conn_id, str) or not _CONN_ID.fullmatch(conn_id):
        raise InvalidInputError(
            f"invalid conn_id {conn_id!r}: it must be made of letters, digits, dashes, dots and underscores"
        )
    if len(conn_id) > MAX_CONN_ID_LENGTH:
        raise InvalidInputError(f"conn_id is longer than {MAX_CONN_ID_LENGTH} characters")


def _extra_dict(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"__extra__": text}
    return value if isinstance(value, dict) else {"__extra__": value}


__all__ = [
    "ImportReport",
    "MetastoreBackend",
    "SecretsService",
    "check_conn_id",
    "check_variable_key",
    "undecryptable",
]
