"""Run a DAG file in this process with the import shim and collect its DAGs.

:func:`parse_file` is what the loader's child process runs (and tests run directly);
:func:`load_dag_object` is what the task runner and ``brisa dags test`` use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from brisa import errors
from brisa.compat import (
    ImportRecorder,
    decide_generation,
    install_shim,
    is_airflow_1_module,
    shim_installed,
)
from brisa.loader.result import ImportErrorInfo, ParseResult
from brisa.plugins import plugins_folder, registered_timetables
from brisa.process.alarm import alarm
from brisa.sdk.context import collect_dags, loading_file
from brisa.sdk.dag import DAG
from brisa.sdk.serialize import serialize_dag


class DagFileTimeout(Exception):
    """The file took longer than the parse timeout to run."""


@dataclass
class LoadedFile:
    """A DAG file after running it: its DAGs, what it imported, or why it failed."""

    path: str
    dags: list[DAG]
    imported_modules: list[str]
    error: ImportErrorInfo | None = None


def module_name_for(path: str) -> str:
    """A module name unique to the file, so two ``my_dag.py`` in different folders
    never share ``sys.modules`` entries (Airflow's ``unusual_prefix_`` scheme)."""
    digest = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()
    stem = os.path.splitext(os.path.basename(path))[0]
    return f"unusual_prefix_{digest}_{stem}"


@contextmanager
def _on_sys_path(folder: str) -> Iterator[None]:
    """Let the DAG file import its sibling modules, as Airflow's DAGs folder on sys.path."""
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)


def error_location(path: str, err: BaseException) -> tuple[int | None, str]:
    """The line of ``path`` the error came from, and the traceback from that file on."""
    if (
        isinstance(err, SyntaxError)
        and err.filename
        and os.path.abspath(err.filename) == os.path.abspath(path)
    ):
        return err.lineno, "".join(traceback.format_exception_only(type(err), err))
    tb = err.__traceback__
    first_in_file = None
    lineno = None
    while tb is not None:
        if os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(path):
            first_in_file = first_in_file or tb
            lineno = tb.tb_lineno
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(err), err, first_in_file or err.__traceback__))
    return lineno, text


def _error_from(path: str, err: BaseException) -> ImportErrorInfo:
    lineno, text = error_location(path, err)
    message = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return ImportErrorInfo(filename=path, lineno=lineno, message=message, traceback=text)


def _dags_of(module: types.ModuleType, collected: list[DAG]) -> list[DAG]:
    """Module-level DAGs, then DAGs registered by ``with`` blocks / ``@dag`` calls, then
    the sub-DAGs of their ``SubDagOperator``s (as Airflow's DagBag collects them)."""
    found: list[DAG] = []
    for value in [*vars(module).values(), *collected]:
        if isinstance(value, DAG) and all(value is not d for d in found):
            found.append(value)
    for dag in found:  # grows while walking: sub-DAGs of sub-DAGs
        for task in dag.tasks:
            subdag = getattr(task, "subdag", None)
            if isinstance(subdag, DAG) and all(subdag is not d for d in found):
                found.append(subdag)
    return found


def run_dag_file(
    path: str,
    *,
    timeout: float | None = None,
    dags_folder: str | None = None,
    keep_module: bool = False,
    persistent_shim: bool = False,
) -> LoadedFile:
    """Execute ``path`` as a module; every failure becomes ``LoadedFile.error``."""
    path = os.path.abspath(path)
    name = module_name_for(path)
    plugins_folder()  # on sys.path, as in Airflow: DAG files import the plugins' modules
    recorder = ImportRecorder()
    shim = _persistent(recorder) if persistent_shim else shim_installed(recorder)
    module: types.ModuleType | None = None
    try:
        with (
            shim,
            collect_dags() as collected,
            loading_file(lambda: any(is_airflow_1_module(m) for m in recorder.modules)),
            _on_sys_path(dags_folder or os.path.dirname(path)),
            alarm(timeout, lambda: DagFileTimeout(f"DagBag import timeout for {path} after {timeout}s")),
        ):
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path} as a Python module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
    except (Exception, SystemExit, DagFileTimeout) as err:
        sys.modules.pop(name, None)
        return LoadedFile(path, [], recorder.modules, _error_from(path, err))
    if not keep_module:
        sys.modules.pop(name, None)
    assert module is not None
    dags = _dags_of(module, collected)
    if any(is_airflow_1_module(m) for m in recorder.modules):
        for dag in dags:  # their tasks get 1.10's extra template context keys
            dag.written_for_airflow_1 = True
    return LoadedFile(path, dags, recorder.modules)


