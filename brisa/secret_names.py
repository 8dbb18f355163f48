"""Which names hold secrets, and what a hidden value looks like.

The lowest layer of masking: configuration (which settings and environment variables are
secret) and the secrets masker both apply this rule, so it sits below both.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "authorization",
        "passphrase",
        "passwd",
        "password",
        "private_key",
        "proxies",
        "secret",
        "token",
        "keyfile_dict",
        "service_account",
    }
)
"""Airflow's list: a key whose lower-cased name *contains* one of these is sensitive."""

REPLACEMENT = "***"


def is_sensitive_name(name: object, extra_names: Iterable[str] = ()) -> bool:
    """True if a value stored under ``name`` should be hidden (substring match, any case)."""
    if not isinstance(name, str):
        return False
    lowered = name.strip().lower()
    if not lowered:
        return False
    return any(word in lowered for word in DEFAULT_SENSITIVE_FIELDS) or any(
        word in lowered for word in extra_names
    )
