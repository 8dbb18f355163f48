"""What each kind of child process runs, registered by the package that owns the kind.

The runner registers ``task`` and ``callback``, the scheduler ``parse``; the CLI's
wiring hands the registry to the :class:`~brisa.process.pool.ProcessPool`, whose
zygote inherits it when it forks.  Functions, not module paths: the process layer
names nothing above it, and a renamed entry point fails at import, not in a child.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from brisa.errors import ExecutorError

ChildMain = Callable[[dict[str, Any], socket.socket], int]
"""``main(payload, control_socket) -> exit code``, run in the forked child."""

FilePreload = Callable[[str, str], bool]
"""``preload(path, generation) -> shareable``: load a file once in a file zygote."""


@dataclass(frozen=True)
class EntryPoint:
    main: ChildMain
    preload_file: FilePreload | None = None
    """When set, children of this kind spawned with a ``file`` are forked by a file
    zygote that ran this once for that file (a task child then finds its DAG built)."""
    warm_up: Callable[[], None] | None = None
    """Run once before the zygote forks: every child inherits what it caches."""


class EntryPoints(Mapping[str, EntryPoint]):
    """The registry: kind -> :class:`EntryPoint`; each kind registered once."""

    def __init__(self) -> None:
        self._entries: dict[str, EntryPoint] = {}

    def register(self, kind: str, entry: EntryPoint) -> None:
        if kind in self._entries:
            raise ExecutorError(f"a child process kind {kind!r} is already registered")
        self._entries[kind] = entry

    def __getitem__(self, kind: str) -> EntryPoint:
        return self._entries[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["ChildMain", "EntryPoint", "EntryPoints", "FilePreload"]
