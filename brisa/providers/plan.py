"""What else to install once provider wheels are in (pure: requirement strings in, lists out).

Provider wheels require ``apache-airflow`` and often other providers. Brisa installs each
provider wheel without its dependencies, then reads their ``Requires-Dist`` lines: Airflow
itself and the providers Brisa answers (``common.compat``...) are skipped; other providers
are installed the same way; everything else is resolved by pip as usual.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from brisa.providers.names import AIRFLOW_ITSELF, BUILT_IN, is_provider_requirement, provider_of


@dataclass
class DependencyPlan:
    providers: list[Requirement] = field(default_factory=list)
    """Providers required by the installed ones and not installed yet (installed without deps)."""
    others: list[Requirement] = field(default_factory=list)
    """Everything else they require (pip resolves it)."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Requirement -> why Brisa does not install it."""


def applies(requirement: Requirement, extras: Collection[str] = ()) -> bool:
    """Whether a ``Requires-Dist`` line applies here, for a distribution installed with
    ``extras`` (``amazon[aiobotocore]``: its ``extra == "aiobotocore"`` lines apply)."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras))


def plan_dependencies(
    roots: Iterable[str],
    requires: Mapping[str, Iterable[str]],
    installed: Iterable[str],
    extras: Mapping[str, Collection[str]] | None = None,
) -> DependencyPlan:
    """Walk ``roots`` (provider distributions) through ``requires`` (distribution ->
    ``Requires-Dist`` lines of the installed ones); ``installed``: names already there;
    ``extras``: distribution -> the extras asked for it (pip's ``name[extra]``)."""
    asked: dict[str, set[str]] = {canonicalize_name(n): set(e) for n, e in (extras or {}).items()}
    have: set[str] = {canonicalize_name(name) for name in installed}
    plan, seen = DependencyPlan(), set()
    queue: list[str] = [canonicalize_name(root) for root in roots]
    while queue:
        dist = queue.pop(0)
        if dist in seen:
            continue
        seen.add(dist)
        for line in requires.get(dist, ()):
            _place(Requirement(line), asked.get(dist, set()), have, plan, queue)
    return plan


def _place(
    requirement: Requirement, extras: set[str], have: set[str], plan: DependencyPlan, queue: list[str]
) -> None:
    name = canonicalize_name(requirement.name)
    if not applies(requirement, extras):
        return
    if requirement.marker is not None and not applies(requirement):
        # An extra's line: its marker would make pip skip it (pip is not asked for the extra).
        requirement = _without_marker(requirement)
    if name in AIRFLOW_ITSELF:
        plan.skipped[str(requirement)] = "Brisa stands in for Apache Airflow"
    elif is_provider_requirement(requirement) and provider_of(name) in BUILT_IN and name not in have:
        plan.skipped[str(requirement)] = f"Brisa's own {provider_of(name)} provider answers"
    elif is_provider_requirement(requirement):
        if name in have:
            queue.append(name)
        elif all(str(p) != str(requirement) for p in plan.providers):
            plan.providers.append(requirement)
    elif all(str(o) != str(requirement) for o in plan.others):
        plan.others.append(requirement)


def _without_marker(requirement: Requirement) -> Requirement:
    plain = Requirement(str(requirement))
    plain.marker = None
    return plain


__all__ = ["DependencyPlan", "applies", "plan_dependencies"]
