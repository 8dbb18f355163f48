"""Block until a file is written: Linux's inotify, through ctypes (no dependency).

The SQLite change watcher (:mod:`brisa.store.changes`) used to wake every 5 ms to ask
``PRAGMA data_version``: about 2% of a core in an idle ``brisa standalone``, and a GIL
hand-off 200 times a second beside the scheduler and the web server. Every commit in
WAL mode writes the ``-wal`` file, so the watcher can sleep until that file is written
and only then ask. Elsewhere (no inotify: macOS, a file system that does not report)
:meth:`FileWrites.watch` returns None and the watcher polls as before.
"""

from __future__ import annotations

import ctypes
import os
import select
import struct

IN_MODIFY = 0x002
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_IGNORED = 0x8000
_GONE = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED
_EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len (then the name)


class FileWrites:
    """An inotify descriptor watching one file for writes."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.gone = False
        """The file was deleted or renamed: writes now go to another file, unwatched."""

    @classmethod
    def watch(cls, path: str) -> FileWrites | None:
        """Watch ``path`` (which must exist); None where inotify is not available."""
        libc = _libc()
        if libc is None:
            return None
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        if libc.inotify_add_watch(fd, os.fsencode(path), IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF) < 0:
            os.close(fd)
            return None
        return cls(fd)

    def wait(self, timeout: float) -> bool:
        """True once the file was written (or went away) since the last call; False when
        ``timeout`` seconds passed without."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        self._drain()
        return True

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                return
            offset = 0
            while offset + _EVENT.size <= len(data):
                _wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                self.gone = self.gone or bool(mask & _GONE)
                offset += _EVENT.size + length

    def close(self) -> None:
        os.close(self.fd)


def _libc() -> ctypes.CDLL | None:
    try:  # None: the symbols already loaded into this process, libc's among them
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    except (OSError, AttributeError):  # no libc by that name, or no inotify in it
        return None
    return libc


__all__ = ["FileWrites"]
