"""The providers this environment has: installed provider distributions and Brisa's own.

Each installed ``apache-airflow-providers-*`` distribution is described from its metadata
and its ``get_provider_info()`` dict (connection types, hooks...), read from the source of
its ``get_provider_info.py`` without importing the provider, so listing never runs
provider code; a provider whose function is not a plain literal is imported instead.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from brisa import __version__ as BRISA_VERSION
from brisa.providers.installed import is_real_provider, package_dirs
from brisa.providers.names import BUILT_IN, DIST_PREFIX, dist_name, package_of, provider_of

ENTRY_POINT_GROUP = "apache_airflow_provider"
DOCS_URL = "https://airflow.apache.org/docs/{package}/{version}/"
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^>]+>`_{1,2}")


@dataclass(frozen=True)
class ProviderPackage:
    package_name: str
    """The distribution: ``apache-airflow-providers-http``."""
    provider: str
    """The name under ``airflow.providers``: ``http``, ``common.sql``."""
    version: str
    description: str
    source: str
    """Who answers ``airflow.providers.<provider>`` imports: ``installed`` or ``brisa``."""
    info: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def documentation_url(self) -> str | None:
        if self.source != "installed":
            return None
        return DOCS_URL.format(package=self.package_name, version=self.version)

    @property
    def summary(self) -> str:
        """The description's first line, reStructuredText links as their text (Airflow's
        ``providers list`` and ``/providers`` strip them too)."""
        lines = self.description.strip().splitlines()
        return _RST_LINK.sub(r"\1", lines[0]) if lines else ""

    def connection_types(self) -> list[dict[str, Any]]:
        return list(self.info.get("connection-types") or ())


def provider_distributions(path: Sequence[str] | None = None) -> dict[str, importlib.metadata.Distribution]:
    """Installed provider distributions by canonical name (the first found on ``path`` wins)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    for dist in importlib.metadata.distributions(path=list(path if path is not None else sys.path)):
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name.startswith(DIST_PREFIX):
            found.setdefault(name, dist)
    return found


def list_providers(path: Sequence[str] | None = None) -> list[ProviderPackage]:
    """Every provider ``airflow.providers.*`` imports can reach here, sorted by package name."""
    installed = provider_distributions(path)
    rows = [_describe(name, dist) for name, dist in installed.items()]
    for provider, why in BUILT_IN.items():
        package = dist_name(provider)
        if not is_real_provider(package_of(provider)):
            rows = [row for row in rows if row.package_name != package]
            rows.append(ProviderPackage(package, provider, BRISA_VERSION, why, "brisa"))
    return sorted(rows, key=lambda row: row.package_name)


def _describe(name: str, dist: importlib.metadata.Distribution) -> ProviderPackage:
    provider = provider_of(name)
    try:
        info, error = read_provider_info(provider), None
    except Exception as exc:  # a broken provider is listed with why, never hides the others
        info, error = {}, f"{type(exc).__name__}: {exc}"
    description = str(info.get("description") or dist.metadata["Summary"] or "").strip()
    return ProviderPackage(name, provider, dist.version, description, "installed", info, error)


def read_provider_info(provider: str) -> dict[str, Any]:
    """The provider's ``get_provider_info()`` dict."""
    package = package_of(provider)
    for directory in package_dirs(package):
        source = Path(directory, "get_provider_info.py")
        if source.is_file():
            literal = _literal_return(source.read_text(encoding="utf-8"))
            if literal is not None:
                return literal
    module = importlib.import_module(f"{package}.get_provider_info")
    return dict(module.get_provider_info())


def _literal_return(source: str) -> dict[str, Any] | None:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == "get_provider_info":
            returns = [n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None]
            if len(returns) == 1:
                try:
                    value = ast.literal_eval(returns[0].value)  # type: ignore[arg-type]
                except ValueError:
                    return None
                return value if isinstance(value, dict) else None
    return None


__all__ = [
    "ENTRY_POINT_GROUP",
    "ProviderPackage",
    "list_providers",
    "provider_distributions",
    "read_provider_info",
]
