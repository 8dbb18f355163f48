"""Real provider packages installed next to Brisa (``pip install apache-airflow-providers-x``).

A provider wheel ships ``airflow/providers/<name>/`` with a ``get_provider_info.py`` and no
``airflow/__init__.py``, so on ``sys.path`` it only makes ``airflow`` a namespace package.
The shim finder (:mod:`brisa.compat.finder`) asks this module whether a real provider owns
an ``airflow.providers...`` name; if so the real package is imported from its directory and
Brisa's stand-in (``common.sql``, ``postgres``...) steps aside.  ``common.compat`` is the
exception: providers use it to reach Airflow itself, which here is Brisa, so Brisa's
version always answers.
"""

from __future__ import annotations

import os
import sys

PROVIDERS = "airflow.providers"
ALWAYS_BRISA = frozenset({f"{PROVIDERS}.common.compat"})
"""Provider packages Brisa always serves itself, installed or not."""

_ROOT_DEPTHS = (3, 4)  # airflow.providers.http, airflow.providers.common.sql
NAMESPACES = frozenset({"apache", "atlassian", "cncf", "common", "dbt", "microsoft"})
"""First parts of two-part provider names (``apache.kafka``, ``cncf.kubernetes``)."""


def provider_name(module: str) -> str | None:
    """``http`` for ``airflow.providers.http.hooks.http``, ``common.sql`` for
    ``airflow.providers.common.sql...``: the name ``brisa providers install`` takes."""
    parts = module.split(".")
    if parts[:2] != ["airflow", "providers"] or len(parts) < 3:
        return None
    if parts[2] in NAMESPACES:
        return ".".join(parts[2:4]) if len(parts) > 3 else f"{parts[2]}.<name>"
    return parts[2]


def package_dirs(package: str) -> list[str]:
    """The directories of ``package`` (dotted) under each ``sys.path`` entry, in order."""
    parts = package.split(".")
    found = []
    for entry in sys.path:
        directory = os.path.join(entry or os.curdir, *parts)
        if os.path.isdir(directory):
            found.append(directory)
    return found


def is_real_provider(package: str) -> bool:
    """Whether an installed provider distribution has ``package`` as its top package."""
    if package in ALWAYS_BRISA:
        return False
    return any(os.path.isfile(os.path.join(d, "get_provider_info.py")) for d in package_dirs(package))


def real_provider_root(fullname: str) -> str | None:
    """The installed provider package ``fullname`` is in (or is), else None."""
    if not fullname.startswith(PROVIDERS + "."):
        return None
    parts = fullname.split(".")
    for depth in _ROOT_DEPTHS:
        if len(parts) < depth:
            break
        root = ".".join(parts[:depth])
        if root in ALWAYS_BRISA:
            return None
        if is_real_provider(root):
            return root
    return None


__all__ = [
    "ALWAYS_BRISA",
    "NAMESPACES",
    "PROVIDERS",
    "is_real_provider",
    "package_dirs",
    "provider_name",
    "real_provider_root",
]
