"""The import shim: ``airflow.*`` module paths resolve to :mod:`brisa.sdk` objects."""

from brisa.compat.finder import (
    AirflowShimFinder,
    ImportRecorder,
    airflow_is_installed,
    install_shim,
    purge_shim_modules,
    shim_installed,
    uninstall_shim,
)
from brisa.compat.generation import decide_generation, is_airflow_1_module
from brisa.compat.table import TABLE, ShimModule, generation_of

__all__ = [
    "TABLE",
    "AirflowShimFinder",
    "ImportRecorder",
    "ShimModule",
    "airflow_is_installed",
    "decide_generation",
    "generation_of",
    "install_shim",
    "is_airflow_1_module",
    "purge_shim_modules",
    "shim_installed",
    "uninstall_shim",
]
