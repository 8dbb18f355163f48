"""``brisa providers install``: provider wheels into this environment, without Airflow.

pip installs the named provider distributions with ``--no-deps`` (their metadata requires
``apache-airflow``); :func:`brisa.providers.plan.plan_dependencies` then says which other
providers to add the same way and which ordinary requirements pip resolves as usual.
The installed set is recorded, pinned, in a requirements file (``providers.txt``) that a
deploy installs again with ``brisa providers install --from-file`` (Heroku:
``bin/post_compile``, docs/providers.md).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from brisa.errors import InvalidInputError, ProviderError
from brisa.providers.names import IMPLICIT_REQUIREMENTS, parse_spec
from brisa.providers.plan import plan_dependencies
from brisa.providers.registry import provider_distributions

PIP_TIMEOUT = 1800
_MAX_ROUNDS = 20  # provider -> provider requirements are a few levels deep at most


@dataclass(frozen=True)
class Pip:
    """pip of ``python`` (this interpreter's environment by default).

    No ``--target``: pip replaces a target's whole top-level ``airflow/`` directory, which
    every provider wheel shares, so each install would remove the previous providers."""

    python: str = sys.executable
    constraints: tuple[str, ...] = ()
    """pip constraint files or URLs (``-c``): Airflow's constraints pin what old provider
    releases were tested with (paramiko 3 for ssh 4.0, ...)."""

    def install(self, requirements: Sequence[Requirement | str], *, no_deps: bool) -> None:
        if not requirements:
            return
        command = [self.python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        if no_deps:
            command.append("--no-deps")
        for constraint in self.constraints:
            command += ["-c", constraint]
        command += [str(r) for r in requirements]
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
            raise ProviderError(f"pip install {' '.join(map(str, requirements))} failed:\n" + "\n".join(tail))

    def search_path(self) -> list[str]:
        """Where this pip's installs are found: ``sys.path`` of its interpreter."""
        if self.python == sys.executable:
            return list(sys.path)
        code = "import json, sys; print(json.dumps(sys.path))"
        done = subprocess.run([self.python, "-c", code], capture_output=True, text=True, check=True)
        return list(json.loads(done.stdout))


@dataclass
class InstallResult:
    installed: dict[str, str] = field(default_factory=dict)
    """Provider distribution -> version, for every provider this run installed."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Requirement -> why it was not installed."""
    requirements: list[str] = field(default_factory=list)
    """The other requirements pip resolved."""
    extras: dict[str, set[str]] = field(default_factory=dict)
    """Provider distribution -> the extras asked for (``amazon[aiobotocore]``)."""

    def pins(self) -> dict[str, str]:
        """Provider distribution -> its pinned requirement, extras kept."""
        return {
            name: _pin(name, version, self.extras.get(name, set()))
            for name, version in self.installed.items()
        }


def _pin(name: str, version: str, extras: set[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]=={version}" if extras else f"{name}=={version}"


def install_providers(specs: Sequence[str], pip: Pip) -> InstallResult:
    """Install ``specs`` (provider names or requirements) and what they need."""
    if not specs:
        raise InvalidInputError("name at least one provider (or give --from-file)")
    requested = [parse_spec(spec) for spec in specs]
    pip.install(requested, no_deps=True)
    roots = [canonicalize_name(r.name) for r in requested]
    extras: dict[str, set[str]] = {canonicalize_name(r.name): set(r.extras) for r in requested if r.extras}
    pulled: list[str] = []
    for _ in range(_MAX_ROUNDS):
        importlib.invalidate_caches()
        dists = provider_distributions(pip.search_path())
        requires = {name: dist.requires or [] for name, dist in dists.items()}
        plan = plan_dependencies(roots, requires, dists, extras)
        if not plan.providers:
            break
        pip.install(plan.providers, no_deps=True)
        pulled += [canonicalize_name(p.name) for p in plan.providers]
    others = [*plan.others, *(Requirement(name) for name in IMPLICIT_REQUIREMENTS)]
    pip.install(others, no_deps=False)
    importlib.invalidate_caches()
    dists = provider_distributions(pip.search_path())
    installed = {name: dists[name].version for name in dict.fromkeys(roots + pulled) if name in dists}
    return InstallResult(installed, plan.skipped, [str(r) for r in others], extras)


def read_recorded(path: Path) -> list[str]:
    """The requirement lines of a providers file (comments and blank lines dropped)."""
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def record(path: Path, pins: dict[str, str]) -> None:
    """Write ``pins`` (distribution -> pinned requirement) in ``path``, keeping the other
    providers it lists."""
    kept = read_recorded(path) if path.exists() else []
    pins_now, pins = pins, {canonicalize_name(Requirement(line).name): line for line in kept}
    pins.update(pins_now)
    header = (
        "# Provider packages Brisa installs without Apache Airflow: `brisa providers install`\n"
        "# writes this file and `brisa providers install --from-file providers.txt` (a deploy's\n"
        "# bin/post_compile) installs it. See docs/providers.md.\n"
    )
    path.write_text(header + "".join(f"{pins[name]}\n" for name in sorted(pins)), encoding="utf-8")


__all__ = ["InstallResult", "Pip", "install_providers", "read_recorded", "record"]
