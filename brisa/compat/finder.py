"""The ``sys.meta_path`` finder that makes ``import airflow...`` load Brisa's objects.

Modules are built from :data:`brisa.compat.table.TABLE`; their attributes resolve on
first use.  A module or name Brisa does not provide fails with an ``ImportError``
that says so (DAG files that fall back on ``except ImportError`` keep working).
Nothing is installed while a real Apache Airflow is importable.  Real provider packages
installed next to Brisa are imported as they are (:mod:`brisa.providers.installed`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from brisa.compat.entries import PROVIDED
from brisa.compat.table import TABLE, UNSUPPORTED_MODULES, ShimModule
from brisa.providers.installed import package_dirs, provider_name, real_provider_root

SHIM_MARK = "__brisa_shim__"


def airflow_is_installed() -> bool:
    """Whether a real ``airflow`` package is on ``sys.path`` (our finder not asked).

    Provider wheels alone make ``airflow`` a namespace package (no ``__init__.py``, no
    origin): that is not Apache Airflow, and Brisa must still answer."""
    spec = importlib.machinery.PathFinder.find_spec("airflow")
    return spec is not None and spec.origin is not None


def unsupported_module_error(module: str, reason: str | None = None) -> ModuleNotFoundError:
    why = reason or PROVIDED
    message = f"No module named {module!r}: Brisa does not support {module} ({why})"
    provider = provider_name(module) if reason is None and module not in TABLE else None
    if provider is not None:  # a provider Brisa does not serve: the real one may run here
        message += f"; install the provider with `brisa providers install {provider}`"
    return ModuleNotFoundError(message, name=module)


def unsupported_name_error(module: str, name: str, reason: str | None = None) -> ImportError:
    return ImportError(
        f"cannot import name {name!r} from {module!r}: Brisa does not support it "
        f"({reason or _provided_names(module)})",
        name=module,
    )


def _provided_names(module: str) -> str:
    entry = TABLE[module]
    provided = set(entry.names) | (set(_public_names(entry.forward)) if entry.forward else set())
    if provided:
        return f"{module} in Brisa provides only {', '.join(sorted(provided))}"
    if _is_package(module):
        return f"{module} in Brisa provides only its submodules"
    return f"Brisa provides no names of {module}"


class ImportRecorder:
    """The ``airflow`` modules imported while it is attached to the finder, in order."""

    def __init__(self) -> None:
        self.modules: list[str] = []

    def record(self, module: str) -> None:
        if module not in self.modules:
            self.modules.append(module)


def _is_package(name: str) -> bool:
    return name == "airflow" or any(other.startswith(name + ".") for other in TABLE)


def _missing_submodule(fullname: str) -> ModuleNotFoundError | None:
    """The error for ``fullname`` when Brisa knows it as a module it does not provide."""
    if fullname in UNSUPPORTED_MODULES:
        return unsupported_module_error(fullname, UNSUPPORTED_MODULES[fullname])
    return None


def _is_installed_namespace(fullname: str) -> bool:
    """``airflow.providers.microsoft`` when a ``microsoft.*`` provider is installed: the
    directory level its wheel shares with the other ``microsoft.*`` providers."""
    return fullname not in TABLE and provider_name(fullname) is not None and bool(package_dirs(fullname))


def _resolve(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def _public_names(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    return list(names) if names is not None else [n for n in vars(module) if not n.startswith("_")]


def _module_getattr(fullname: str, entry: ShimModule) -> Any:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(f"module {fullname!r} has no attribute {name!r}")
        child = f"{fullname}.{name}"
        if child in TABLE or child in sys.modules or real_provider_root(child):  # (plugin macros)
            return importlib.import_module(child)
        if name in entry.names:
            return _resolve(entry.names[name])
        if entry.forward is not None and name in _public_names(entry.forward):
            return getattr(importlib.import_module(entry.forward), name)
        if name.startswith("_"):
            raise AttributeError(f"module {fullname!r} has no attribute {name!r}")
        missing = _missing_submodule(f"{fullname}.{name}")
        if missing is not None:  # ``from airflow.contrib.operators import bigquery_operator``
            raise missing
        # An ImportError, not AttributeError, so ``from m import X`` reports this message.
        raise unsupported_name_error(fullname, name, entry.unsupported.get(name))

    return __getattr__


class AirflowShimFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and loads ``airflow`` and ``airflow.*`` from the table."""

    def __init__(self) -> None:
        self.recorder: ImportRecorder | None = None

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "airflow" and not fullname.startswith("airflow."):
            return None
        if real_provider_root(fullname) is not None or _is_installed_namespace(fullname):
            return self._find_real_provider(fullname)
        if fullname not in TABLE:
            raise _missing_submodule(fullname) or unsupported_module_error(fullname)
        if self.recorder is not None:
            self.recorder.record(fullname)
        # Every shim module is a package, so ``import airflow.operators.bash.x`` asks this
        # finder and fails naming the module, not with Python's bare "is not a package".
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def _find_real_provider(self, fullname: str) -> importlib.machinery.ModuleSpec | None:
        """An installed provider's module, from its own directories (the shim parent
        ``airflow.providers`` has no ``__path__`` of its own)."""
        if self.recorder is not None:
            self.recorder.record(fullname)
        parent = fullname.rpartition(".")[0]
        return importlib.machinery.PathFinder.find_spec(fullname, package_dirs(parent))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        entry = TABLE[module.__name__]
        module.__dict__[SHIM_MARK] = True
        module.__dict__["__getattr__"] = _module_getattr(module.__name__, entry)
        for name, target in entry.names.items():
            if name.startswith("__"):  # dunders are looked up on the module dict only
                module.__dict__[name] = _resolve(target)
        exported = list(entry.names)
        if entry.forward is not None:
            exported += _public_names(entry.forward)
        module.__dict__["__all__"] = sorted(set(exported))
        module.__dict__["__doc__"] = f"Brisa's stand-in for {module.__name__} (see brisa/compat/table.py)."


