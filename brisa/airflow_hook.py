"""``import airflow`` outside Brisa's own processes: test suites, scripts, ``python dag.py``.

Installed at interpreter start by ``brisa-airflow.pth`` (in site-packages), this module
puts one finder at the *front* of ``sys.meta_path``: provider wheels installed next to
Brisa (``brisa providers install``) make ``airflow`` a namespace package that the normal
path finder would otherwise return first. The finder answers only while no real Apache
Airflow (a regular ``airflow`` package) is importable, so a real Airflow in the same
environment is never shadowed. On the first ``airflow`` import it installs Brisa's
import shim (:mod:`brisa.compat`) and lets DAG code outside a task reach variables and
connections through Brisa's configured store (:mod:`brisa.cli.outside`).

It must stay cheap: every Python process of the environment imports it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from typing import Any

PTH_NAME = "brisa-airflow.pth"
# One line that Python runs at start (a .pth line must begin with "import"); it does nothing
# when this Brisa is gone or shadowed by one without the hook (an uninstalled checkout).
PTH_LINE = (
    'import importlib.util as _u; _u.find_spec("brisa") and _u.find_spec("brisa.airflow_hook") '
    'and __import__("brisa.airflow_hook").airflow_hook.install()\n'
)


class LazyAirflowFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: finds ``airflow`` unless Apache Airflow is installed."""

    def __init__(self) -> None:
        # Once a real Airflow answered, every later airflow.* import is its own: not looked
        # up again (being first, this finder is asked for each of them).
        self.real_airflow = False

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if self.real_airflow or (fullname != "airflow" and not fullname.startswith("airflow.")):
            return None
        from brisa.cli.outside import use_store_outside_tasks
        from brisa.compat import install_shim

        shim = install_shim()
        if shim is None:  # Apache Airflow is importable after all
            self.real_airflow = True
            return None
        use_store_outside_tasks()
        return shim.find_spec(fullname, path, target)


def install() -> None:
    """Put the finder first (idempotent). Disabled by ``BRISA_AIRFLOW_HOOK=0``."""
    import os

    if os.environ.get("BRISA_AIRFLOW_HOOK", "1") == "0":
        return
    if not any(isinstance(finder, LazyAirflowFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LazyAirflowFinder())


__all__ = ["PTH_LINE", "PTH_NAME", "LazyAirflowFinder", "install"]
