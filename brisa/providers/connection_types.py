"""Connection types: which hook serves a ``conn_type``, and the form fields it asks for.

Read from every installed provider's ``get_provider_info()`` (``connection-types``) and
from Brisa's own hooks, as Airflow's ProvidersManager does; the hooks' own
``get_connection_form_widgets``/``get_ui_field_behaviour`` describe the form. Looking a
type up imports only that hook's module.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from brisa.providers.registry import list_providers

BRISA_HOOKS = {
    "postgres": "brisa.sdk.hooks.postgres.PostgresHook",
    "sqlite": "brisa.sdk.hooks.sqlite.SqliteHook",
    "fs": "brisa.sdk.hooks.filesystem.FSHook",
}
"""The connection types Brisa's own hooks serve while the real provider is not installed."""


@dataclass(frozen=True)
class ConnectionType:
    conn_type: str
    hook_class_name: str
    package_name: str

    def hook_class(self) -> type:
        module, _, name = self.hook_class_name.rpartition(".")
        return getattr(importlib.import_module(module), name)


def connection_types(path: Sequence[str] | None = None) -> dict[str, ConnectionType]:
    """Every known ``conn_type``; an installed provider's entry wins over Brisa's own."""
    found = {conn_type: ConnectionType(conn_type, hook, "brisa") for conn_type, hook in BRISA_HOOKS.items()}
    for provider in list_providers(path):
        for entry in provider.connection_types():
            conn_type, hook = entry.get("connection-type"), entry.get("hook-class-name")
            if conn_type and hook:
                found[conn_type] = ConnectionType(conn_type, hook, provider.package_name)
    return found


def installed_connection_types(path: Sequence[str] | None = None) -> dict[str, ConnectionType]:
    """The types installed providers declare (not Brisa's own hooks)."""
    return {name: kind for name, kind in connection_types(path).items() if kind.package_name != "brisa"}


__all__ = ["BRISA_HOOKS", "ConnectionType", "connection_types", "installed_connection_types"]
