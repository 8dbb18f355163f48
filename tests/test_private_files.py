"""brisa.private_files: owner-only files and folders, whatever the umask."""

from __future__ import annotations

import os
import stat

from brisa import private_files
from brisa.secrets import private


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_created_folders_and_files_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0o000)
    try:
        target = tmp_path / "home" / "deep" / "brisa.db"
        assert private_files.create_private_file(target) is True
        assert private_files.create_private_file(target) is False
    finally:
        os.umask(old)
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert _mode(target.parent.parent) == 0o700


def test_write_private_replaces_the_text_and_keeps_the_mode(tmp_path):
    target = tmp_path / "brisa.cfg"
    private_files.write_private(target, "one")
    private_files.write_private(target, "two")
    assert target.read_text() == "two"
    assert _mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["brisa.cfg"]


def test_an_existing_folder_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    private_files.create_private_file(shared / "f")
    assert _mode(shared) == 0o755


def test_exclusive_lock_creates_its_file_private(tmp_path):
    lock = tmp_path / "keys.lock"
    with private_files.exclusive_lock(lock):
        assert _mode(lock) == 0o600


def test_the_secrets_name_is_the_same_helpers():
    assert private.write_private is private_files.write_private
    assert private.exclusive_lock is private_files.exclusive_lock
