"""Brisa: a light workflow orchestrator that runs Apache Airflow DAG files unchanged.

The authoring API is importable from here (``from brisa import DAG, task``); names
are loaded on first use so that ``import brisa`` stays cheap for the CLI and workers.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'brisa' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