@contextmanager
def _persistent(recorder: ImportRecorder) -> Iterator[ImportRecorder]:
    """The shim installed for good (task code may import airflow later); recording."""
    finder = install_shim()
    if finder is None:
        with nullcontext():
            yield recorder
        return
    previous, finder.recorder = finder.recorder, recorder
    try:
        yield recorder
    finally:
        finder.recorder = previous


def assign_generation(dag: DAG, imported_modules: list[str], default: str) -> str:
    """Decide and set ``dag.generation``; returns the reason."""
    generation, reason = decide_generation(
        imported_modules=imported_modules,
        dag_hints=dag.generation_hints,
        override=dag.airflow_generation,
        default=default,
    )
    dag.generation = generation
    return reason


def parse_file(
    path: str,
    *,
    timeout: float | None = 30.0,
    generation_default: str = "2",
    catchup_default: bool | None = None,
    dags_folder: str | None = None,
) -> ParseResult:
    """Run one DAG file in this process and serialize its DAGs.

    A file that fails to run gives one import error and no DAG; a DAG that fails
    validation (cycle, bad params, bad schedule) gives an import error at the line
    that created it, and the file's other DAGs still load.
    """
    loaded = run_dag_file(path, timeout=timeout, dags_folder=dags_folder)
    result = ParseResult()
    if loaded.error is not None:
        result.errors.append(loaded.error)
        return result
    relative = os.path.relpath(loaded.path, dags_folder) if dags_folder else os.path.basename(loaded.path)
    by_id: dict[str, DAG] = {dag.dag_id: dag for dag in loaded.dags}  # a later DAG of the same id wins
    for dag in by_id.values():
        reason = assign_generation(dag, loaded.imported_modules, generation_default)
        try:
            result.dags.append(
                serialize_dag(
                    dag,
                    fileloc=loaded.path,
                    generation=dag.generation,
                    generation_reason=reason,
                    catchup_default=catchup_default,
                    relative_fileloc=relative,
                    timetables=registered_timetables,
                )
            )
        except Exception as err:
            result.errors.append(
                ImportErrorInfo(
                    loaded.path,
                    dag.creation_lineno or None,
                    f"{type(err).__name__}: {err}",
                    traceback.format_exc(),
                )
            )
    return result


def load_dag_object(
    path: str, dag_id: str, *, generation_default: str = "2", dags_folder: str | None = None
) -> DAG:
    """The DAG object ``dag_id`` of ``path``, with its generation set, for running tasks.

    The import shim stays installed afterwards, since task code may import ``airflow``
    while it runs.  Raises :class:`~brisa.errors.DagError` when the file fails and
    :class:`~brisa.errors.NotFoundError` when it has no such DAG.
    """
    if not os.path.isfile(path):
        raise errors.NotFoundError(f"DAG file {path} does not exist")
    loaded = run_dag_file(path, dags_folder=dags_folder, keep_module=True, persistent_shim=True)
    if loaded.error is not None:
        where = f"{path}:{loaded.error.lineno}" if loaded.error.lineno else path
        raise errors.DagError(f"DAG file {where} failed to load: {loaded.error.message}")
    matches = [dag for dag in loaded.dags if dag.dag_id == dag_id]
    if not matches:
        found = ", ".join(sorted({d.dag_id for d in loaded.dags})) or "none"
        raise errors.NotFoundError(f"DAG {dag_id!r} not found in {path} (DAGs there: {found})")
    dag = matches[-1]
    assign_generation(dag, loaded.imported_modules, generation_default)
    return dag


__all__ = ["DagFileTimeout", "LoadedFile", "load_dag_object", "module_name_for", "parse_file", "run_dag_file"]
