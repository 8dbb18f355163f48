"""One shim module's entry: the names it exports, a forwarded Brisa module, rejected names.

Kept apart from :mod:`brisa.compat.table` so the provider and contrib tables
(:mod:`brisa.compat.common_compat`, :mod:`brisa.compat.contrib`) can build entries too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PROVIDED = (
    "Brisa runs Airflow DAG files without Apache Airflow and provides only Airflow's core modules "
    "and the standard, common.compat, common.sql, postgres, sqlite and smtp providers"
)
"""What every "Brisa does not support" import error for an unknown module says."""


@dataclass(frozen=True)
class ShimModule:
    names: Mapping[str, str] = field(default_factory=dict)
    forward: str | None = None
    """A Brisa module whose public names this module also exports."""
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """Airflow names this module has that Brisa rejects, with the reason."""


def names(module: str, *exported: str) -> dict[str, str]:
    """``{name: "module:name"}``: each name taken from the Brisa module of the same name."""
    return {name: f"{module}:{name}" for name in exported}


def merge(*parts: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part)
    return merged


def rejecting(reason: str, *rejected: str) -> dict[str, str]:
    """``{name: reason}`` for a module's ``unsupported`` names."""
    return dict.fromkeys(rejected, reason)


__all__ = ["PROVIDED", "ShimModule", "merge", "names", "rejecting"]
