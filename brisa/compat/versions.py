"""The Airflow version a DAG file is told it runs on (``version_compat``'s flags).

Brisa runs each file with the meaning of the Airflow it was written for
(:mod:`brisa.compat.generation`), so the answer follows the same evidence: once the
file has imported a module only Airflow 3 has (``airflow.sdk``,
``airflow.providers.standard``), it is told :data:`AIRFLOW_3_VERSION`; before that,
the Airflow 2 version ``airflow.__version__`` reports.  A file that picks its imports
by ``AIRFLOW_V_3_0_PLUS`` then imports what that version has, and gets that
generation.  The flags are computed when read, from the shim modules loaded so far
(purged before each parse), so every file gets its own answer.
"""

from __future__ import annotations

import sys
from typing import Any

from brisa.compat.finder import SHIM_MARK
from brisa.compat.generation import decide_generation
from brisa.sdk.helpers import __version__ as AIRFLOW_2_VERSION

AIRFLOW_3_VERSION = "3.1.0"
"""The Airflow 3 release Brisa presents; the same as its REST API's ``/version``."""

_FLAGS = {
    "AIRFLOW_V_3_0_PLUS": (3, 0, 0),
    "AIRFLOW_V_3_1_PLUS": (3, 1, 0),
    "AIRFLOW_V_3_1_3_PLUS": (3, 1, 3),
    "AIRFLOW_V_3_2_PLUS": (3, 2, 0),
    "AIRFLOW_V_3_3_PLUS": (3, 3, 0),
    "AIRFLOW_V_3_4_PLUS": (3, 4, 0),
}


def _loaded_airflow_modules() -> list[str]:
    return [
        name
        for name, module in list(sys.modules.items())
        if (name == "airflow" or name.startswith("airflow.")) and getattr(module, SHIM_MARK, False)
    ]


def presented_generation() -> str:
    """``"3"`` once the running file has imported an Airflow-3-only module, else ``"2"``."""
    generation, _ = decide_generation(imported_modules=_loaded_airflow_modules(), default="2")
    return generation


def presented_version() -> str:
    return AIRFLOW_3_VERSION if presented_generation() == "3" else AIRFLOW_2_VERSION


def get_base_airflow_version_tuple() -> tuple[int, int, int]:
    """``(major, minor, micro)`` of :func:`presented_version`, as common.compat's function."""
    major, minor, micro = (int(part) for part in presented_version().split(".")[:3])
    return major, minor, micro


def __getattr__(name: str) -> Any:
    if name in _FLAGS:
        return get_base_airflow_version_tuple() >= _FLAGS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AIRFLOW_2_VERSION",
    "AIRFLOW_3_VERSION",
    "get_base_airflow_version_tuple",
    "presented_generation",
    "presented_version",
    *_FLAGS,
]
