"""Who a request comes from and what it may do: the pure parts, no database.

* :mod:`~brisa.auth.passwords`  argon2id hashes; constant-time for unknown users
* :mod:`~brisa.auth.roles`      Admin / Op / User / Viewer and the permission table
* :mod:`~brisa.auth.tokens`     JWT bearer tokens for ``/api/v2``
* :mod:`~brisa.auth.sessions`   signed session cookies (naming a server-side row) and CSRF tokens
* :mod:`~brisa.auth.throttle`   login slow-down and lock-out policy
* :mod:`~brisa.auth.users`      user validation and the standalone admin password

Secrets, clocks and stored records are always passed in; nothing here keeps state.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brisa.auth.passwords import hash_password, make_hasher, needs_rehash, verify_password
    from brisa.auth.roles import MINIMUM_ROLE, Action, Permission, Resource, Role, can, has_permission
    from brisa.auth.sessions import (
        SessionData,
        cookie_params,
        csrf_token,
        decode_session,
        encode_session,
        new_session,
        request_is_https,
        verify_csrf_token,
    )
    from brisa.auth.throttle import LoginThrottle, ThrottleDecision
    from brisa.auth.tokens import TokenClaims, issue_token, verify_token
    from brisa.auth.users import UserSpec, generate_password, standalone_admin

_HOME = {
    "passwords": ("hash_password", "make_hasher", "needs_rehash", "verify_password"),
    "roles": ("MINIMUM_ROLE", "Action", "Permission", "Resource", "Role", "can", "has_permission"),
    "sessions": (
        "SessionData",
        "cookie_params",
        "csrf_token",
        "decode_session",
        "encode_session",
        "new_session",
        "request_is_https",
        "verify_csrf_token",
    ),
    "throttle": ("LoginThrottle", "ThrottleDecision"),
    "tokens": ("TokenClaims", "issue_token", "verify_token"),
    "users": ("UserSpec", "generate_password", "standalone_admin"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> Any:
    # Imported on first use: importing one submodule (the standalone's admin user) would
    # otherwise load PyJWT too, ~4 MB and ~35 ms at every start, for a token nobody asked for.
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MINIMUM_ROLE",
    "Action",
    "LoginThrottle",
    "Permission",
    "Resource",
    "Role",
    "SessionData",
    "ThrottleDecision",
    "TokenClaims",
    "UserSpec",
    "can",
    "cookie_params",
    "csrf_token",
    "decode_session",
    "encode_session",
    "generate_password",
    "has_permission",
    "hash_password",
    "issue_token",
    "make_hasher",
    "needs_rehash",
    "new_session",
    "request_is_https",
    "standalone_admin",
    "verify_csrf_token",
    "verify_password",
    "verify_token",
]
