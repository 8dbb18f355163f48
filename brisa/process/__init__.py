"""Child processes: the zygote that forks them, the pool thread that watches them, and
the control channel they talk over.  Callers register what each kind of child runs
(:class:`EntryPoints`); this package imports nothing from executors, runner,
scheduler, services, api, cli or ui.
"""

from brisa.process.entrypoints import ChildMain, EntryPoint, EntryPoints
from brisa.process.pool import ChildHandler, ProcessPool, kill_group

__all__ = ["ChildHandler", "ChildMain", "EntryPoint", "EntryPoints", "ProcessPool", "kill_group"]
