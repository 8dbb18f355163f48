"""``try_context.warm_up``: what the zygote caches before forking task processes."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import tempfile
from brisa.runner.try_context import hostname, warm_up
assert tempfile.tempdir is None and hostname.cache_info().currsize == 0
warm_up()
print(tempfile.tempdir, hostname.cache_info().currsize)
"""


def test_warm_up_caches_the_temporary_directory_and_the_host_name(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == [str(tmp_path), "1"]