def _installed_finder() -> AirflowShimFinder | None:
    return next((f for f in sys.meta_path if isinstance(f, AirflowShimFinder)), None)


def purge_shim_modules() -> None:
    """Forget shim modules so the next import runs through the finder (and is recorded)."""
    for name in [n for n in sys.modules if n == "airflow" or n.startswith("airflow.")]:
        if getattr(sys.modules[name], SHIM_MARK, False):
            del sys.modules[name]


def install_shim() -> AirflowShimFinder | None:
    """Install the finder for the rest of the process (idempotent); None when a real
    Airflow is installed and must not be shadowed."""
    finder = _installed_finder()
    if finder is not None:
        return finder
    if airflow_is_installed():
        return None
    finder = AirflowShimFinder()
    sys.meta_path.insert(0, finder)
    return finder


def uninstall_shim() -> None:
    finder = _installed_finder()
    if finder is not None:
        sys.meta_path.remove(finder)
    purge_shim_modules()


@contextmanager
def shim_installed(recorder: ImportRecorder | None = None) -> Iterator[ImportRecorder]:
    """The finder installed (and recording) for the duration of the block.

    Shim modules are purged on entry so this block's imports are all seen.
    """
    recorder = recorder or ImportRecorder()
    already = _installed_finder() is not None
    finder = install_shim()
    purge_shim_modules()
    previous = finder.recorder if finder is not None else None
    if finder is not None:
        finder.recorder = recorder
    try:
        yield recorder
    finally:
        if finder is not None:
            finder.recorder = previous
            if not already:
                sys.meta_path.remove(finder)
                purge_shim_modules()


__all__ = [
    "AirflowShimFinder",
    "ImportRecorder",
    "airflow_is_installed",
    "install_shim",
    "purge_shim_modules",
    "shim_installed",
    "uninstall_shim",
]
