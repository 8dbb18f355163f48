"""``import airflow`` outside Brisa's own processes: test suites, scripts, ``python dag.py``.

Installed at interpreter start by ``brisa-airflow.pth`` (in site-packages), this module
appends one finder to the *end* of ``sys.meta_path``. Python asks it only when no other
finder found ``airflow``, that is when Apache Airflow is not installed, so a real Airflow
in the same environment is never shadowed. On the first such import it installs Brisa's
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
    """Last on ``sys.meta_path``: finds ``airflow`` only where nothing else does."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "airflow" and not fullname.startswith("airflow."):
            return None
        from brisa.cli.outside import use_store_outside_tasks
        from brisa.compat import install_shim

        shim = install_shim()
        if shim is None:  # Apache Airflow is importable after all
            return None
        use_store_outside_tasks()
        return shim.find_spec(fullname, path, target)


def install() -> None:
    """Append the finder (idempotent). Disabled by ``BRISA_AIRFLOW_HOOK=0``."""
    import os

    if os.environ.get("BRISA_AIRFLOW_HOOK", "1") == "0":
        return
    if not any(isinstance(finder, LazyAirflowFinder) for finder in sys.meta_path):
        sys.meta_path.append(LazyAirflowFinder())


__all__ = ["PTH_LINE", "PTH_NAME", "LazyAirflowFinder", "install"]
