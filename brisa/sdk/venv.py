"""Python environments for ``PythonVirtualenvOperator``: built with the standard tools.

``uv venv`` + ``uv pip install`` when ``uv`` is on ``PATH`` (Airflow 2.10+'s ``[standard]
venv_install_method = auto``), else ``python -m venv`` + the environment's ``pip``. A
cached environment lives in ``<cache root>/venv-<hash>``, the hash being Airflow's (of the
sorted requirements, pip options, index URLs, Python version, ``system_site_packages``
and the ``python_virtualenv_operator_cache_key`` Variable); a lock file next to it makes
concurrent tries build it once, and a marker written last tells a finished build from a
half-built one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from brisa.sdk.exceptions import AirflowException

INSTALL_METHODS = ("auto", "uv", "pip")
_MARKER = "install_complete_marker.json"


@dataclass(frozen=True)
class VenvSpec:
    """What an environment is made of; equal specs share a cached environment."""

    requirements: tuple[str, ...]
    python_version: str | None = None
    system_site_packages: bool = True
    pip_install_options: tuple[str, ...] = ()
    index_urls: tuple[str, ...] | None = None
    cache_key: str = ""

    def hash_text(self) -> str:
        """Airflow's hash input, as JSON text (kept in the marker file)."""
        return json.dumps(
            {
                "requirements_list": sorted(self.requirements),
                "pip_install_options": list(self.pip_install_options) or None,
                "index_urls": list(self.index_urls) if self.index_urls is not None else None,
                "cache_key": self.cache_key,
                "python_version": self.python_version,
                "system_site_packages": self.system_site_packages,
            },
            sort_keys=True,
        )

    def digest(self) -> str:
        return hashlib.md5(self.hash_text().encode(), usedforsecurity=False).hexdigest()[:8]


Runner = Callable[[Sequence[str], Mapping[str, str]], None]


