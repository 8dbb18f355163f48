"""The runner's kinds of child process, registered with the process layer at wiring time.

``task`` runs one try (its DAG file preloaded by a file zygote when it can be shared);
``callback`` runs a DAG-level callback.  The process layer knows them only through
the :class:`~brisa.process.entrypoints.EntryPoints` registry it is handed.
"""

from __future__ import annotations

from brisa.process.entrypoints import EntryPoint, EntryPoints
from brisa.runner import callbacks, dag_cache, task_process, try_context

TASK = "task"
CALLBACK = "callback"

PRELOAD = (
    # What task and parse children use besides their entry points' own modules, imported
    # once before the zygote forks, so each child starts warm (saves ~0.3 s a try) and
    # shares these pages.
    "brisa.loader",
    "brisa.compat",
    "brisa.sdk",
    "brisa.sdk.operators.bash",
    "brisa.sdk.operators.python",
    "brisa.sdk.operators.empty",
    "brisa.sdk.sensors",
    "brisa.sdk.taskinstance",
    "brisa.sdk.dagrun",
    "brisa.sdk.execution",
    "brisa.sdk.serialize",
    # Imported by every parse (the plugins folder's settings; a DAG's tasks): ~0.15 s a
    # file when each child imported them itself.
    "brisa.config",
    "brisa.sdk.helpers",
    "brisa.sdk.mapped",
    "brisa.sdk.mapped_group",
    "brisa.templating",
    "brisa.templating.environment",
    "brisa.timetables",
    "jinja2",
    "jsonschema",
)


def register(registry: EntryPoints) -> EntryPoints:
    """Add ``task`` and ``callback`` to ``registry``; returns it."""
    registry.register(
        TASK,
        EntryPoint(task_process.child_main, preload_file=dag_cache.preload, warm_up=try_context.warm_up),
    )
    registry.register(CALLBACK, EntryPoint(callbacks.child_main))
    return registry


__all__ = ["CALLBACK", "PRELOAD", "TASK", "register"]
