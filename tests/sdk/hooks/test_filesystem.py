"""``FSHook``: the ``path`` extra of an ``fs`` connection, under each of Airflow's paths for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brisa.compat import shim_installed
from brisa.runtime import use_runtime
from brisa.sdk.exceptions import AirflowNotFoundException
from brisa.sdk.hooks.filesystem import FSHook
from tests.sdk.fakes import MemoryRuntime


@pytest.fixture
def runtime() -> Iterator[MemoryRuntime]:
    runtime = MemoryRuntime()
    with use_runtime(runtime):
        yield runtime


def test_fs_hook_reads_the_connections_path(runtime: MemoryRuntime, tmp_path):
    runtime.connections["fs_default"] = {"conn_type": "fs", "extra": {"path": str(tmp_path)}}
    runtime.connections["fs_nowhere"] = {"conn_type": "fs", "extra": {"path": str(tmp_path / "missing")}}
    hook = FSHook()
    assert hook.get_path() == str(tmp_path) and hook.get_conn() is None
    assert hook.test_connection() == (True, f"Path {tmp_path} is existing.")
    assert FSHook("fs_nowhere").test_connection()[0] is False
    with pytest.raises(AirflowNotFoundException, match="fs_other"):
        FSHook(fs_conn_id="fs_other")


@pytest.mark.parametrize(
    "module",
    [
        "airflow.contrib.hooks.fs_hook",
        "airflow.hooks.filesystem",
        "airflow.providers.standard.hooks.filesystem",
    ],
)
def test_fs_hook_under_its_1_10_2_x_and_3_paths(module):
    with shim_installed():
        namespace: dict = {}
        exec(f"from {module} import FSHook", namespace)
        exec("from airflow.contrib.hooks import FSHook as PackageLevel", namespace)
    assert namespace["FSHook"] is namespace["PackageLevel"] is FSHook
