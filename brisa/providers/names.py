"""Provider names: ``http``, ``common.sql``, ``apache-airflow-providers-ssh>=4`` (pure).

``brisa providers install`` takes a short name (as ``airflow.providers.<name>``), or the
distribution name, either with an optional version specifier, and turns it into the
requirement pip installs.
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from brisa.errors import InvalidInputError
from brisa.providers.installed import NAMESPACES

DIST_PREFIX = "apache-airflow-providers-"

BUILT_IN = {
    "common.compat": "Brisa's own: providers reach Airflow through it, and here Airflow is Brisa",
    "common.sql": "Brisa's own SQL operators and DbApiHook (brisa/sdk)",
    "postgres": "Brisa's own PostgresHook and operators (brisa/sdk)",
    "sqlite": "Brisa's own SqliteHook and operators (brisa/sdk)",
    "smtp": "Brisa's own EmailOperator (brisa/sdk)",
    "standard": "Brisa's own standard operators, sensors and decorators (brisa/sdk)",
}
"""Providers Brisa answers itself (``airflow.providers.<name>`` works with nothing installed).
Installing the real package replaces Brisa's, except for ``common.compat``."""

AIRFLOW_ITSELF = frozenset({"apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk"})
"""Requirements that are Airflow itself: Brisa stands in for them, never installed."""

IMPLICIT_REQUIREMENTS = ("asgiref", "deprecated", "packaging", "python-slugify", "tenacity")
"""Airflow's own dependencies that provider code imports without declaring them."""


def dist_name(provider: str) -> str:
    """``apache-airflow-providers-common-sql`` for ``common.sql`` (or for itself)."""
    name = canonicalize_name(provider.replace(".", "-"))
    return name if name.startswith(DIST_PREFIX) else DIST_PREFIX + name


def provider_of(dist: str) -> str:
    """``common.sql`` for ``apache-airflow-providers-common-sql``."""
    short = canonicalize_name(dist).removeprefix(DIST_PREFIX)
    first, _, rest = short.partition("-")
    if first in NAMESPACES and rest:
        return f"{first}.{rest.replace('-', '_')}"
    return short.replace("-", "_")


def package_of(provider: str) -> str:
    """``airflow.providers.common.sql`` for ``common.sql``."""
    return f"airflow.providers.{provider}"


def parse_spec(spec: str) -> Requirement:
    """The pip requirement for one ``brisa providers install`` argument."""
    text = spec.strip()
    cut = next((i for i, char in enumerate(text) if char in "<>=!~[;@ "), len(text))
    name, rest = text[:cut], text[cut:]
    if not name:
        raise InvalidInputError(f"not a provider name: {spec!r}")
    try:
        requirement = Requirement(dist_name(name) + rest)
    except InvalidRequirement as exc:
        raise InvalidInputError(f"not a provider name or requirement: {spec!r} ({exc})") from exc
    if requirement.url:
        raise InvalidInputError(f"{spec!r}: give a name and version, not a URL")
    return requirement


def is_provider_requirement(requirement: Requirement) -> bool:
    return canonicalize_name(requirement.name).startswith(DIST_PREFIX)


__all__ = [
    "AIRFLOW_ITSELF",
    "BUILT_IN",
    "DIST_PREFIX",
    "IMPLICIT_REQUIREMENTS",
    "dist_name",
    "is_provider_requirement",
    "package_of",
    "parse_spec",
    "provider_of",
]
