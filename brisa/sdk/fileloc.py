"""Where in a DAG file an object was created (for ``fileloc`` and import errors)."""

from __future__ import annotations

import os
import sys

_BRISA_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_internal(filename: str) -> bool:
    if filename.startswith("<frozen") or filename.startswith("<"):
        return True
    absolute = os.path.abspath(filename)
    examples = os.path.join(_BRISA_ROOT, "example_dags")
    if absolute.startswith(examples + os.sep):
        return False
    return (
        absolute.startswith(_BRISA_ROOT + os.sep)
        or "importlib" in absolute
        or absolute.endswith("contextlib.py")
    )


def caller_location(depth: int = 1) -> tuple[str, int]:
    """The first frame outside Brisa (and importlib) above the caller: (file, line)."""
    frame = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _is_internal(filename):
            return filename, frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return "", 0


__all__ = ["caller_location"]
