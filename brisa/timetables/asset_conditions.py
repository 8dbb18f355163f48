"""Asset conditions: the JSON form of a DAG's ``schedule`` on assets, evaluated purely.

One form serves both generations (it is Airflow 3's ``as_expression``)::

    {"asset": {"name": n, "uri": u, "group": g}}   # updated when an event on (n, u) is queued
    {"asset_ref": {"name": n}} / {"asset_ref": {"uri": u}}
    {"alias": {"name": a, "group": g}}              # any asset the alias has resolved to
    {"all": [cond, ...]} / {"any": [cond, ...]}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from typing import Any

AssetKey = tuple[str, str]
"""(name, uri): what identifies an asset (a 2.x dataset's name is its uri)."""


def leaves(condition: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    """Every asset, asset_ref and alias leaf of ``condition``, depth first."""
    if not condition:
        return
    for kind in ("all", "any"):
        if kind in condition:
            for child in condition[kind]:
                yield from leaves(child)
            return
    yield condition


def asset_keys(condition: Mapping[str, Any] | None) -> set[AssetKey]:
    """The (name, uri) of every asset the condition names directly."""
    return {(leaf["asset"]["name"], leaf["asset"]["uri"]) for leaf in leaves(condition) if "asset" in leaf}


def alias_names(condition: Mapping[str, Any] | None) -> set[str]:
    return {leaf["alias"]["name"] for leaf in leaves(condition) if "alias" in leaf}


def evaluate(
    condition: Mapping[str, Any],
    updated: Set[AssetKey],
    aliases: Mapping[str, Set[AssetKey]] | None = None,
) -> bool:
    """Whether ``condition`` is met once the assets in ``updated`` have new events.

    ``aliases`` maps an alias name to the assets it has resolved to so far.
    """
    if "all" in condition:
        return all(evaluate(c, updated, aliases) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, updated, aliases) for c in condition["any"])
    if "asset" in condition:
        return (condition["asset"]["name"], condition["asset"]["uri"]) in updated
    if "asset_ref" in condition:
        ref = condition["asset_ref"]
        field = 0 if "name" in ref else 1
        wanted = ref.get("name", ref.get("uri"))
        return any(key[field] == wanted for key in updated)
    if "alias" in condition:
        resolved = (aliases or {}).get(condition["alias"]["name"], set())
        return bool(resolved & set(updated))
    raise ValueError(f"not an asset condition: {condition!r}")


__all__ = ["AssetKey", "alias_names", "asset_keys", "evaluate", "leaves"]
