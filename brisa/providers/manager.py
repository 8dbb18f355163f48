"""``airflow.providers_manager.ProvidersManager`` for provider code that asks it directly
(common.sql resolves its SQL dialects there): the installed providers' metadata, read
by :mod:`brisa.providers.registry`. Brisa's own code uses the registry."""

from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

from brisa.providers.registry import list_providers


class ProviderInfo(NamedTuple):
    version: str
    data: dict[str, Any]


class HookClassInfo(NamedTuple):
    package_name: str
    hook_class_name: str


class DialectInfo(NamedTuple):
    name: str
    dialect_class_name: str
    provider_name: str


class ProvidersManager:
    """What installed providers declare; built on first use of each property."""

    @cached_property
    def providers(self) -> dict[str, ProviderInfo]:
        return {
            p.package_name: ProviderInfo(p.version, dict(p.info))
            for p in list_providers()
            if p.source == "installed"
        }

    @cached_property
    def hooks(self) -> dict[str, HookClassInfo]:
        found = {}
        for package, info in self.providers.items():
            for entry in info.data.get("connection-types") or ():
                found[entry["connection-type"]] = HookClassInfo(package, entry["hook-class-name"])
        return found

    @cached_property
    def dialects(self) -> dict[str, DialectInfo]:
        found = {}
        for package, info in self.providers.items():
            for entry in info.data.get("dialects") or ():
                kind = entry["dialect-type"]
                found[kind] = DialectInfo(kind, entry["dialect-class-name"], package)
        return found

    @property
    def connection_form_widgets(self) -> dict[str, Any]:
        return {}

    @property
    def field_behaviours(self) -> dict[str, Any]:
        return {}


__all__ = ["DialectInfo", "HookClassInfo", "ProviderInfo", "ProvidersManager"]
