"""FileWrites: inotify on one file, as the SQLite change watcher uses it on the -wal file."""

import threading

from brisa.store.filewrites import FileWrites
from tests.waiting import wait_until


def test_a_write_wakes_the_wait_and_nothing_else_does(tmp_path):
    path = tmp_path / "db-wal"
    path.write_bytes(b"")
    writes = FileWrites.watch(str(path))
    assert writes is not None  # Linux: the project's platforms
    try:
        assert not writes.wait(0)
        path.read_bytes()  # reading is no write
        assert not writes.wait(0)
        writer = threading.Thread(target=lambda: path.write_bytes(b"frame"))
        writer.start()
        assert writes.wait(10)
        writer.join()
        writes.wait(0)  # the rest of that write's events, if they came after the first
        assert not writes.wait(0)  # drained: one wake per batch of writes
        assert not writes.gone
        path.unlink()
        wait_until(lambda: writes.wait(1) and writes.gone, timeout=10, what="the deletion")
    finally:
        writes.close()


def test_a_missing_file_cannot_be_watched(tmp_path):
    assert FileWrites.watch(str(tmp_path / "missing")) is None
