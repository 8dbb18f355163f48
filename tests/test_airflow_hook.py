"""The ``.pth`` hook with provider wheels installed (brisa/airflow_hook.py).

Provider wheels make ``airflow`` a namespace package that Python's path finder would return
before a finder appended last; each case runs in a fresh interpreter, as the hook does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.providers.fake import write_provider

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
from brisa.airflow_hook import install
install()
import airflow
print(getattr(airflow, "__brisa_shim__", False))
from airflow.providers.acme.hooks.acme import AcmeHook
print(AcmeHook.__mro__[1].__module__)
"""


def _run(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)]), **env}
    return subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=environ, cwd=site
    )


def test_brisa_answers_airflow_when_only_provider_wheels_are_installed(tmp_path):
    write_provider(tmp_path, "acme")
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "brisa.sdk.connection"]


def test_the_hook_stays_off_when_disabled(tmp_path):
    write_provider(tmp_path, "acme")
    done = _run(tmp_path, BRISA_AIRFLOW_HOOK="0")
    assert done.returncode != 0
    assert done.stdout.split() == ["False"]  # the bare namespace package: Brisa stayed out


def test_a_real_airflow_is_never_shadowed(tmp_path):
    write_provider(tmp_path, "acme")
    (tmp_path / "airflow" / "__init__.py").write_text("REAL = True\n")
    done = _run(tmp_path)
    assert done.stdout.split()[:1] == ["False"]
    assert "No module named 'airflow.providers.common'" in done.stderr
