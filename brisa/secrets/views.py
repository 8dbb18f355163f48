"""Variables and connections as the API, the UI and the CLI show them: decrypted, then masked.

:class:`VariableEntry` and :class:`ConnectionEntry` are what :class:`~brisa.secrets.service.SecretsService`
lists and gets from the metadata database. They hold plaintext; call ``masked(masker)``
before showing one to anybody. A row that no configured Fernet key decrypts still comes
back (``error`` says why, the secret fields are ``None``) so that one bad row does not
hide the others from a listing.

Masking rules, as in Airflow's UI and API:

* a variable whose key looks sensitive (``[core] sensitive_var_conn_names`` plus Airflow's
  list) shows ``***``; any other variable holding a JSON document is redacted key by key;
  plain text has registered secrets masked;
* a connection's password is always ``***`` when set; its extra is redacted key by key;
  its URI shows ``***`` for the password and for hidden extra values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from brisa.secrets.masking import REPLACEMENT, SecretsMasker
from brisa.secrets.uri import format_uri

_URI_PASSWORD_PLACEHOLDER = "brisa0masked0password0placeholder"
_QUOTED_REPLACEMENT = "%2A%2A%2A"


@dataclass(frozen=True)
class VariableEntry:
    key: str
    value: str | None
    """The plaintext value (``None`` when ``error`` is set)."""
    description: str | None
    is_encrypted: bool
    error: str | None = None
    """Why the value could not be decrypted, or ``None``."""

    def masked(self, masker: SecretsMasker) -> VariableEntry:
        """A copy safe to show: see the module docstring for the rules."""
        if self.value is None:
            return self
        return replace(self, value=mask_variable_value(self.key, self.value, masker))


def mask_variable_value(key: str, value: str, masker: SecretsMasker) -> str:
    """A variable's value as shown to people (the whole value, or JSON key by key)."""
    if masker.should_hide_value_for_key(key):
        return REPLACEMENT
    try:
        decoded = json.loads(value)
    except ValueError:
        return masker.mask(value)
    if not isinstance(decoded, dict | list):
        return masker.mask(value)
    return json.dumps(masker.redact(decoded))


@dataclass(frozen=True)
class ConnectionEntry:
    conn_id: str
    conn_type: str
    description: str | None
    host: str | None
    schema: str | None
    login: str | None
    password: str | None
    port: int | None
    extra: dict[str, Any]
    is_encrypted: bool
    is_extra_encrypted: bool
    error: str | None = None
    """Why the password or extra could not be decrypted, or ``None``."""

    def fields(self) -> dict[str, Any]:
        """The connection dict of :mod:`brisa.secrets.backends` (``conn_id`` ... ``extra``)."""
        return {
            "conn_id": self.conn_id,
            "description": self.description,
            "conn_type": self.conn_type,
            "host": self.host,
            "schema": self.schema,
            "login": self.login,
            "password": self.password,
            "port": self.port,
            "extra": dict(self.extra),
        }

    @property
    def uri(self) -> str:
        """Airflow's URI of this connection (holds the password: mask before showing)."""
        return format_uri(self.fields())

    def masked(self, masker: SecretsMasker) -> ConnectionEntry:
        """A copy safe to show: password ``***``, extra redacted key by key."""
        shown = mask_connection(self.fields(), masker)
        return replace(self, password=shown["password"], extra=shown["extra"])

    def masked_uri(self, masker: SecretsMasker) -> str:
        """The URI with ``***`` for the password and for hidden extra values."""
        return masked_connection_uri(self.fields(), masker)


def mask_connection(conn: Mapping[str, Any], masker: SecretsMasker) -> dict[str, Any]:
    """A copy of a connection dict safe to show: password ``***``, extra redacted key by key."""
    shown = dict(conn)
    if shown.get("password") is not None:
        shown["password"] = REPLACEMENT
    shown["extra"] = masker.redact(dict(conn.get("extra") or {}))
    return shown


def masked_connection_uri(conn: Mapping[str, Any], masker: SecretsMasker) -> str:
    """A connection dict's URI with ``***`` for the password and for hidden extra values."""
    fields = mask_connection(conn, masker)
    if fields["password"] is not None:
        fields["password"] = _URI_PASSWORD_PLACEHOLDER
    uri = format_uri(fields).replace(_URI_PASSWORD_PLACEHOLDER, REPLACEMENT)
    return masker.mask(uri.replace(_QUOTED_REPLACEMENT, REPLACEMENT))


__all__ = [
    "ConnectionEntry",
    "VariableEntry",
    "mask_connection",
    "mask_variable_value",
    "masked_connection_uri",
]
