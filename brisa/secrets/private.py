"""The private-file helpers, re-exported from :mod:`brisa.private_files`.

They live at the bottom of the layers because the store writes its SQLite file with them and
the store sits below the secrets; this name stays for the code that already imports it.
"""

from __future__ import annotations

from brisa.private_files import (
    DIR_MODE,
    FILE_MODE,
    create_private_file,
    exclusive_lock,
    private_dir,
    write_private,
)

__all__ = ["DIR_MODE", "FILE_MODE", "create_private_file", "exclusive_lock", "private_dir", "write_private"]
