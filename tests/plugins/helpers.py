"""A plugins folder for one test, and this process's plugin state put back afterwards."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from brisa.compat import AirflowShimFinder, uninstall_shim
from brisa.plugins import configure_plugins, manager

WORKWEEK = Path(__file__).resolve().parents[1] / "fixtures" / "plugins" / "workweek.py"


@contextmanager
def plugins_folder(folder: Path, *, with_workweek: bool = True) -> Iterator[Path]:
    """``folder`` (holding the workweek plugin) as this process's plugins folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if with_workweek:
        shutil.copy(WORKWEEK, folder)
    saved_path, saved_state = list(sys.path), manager._ACTIVE
    shim_was_installed = any(isinstance(f, AirflowShimFinder) for f in sys.meta_path)
    manager._ACTIVE = manager._Active()
    modules = {p.stem for p in folder.glob("*.py")}
    try:
        configure_plugins(folder)
        yield folder
    finally:
        configure_plugins(None)  # forgets the macros it set
        manager._ACTIVE = saved_state
        sys.path[:] = saved_path
        for name in modules:
            sys.modules.pop(name, None)
        if not shim_was_installed:  # loading plugins installs it for the process
            uninstall_shim()
