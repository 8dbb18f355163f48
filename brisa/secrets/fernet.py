"""Fernet encryption of connection passwords, extras and variables at rest.

``[core] fernet_key`` holds one key or several separated by commas, as in Airflow: the
first key encrypts, every key decrypts, and :meth:`FernetCodec.rotate` re-encrypts a
token with the first key. To rotate, put the new key first (``new,old``), rotate the
stored values, then drop the old key.

**No fernet key, but a secret key.** Platforms generate secrets for you (Heroku
``app.json``: ``"generator": "secret"``) but those are 64 hex characters, not a Fernet
key (32 bytes in url-safe base64), so they cannot be pasted into ``fernet_key``. When
``fernet_key`` is empty and a ``secret_key`` is given, :func:`derive_key` turns it into
a Fernet key with HKDF-SHA256 (fixed salt and info strings of Brisa's). The same secret
always gives the same key, on every dyno. If you later set ``fernet_key`` explicitly,
list the derived key after it (``new,<derive_key(secret)>``) until you have rotated.

**Neither.** :meth:`FernetCodec.from_setting` raises :class:`SecretsError` saying how
to make a key. Unlike Airflow, Brisa never stores secrets in plaintext for lack of a
key, and a token that no configured key decrypts is an error, never returned as is.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from brisa.errors import SecretsError

_HKDF_SALT = b"brisa/fernet-key/v1"
_HKDF_INFO = b"fernet key derived from secret_key"

_HOW_TO_GET_A_KEY = (
    "generate one with `brisa fernet-key generate` and set it as [core] fernet_key "
    "(environment: BRISA__CORE__FERNET_KEY or AIRFLOW__CORE__FERNET_KEY)"
)


def generate_key() -> str:
    """A new random Fernet key, as text."""
    return Fernet.generate_key().decode("ascii")


def derive_key(secret_key: str) -> str:
    """The Fernet key Brisa derives from ``secret_key`` (HKDF-SHA256; deterministic)."""
    if not secret_key or not secret_key.strip():
        raise SecretsError("cannot derive a fernet key from an empty secret_key")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.strip().encode("utf-8"))).decode("ascii")


def _split_keys(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _check_key(key: str, position: int, count: int) -> str:
    which = "[core] fernet_key" if count == 1 else f"key {position} of {count} in [core] fernet_key"
    if "$(" in key or key.startswith("`"):
        raise SecretsError(
            f"{which} is not a valid Fernet key: it looks like an unexpanded shell command "
            "($(...)). Config files and environment variables are not run through a shell: "
            f"put the key itself in the setting ({_HOW_TO_GET_A_KEY}), or use fernet_key_cmd / "
            "AIRFLOW__CORE__FERNET_KEY_CMD to take a command's output."
        )
    try:
        raw = base64.b64decode(key.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SecretsError(
            f"{which} is not a valid Fernet key: a key is 44 characters of url-safe base64; "
            f"{_HOW_TO_GET_A_KEY}"
        ) from None
    if len(raw) != 32:
        raise SecretsError(
            f"{which} is not a valid Fernet key: it decodes to {len(raw)} bytes, not 32; {_HOW_TO_GET_A_KEY}"
        )
    return key


class FernetCodec:
    """Encrypts with the first key, decrypts with any; text in, text out."""

    def __init__(self, keys: Sequence[str], *, derived: bool = False) -> None:
        if not keys:
            raise SecretsError(f"no fernet key configured: {_HOW_TO_GET_A_KEY}")
        checked = [_check_key(key, i, len(keys)) for i, key in enumerate(keys, start=1)]
        self._fernet = MultiFernet([Fernet(key) for key in checked])
        self.key_count = len(checked)
        self.derived = derived
        """True when the key was derived from ``secret_key`` rather than configured."""

    @classmethod
    def from_setting(cls, value: str | None, *, secret_key: str | None = None) -> FernetCodec:
        """Build from ``[core] fernet_key``; falls back to a key derived from ``secret_key``."""
        keys = _split_keys(value)
        if keys:
            return cls(keys)
        if secret_key and secret_key.strip():
            return cls([derive_key(secret_key)], derived=True)
        raise SecretsError(
            f"no fernet key configured: {_HOW_TO_GET_A_KEY}; or set [api] secret_key "
            "(AIRFLOW__API__SECRET_KEY) and Brisa derives the fernet key from it"
        )

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(_token_bytes(token)).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            raise SecretsError(
                f"cannot decrypt value with the configured fernet key(s) ({self.key_count} key(s)): "
                "it was encrypted with a key that is no longer configured, or it is not a Fernet token"
            ) from None

    def rotate(self, token: str) -> str:
        """The same plaintext encrypted with the first key."""
        try:
            return self._fernet.rotate(_token_bytes(token)).decode("ascii")
        except InvalidToken:
            raise SecretsError(
                "cannot decrypt value with the configured fernet key(s) to rotate it: "
                "add the key it was encrypted with after the new one"
            ) from None


def _token_bytes(token: str) -> bytes:
    try:
        return token.encode("ascii")
    except UnicodeEncodeError:
        raise SecretsError(
            "cannot decrypt value with the configured fernet key(s): it is not a Fernet token "
            "(tokens are ASCII)"
        ) from None


__all__ = ["FernetCodec", "derive_key", "generate_key"]
