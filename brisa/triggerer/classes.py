"""Re-creating a trigger from its row: class path -> class, JSON -> keyword arguments."""

from __future__ import annotations

import importlib
from typing import Any

from brisa import serde


def load_trigger_class(classpath: str) -> type:
    """The class at ``classpath``; Airflow paths (``airflow.triggers.temporal...``) map to
    Brisa's through the import shim's table, without installing the shim here."""
    module, _, name = classpath.rpartition(".")
    if module == "airflow" or module.startswith("airflow."):
        from brisa.compat.table import TABLE

        entry = TABLE.get(module)
        target = entry.names.get(name) if entry is not None else None
        if target is not None:
            module, name = target.split(":")
        else:
            # A provider's own trigger (airflow.providers.http.triggers...): the installed
            # package, importing Airflow's names through the shim.
            from brisa.compat.finder import install_shim

            install_shim()
    elif not module.startswith("brisa."):
        # A DAG author's trigger imports Airflow's names, as its DAG file does.
        from brisa.compat.finder import install_shim

        install_shim()
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def build_trigger(classpath: str, kwargs: str) -> Any:
    return load_trigger_class(classpath)(**(serde.loads(kwargs) or {}))


__all__ = ["build_trigger", "load_trigger_class"]
