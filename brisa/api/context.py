"""What every request handler needs, built once per app and kept in ``app.state.brisa``.

Nothing here is global: ``create_app`` builds one :class:`ApiContext` from the settings,
store, secrets service and clock it is given, and routes receive it through the
:func:`get_context` dependency.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import Request

from brisa.auth.sessions import sign_payload
from brisa.auth.throttle import LoginThrottle
from brisa.errors import ConfigError
from brisa.secrets.masking import SecretsMasker
from brisa.services.limits import RunLimits

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from brisa.api.security import Principal
    from brisa.secrets.service import SecretsService
    from brisa.store.sql import Store, Transaction

log = logging.getLogger(__name__)

MIN_SECRET_KEY_BYTES = 32
MAX_FILE_TOKENS = 10_000
FILE_TOKEN_PURPOSE = "brisa.file-token"


@dataclass
class ApiContext:
    settings: Any
    store: Store
    secrets: SecretsService
    clock: Callable[[], datetime]
    secret_key: str = field(repr=False)
    hasher: PasswordHasher
    throttle: LoginThrottle
    """Login attempts per user name (known or not)."""
    address_throttle: LoginThrottle | None
    """Login attempts per client address; None when ``[api] login_failures_per_address`` is 0."""
    password_checks: threading.BoundedSemaphore
    """At most ``[api] max_concurrent_password_checks`` argon2 checks at once (64 MiB each)."""
    password_pool: ThreadPoolExecutor
    """As many threads, where request handlers' checks wait their turn (see brisa.api.login)."""
    masker: SecretsMasker
    token_ttl: timedelta
    session_max_age: timedelta
    on_change: Callable[[], None] | None = None
    templates: Any = None
    """The Jinja environment pages render with (``brisa/ui/templates`` first, then the API's)."""
    page_error_renderer: Callable[[Request, int, str], Any] | None = None
    """Set by the UI: renders an error page for non-API paths (JSON otherwise)."""
    _file_tokens: dict[str, str] = field(default_factory=dict, repr=False)

    def now(self) -> datetime:
        return self.clock()

    @property
    def run_limits(self) -> RunLimits:
        """What a new run's conf and run id may be (``[core]``/``[scheduler]`` settings)."""
        return RunLimits.from_settings(self.settings)

    def changed(self) -> None:
        """Tell the in-process scheduler (standalone) that runs or pauses changed."""
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception:  # a wake-up is a hint; the scheduler will tick anyway
            log.exception("on_change callback failed")

    def file_token(self, fileloc: str) -> str:
        """Airflow's ``file_token``: the DAG file's path, signed (kept: every DAG list signs 50)."""
        token = self._file_tokens.get(fileloc)
        if token is None:
            if len(self._file_tokens) >= MAX_FILE_TOKENS:
                self._file_tokens.clear()
            token = sign_payload({"fileloc": fileloc}, secret=self.secret_key, purpose=FILE_TOKEN_PURPOSE)
            self._file_tokens[fileloc] = token
        return token

    def secrets_masker(self) -> SecretsMasker:
        """:attr:`masker` that also knows every secret: the configuration's keys and URLs,
        connection passwords and secret variables (environment and database). For values
        DAG code produced (XComs, rendered fields), which may hold one under any key; built
        per request, so a connection changed meanwhile counts."""
        from brisa.config import sensitive_values

        masker = masker_from(self.settings)
        masker.add_all(sensitive_values(self.settings))
        self.secrets.register_secrets(masker)
        return masker

    def audit(self, tx: Transaction, event: str, principal: Principal | None, **fields: Any) -> None:
        """One audit-log row, in the same transaction as the change it describes."""
        owner = principal.username if principal is not None else None
        if isinstance(fields.get("extra"), dict):
            fields["extra"] = self.masker.redact(fields["extra"])
        tx.audit.record(event, now=self.clock(), owner=owner, **fields)


def secret_key_from(settings: Any) -> str:
    """``[api] secret_key``, which signs tokens, sessions and CSRF tokens; refuse a weak one."""
    key = settings.api.secret_key or ""
    if len(key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            "[api] secret_key must be set and at least 32 bytes long (it is derived from "
            "[core] fernet_key when that is set): the API signs tokens and sessions with it"
        )
    return key


def masker_from(settings: Any) -> SecretsMasker:
    return SecretsMasker(
        extra_sensitive_names=settings.core.sensitive_var_conn_names,
        min_length=settings.logging.min_length_masked_secret,
        hide_sensitive_names=settings.core.hide_sensitive_var_conn_fields,
    )


def get_context(request: Request) -> ApiContext:
    """FastAPI dependency: the app's context."""
    return request.app.state.brisa


__all__ = ["ApiContext", "get_context", "masker_from", "secret_key_from"]
