"""DAG files loaded once in a file zygote, inherited by every task child it forks.

Loading a DAG file runs its top-level code (building every operator); for a 100-task
DAG that is ~10 ms per try.  A file zygote (see ``brisa.process.zygote``) loads the
file once with :func:`preload` and forks the file's task children from there: they find
the DAG here with :func:`get` instead of loading it again.  An entry is only used while
the file on disk is unchanged (modification time and size).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from brisa.process.zygote import file_signature


@dataclass(frozen=True)
class _Entry:
    signature: tuple[float, int]
    dags: dict[str, Any]


_loaded: dict[str, _Entry] = {}


def preload(path: str, generation_default: str) -> bool:
    """Load ``path``'s DAGs into this process; False if it cannot be shared safely.

    A file whose top-level code fails, or starts threads (forking a process with
    threads can deadlock its children), is left to each task child to load. So is one
    whose top-level code asks the task runtime anything (``mask_secret``, a variable):
    the answer belongs to each try, whose supervisor must, e.g., learn the secret.
    """
    from brisa.loader.dag_conf import brisa_conf
    from brisa.loader.parse import assign_generation, run_dag_file
    from brisa.runtime import use_runtime

    signature = file_signature(path)
    threads_before = threading.active_count()
    # brisa_conf: the shared DAG must see the settings its tries' own loads would see.
    with use_runtime(_NoTryRuntime()), brisa_conf():  # type: ignore[arg-type]
        loaded = run_dag_file(path, keep_module=True, persistent_shim=True)
    if signature is None or loaded.error is not None or threading.active_count() != threads_before:
        return False
    for dag in loaded.dags:
        assign_generation(dag, loaded.imported_modules, generation_default)
    _loaded[os.path.abspath(path)] = _Entry(signature, {dag.dag_id: dag for dag in loaded.dags})
    return True


class _NoTryRuntime:
    """Installed while a file zygote loads a file: any runtime call fails the preload."""

    def __getattr__(self, name: str) -> Any:
        from brisa.runtime import NoRuntimeError

        raise NoRuntimeError(f"{name} at the top level of a DAG file needs a running try")


def get(path: str, dag_id: str) -> Any | None:
    """The preloaded DAG, if the file has not changed since."""
    entry = _loaded.get(os.path.abspath(path))
    if entry is None or entry.signature != file_signature(path):
        return None
    return entry.dags.get(dag_id)


__all__ = ["get", "preload"]
