"""The ``brisa`` command.

Each command family lives in its own module with a ``register(cli)`` function; they are
imported only when the command line is parsed, and then only the module(s) of the
command typed (:data:`COMMANDS`): ``brisa standalone`` does not import the twenty other
families (about 90 modules, 4 MB and a tenth of a second). ``brisa --help``, an unknown
name and Airflow 1.10's names import them all.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from brisa.cli.legacy import BrisaGroup

_C = "brisa.cli."
COMMANDS: dict[str, tuple[str, ...]] = {
    "config": (_C + "config_cmd",),
    "db": (_C + "db_cmd",),
    "initdb": (_C + "db_cmd",),
    "scheduler": (_C + "scheduler_cmd",),
    "triggerer": (_C + "triggerer_cmd",),
    "dags": (_C + "dags_cmd", _C + "dags_admin_cmd"),
    "tasks": (_C + "tasks_cmd",),
    "users": (_C + "users_cmd",),
    "api-server": (_C + "api_server_cmd",),
    "webserver": (_C + "api_server_cmd",),
    "standalone": (_C + "standalone_cmd",),
    "celery": (_C + "celery_cmd",),
    "variables": (_C + "variables_cmd",),
    "connections": (_C + "connections_cmd",),
    "fernet-key": (_C + "fernet_cmd",),
    "rotate-fernet-key": (_C + "fernet_cmd",),
    "plugins": (_C + "plugins_cmd",),
    "providers": (_C + "providers_cmd",),
    "pools": (_C + "pools_cmd",),
    "jobs": (_C + "jobs_cmd",),
    "info": (_C + "info_cmd",),
    "cheat-sheet": (_C + "info_cmd",),
    "backfill": (_C + "backfill_cmd",),
    "assets": (_C + "assets_cmd",),
}
"""Each top-level command and the modules that register it (and its subcommands)."""

COMMAND_MODULES = tuple(dict.fromkeys(module for modules in COMMANDS.values() for module in modules))
NEEDS_EVERY_COMMAND = frozenset({"cheat-sheet"})
"""Commands that read the whole command tree (the cheat sheet lists every command)."""


@click.group(
    cls=BrisaGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(package_name="brisa", prog_name="brisa")
def cli() -> None:
    """Brisa: a light workflow orchestrator that runs Apache Airflow DAG files unchanged."""


def _register_all() -> None:
    _register(COMMAND_MODULES)


def _register_for(args: Sequence[str]) -> None:
    """Register what ``args`` (the command line less the program) need: the typed
    command's modules, or every module when the first word is no command of ours."""
    first = args[0] if args else None
    if first in NEEDS_EVERY_COMMAND:
        _register(COMMAND_MODULES)
        return
    _register(COMMANDS.get(first or "", COMMAND_MODULES))


def _register(modules: Sequence[str], group: click.Group | None = None) -> None:
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(cli if group is None else group)


def main() -> None:
    from brisa.cli.errors import run_cli
    from brisa.cli.outside import run_dag_test
    from brisa.sdk.dag_test import set_dag_test_runner

    set_dag_test_runner(run_dag_test)  # DAG code the CLI runs may call dag.test()
    _register_for(sys.argv[1:])
    run_cli(cli)