def run_streaming(
    cmd: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    started: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> int:
    """Run ``cmd`` in a process group of its own, copying its output to ``sys.stdout``
    line by line; the exit code. Interrupted (a timeout, a kill), the group is ended."""
    process = subprocess.Popen(
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(env) if env is not None else None,
        process_group=0,
    )
    if started is not None:
        started(process)
    try:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            sys.stdout.write(raw.decode(errors="backslashreplace").rstrip() + "\n")
            sys.stdout.flush()
        return process.wait()
    except BaseException:
        end_group(process)
        raise


def end_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        process.wait()


def check_call(cmd: Sequence[str], env: Mapping[str, str]) -> None:
    sys.stdout.write(f"Executing cmd: {' '.join(cmd)}\n")
    code = run_streaming(cmd, env)
    if code != 0:
        raise AirflowException(f"Command {' '.join(cmd)} failed with exit code {code}")


def use_uv(method: str) -> bool:
    method = (method or "auto").lower()
    if method not in INSTALL_METHODS:
        raise AirflowException(
            f"[standard] venv_install_method must be one of {INSTALL_METHODS}, not {method!r}"
        )
    return method == "uv" or (method == "auto" and shutil.which("uv") is not None)


def host_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def python_for(python_version: str | None) -> str:
    """The interpreter to build from: Brisa's own unless another version is asked for."""
    if not python_version or python_version == host_version():
        return sys.executable
    found = shutil.which(f"python{python_version}")
    if found is None:
        raise AirflowException(
            f"Python {python_version} was asked for but python{python_version} is not on PATH"
        )
    return found


def create(venv_dir: Path, spec: VenvSpec, *, method: str, run: Runner = check_call) -> Path:
    """Build the environment in ``venv_dir`` (existing and empty, or absent); its python."""
    uv = use_uv(method)
    env = dict(os.environ)
    if spec.index_urls is not None:
        _write_pip_conf(venv_dir, spec.index_urls)
        env.update(_uv_index_vars(spec.index_urls))
    run(_venv_cmd(venv_dir, spec, uv), env)
    python = venv_dir / "bin" / "python"
    if spec.system_site_packages:
        _see_host_packages(venv_dir, spec)
    if spec.requirements:
        requirements = venv_dir / "requirements.txt"
        requirements.write_text("\n".join(sorted(spec.requirements)) + "\n")
        options = list(spec.pip_install_options)
        if uv and spec.index_urls is not None and not spec.index_urls:
            options.append("--no-index")
        run(_install_cmd(python, requirements, options, uv), env)
    return python


def cached(cache_root: Path, spec: VenvSpec, *, method: str, run: Runner = check_call) -> Path:
    """The cached environment for ``spec`` under ``cache_root``, built once (under a lock)."""
    venv_dir = cache_root / f"venv-{spec.digest()}"
    cache_root.mkdir(parents=True, exist_ok=True)
    with open(f"{venv_dir}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        marker = venv_dir / _MARKER
        if marker.is_file() and marker.read_text(encoding="utf8") == spec.hash_text():
            sys.stdout.write(f"Reusing cached Python virtual environment in {venv_dir}\n")
            return venv_dir / "bin" / "python"
        shutil.rmtree(venv_dir, ignore_errors=True)
        venv_dir.mkdir(parents=True)
        try:
            python = create(venv_dir, spec, method=method, run=run)
        except Exception as err:
            shutil.rmtree(venv_dir, ignore_errors=True)
            raise AirflowException(f"Unable to create new virtual environment in {venv_dir}") from err
        except BaseException:  # a timeout or a kill: no half-built environment left behind
            shutil.rmtree(venv_dir, ignore_errors=True)
            raise
        marker.write_text(spec.hash_text(), encoding="utf8")
        sys.stdout.write(f"New Python virtual environment created in {venv_dir}\n")
        return python


def _venv_cmd(venv_dir: Path, spec: VenvSpec, uv: bool) -> list[str]:
    if uv:
        # uv finds (or fetches) another version itself; Brisa's own interpreter otherwise.
        own = spec.python_version in (None, "", host_version())
        python = sys.executable if own else str(spec.python_version)
        cmd = ["uv", "venv", "--allow-existing", "--seed", "--python", python]
    else:
        cmd = [python_for(spec.python_version), "-m", "venv"]
    if spec.system_site_packages:
        cmd.append("--system-site-packages")
    return [*cmd, str(venv_dir)]


def _install_cmd(python: Path, requirements: Path, options: Sequence[str], uv: bool) -> list[str]:
    if uv:
        return ["uv", "pip", "install", "--python", str(python), *options, "-r", str(requirements)]
    return [str(python), "-m", "pip", "install", *options, "-r", str(requirements)]


def _write_pip_conf(venv_dir: Path, index_urls: Sequence[str]) -> None:
    """pip reads ``$VIRTUAL_ENV/pip.conf``; no URLs means no index at all (Airflow's rule)."""
    if index_urls:
        text = f"index-url = {index_urls[0]}"
        if len(index_urls) > 1:
            text += f"\nextra-index-url = {' '.join(index_urls[1:])}"
    else:
        text = "no-index = true"
    venv_dir.mkdir(parents=True, exist_ok=True)
    (venv_dir / "pip.conf").write_text(f"[global]\n{text}\n")


def _uv_index_vars(index_urls: Sequence[str]) -> dict[str, str]:
    if not index_urls:
        return {}
    found = {"UV_DEFAULT_INDEX": index_urls[0]}
    if len(index_urls) > 1:
        found["UV_INDEX"] = " ".join(index_urls[1:])
    return found


def _see_host_packages(venv_dir: Path, spec: VenvSpec) -> None:
    """Brisa running in a virtualenv itself: "system site packages" of the new environment
    are those of the base interpreter, without Brisa; a ``.pth`` file adds Brisa's."""
    if sys.prefix == sys.base_prefix or (spec.python_version or host_version()) != host_version():
        return
    site = venv_dir / "lib" / f"python{host_version()}" / "site-packages"
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    site.mkdir(parents=True, exist_ok=True)
    (site / "_brisa_host.pth").write_text("\n".join(paths) + "\n")


__all__ = [
    "INSTALL_METHODS",
    "VenvSpec",
    "cached",
    "check_call",
    "create",
    "python_for",
    "run_streaming",
    "use_uv",
]
