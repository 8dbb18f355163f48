"""Variables and connections over the metadata database, encrypted with Fernet.

``MetastoreBackend`` is the database as a secrets backend (read side); ``SecretsService``
reads through the configured chain of backends (environment first, as Airflow) and
writes to the database, always encrypted: there is no plaintext write path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from brisa.errors import ConfigError, NotFoundError
from brisa.secrets.backends import BaseSecretsBackend, ChainBackend, EnvironmentBackend, make_connection
from brisa.secrets.fernet import FernetCodec
from brisa.store.repos.connections import StoredConnection
from brisa.store.repos.variables import StoredVariable
from brisa.store.sql import Store


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
        if stored.val is None:
            return None
        return self.codec.decrypt(stored.val) if stored.is_encrypted else stored.val

    def reveal_connection(self, stored: StoredConnection) -> dict[str, Any]:
        password = stored.password
        if password is not None and stored.is_encrypted:
            password = self.codec.decrypt(password)
        extra_text = stored.extra
        if extra_text is not None and stored.is_extra_encrypted:
            extra_text = self.codec.decrypt(extra_text)
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


class SecretsService:
    """What tasks, the API, the UI and the CLI use to read and write secrets."""

    def __init__(self, store: Store, codec: FernetCodec, backends: Iterable[BaseSecretsBackend]) -> None:
        self.store = store
        self.codec = codec
        self.metastore = MetastoreBackend(store, codec)
        self.chain = ChainBackend(list(backends))

    @classmethod
    def from_settings(cls, settings: Any, store: Store, environ: dict[str, str]) -> SecretsService:
        codec = FernetCodec.from_setting(settings.core.fernet_key, secret_key=settings.api.secret_key)
        service = cls(store, codec, [])
        chain: list[BaseSecretsBackend] = []
        for name in settings.secrets.backends:
            if name == "env":
                chain.append(EnvironmentBackend(environ))
            elif name == "metastore":
                chain.append(service.metastore)
            else:
                raise ConfigError(
                    f"unknown secrets backend {name!r} in [secrets] backends (known: env, metastore)"
                )
        service.chain = ChainBackend(chain)
        return service

    # -- variables ------------------------------------------------------------------------
    def get_variable(self, key: str) -> str | None:
        return self.chain.get_variable(key)

    def set_variable(self, key: str, value: str, description: str | None = None) -> None:
        if not isinstance(value, str):
            value = json.dumps(value)
        with self.store.transaction() as tx:
            tx.variables.put(key, self.codec.encrypt(value), description=description, is_encrypted=True)

    def delete_variable(self, key: str) -> None:
        with self.store.transaction() as tx:
            if not tx.variables.delete(key):
                raise NotFoundError(f"variable {key!r} not found")

    # -- connections ------------------------------------------------------------------------
    def get_connection(self, conn_id: str) -> dict[str, Any] | None:
        return self.chain.get_connection(conn_id)

    def set_connection(self, conn: dict[str, Any]) -> None:
        with self.store.transaction() as tx:
            tx.connections.put(self.seal_connection(conn))

    def seal_connection(self, conn: dict[str, Any]) -> StoredConnection:
        """The row for a connection dict, password and extra encrypted."""
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


def _extra_dict(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"__extra__": text}
    return value if isinstance(value, dict) else {"__extra__": value}


__all__ = ["MetastoreBackend", "SecretsService"]
