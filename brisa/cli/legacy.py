"""Airflow 1.10's command names: refused with the name of their replacement (exit 2).

Airflow 2's CLI does the same (``airflow list_dags`` -> "has been removed, please use
``airflow dags list``"). Besides the top-level names, 1.10's flag style inside a group
(``variables -s KEY VALUE``, ``connections --add ...``, ``pool -s NAME SLOTS DESC``,
``users -c ...``) is recognised. A top-level name Brisa itself registers (``initdb``) is
never refused; ``backfill`` is Airflow 3's group, so only 1.10's ``backfill DAG_ID -s ...``
form (anything but a subcommand after it) is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import click

from brisa.errors import InvalidInputError

LEGACY_COMMANDS: Mapping[str, str] = {
    "list_dags": "dags list",
    "list_dag_runs": "dags list-runs",
    "trigger_dag": "dags trigger",
    "delete_dag": "dags delete",
    "show_dag": "dags show",
    "dag_state": "dags state",
    "next_execution": "dags next-execution",
    "pause": "dags pause",
    "unpause": "dags unpause",
    "backfill": "backfill create",
    "list_tasks": "tasks list",
    "task_state": "tasks state",
    "task_failed_deps": "tasks failed-deps",
    "test": "tasks test",
    "run": "tasks run",
    "clear": "tasks clear",
    "render": "tasks render",
    "resetdb": "db reset",
    "upgradedb": "db migrate",
    "checkdb": "db check",
    "worker": "celery worker",
    "pool": "pools",
    "list_users": "users list",
    "create_user": "users create",
    "delete_user": "users delete",
    "rotate_fernet_key": "rotate-fernet-key",
}
"""Airflow 1.10's top-level commands and the Brisa (Airflow 2/3) command replacing each."""

LEGACY_FLAGS: Mapping[str, Mapping[str, str]] = {
    "variables": {"-s": "set", "--set": "set", "-g": "get", "--get": "get", "-x": "delete",
                  "--delete": "delete", "-i": "import", "--import": "import", "-e": "export",
                  "--export": "export"},
    "connections": {"-l": "list", "--list": "list", "-a": "add", "--add": "add", "-d": "delete",
                    "--delete": "delete"},
    "pool": {"-s": "set", "--set": "set", "-g": "get", "--get": "get", "-x": "delete",
             "--delete": "delete", "-l": "list", "--list": "list", "-i": "import", "--import": "import",
             "-e": "export", "--export": "export"},
    "users": {"-c": "create", "--create": "create", "-d": "delete", "--delete": "delete", "-l": "list",
              "--list": "list"},
}  # fmt: skip
"""1.10's flag-style subcommands: ``GROUP FLAG`` -> the subcommand of the Brisa group."""

_GROUP_OF = {"pool": "pools"}


def replacement(args: Sequence[str], commands: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(what was typed, what to type now)`` when ``args`` use a 1.10 name, else None."""
    if not args:
        return None
    first = args[0]
    flag = args[1] if len(args) > 1 else None
    new_sub = LEGACY_FLAGS.get(first, {}).get(flag or "")
    if new_sub:
        return f"{first} {flag}", f"{_GROUP_OF.get(first, first)} {new_sub}"
    if first in LEGACY_COMMANDS and (first not in commands or _is_legacy_use(commands[first], flag)):
        return first, LEGACY_COMMANDS[first]
    return None


def _is_legacy_use(command: Any, second: str | None) -> bool:
    """A registered group (``backfill``) followed by neither a subcommand nor help: 1.10's form."""
    if not isinstance(command, click.Group) or second is None:
        return False
    return second not in command.commands and second not in ("-h", "--help")


def reject_legacy(args: Sequence[str], commands: Mapping[str, Any]) -> None:
    found = replacement(args, commands)
    if found is not None:
        old, new = found
        raise InvalidInputError(
            f"`brisa {old}` is Airflow 1.10's command, removed in Airflow 2: use `brisa {new}`"
        )


class BrisaGroup(click.Group):
    """The top-level group: refuses 1.10's command names, naming their replacement."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        reject_legacy(args, self.commands)
        return super().parse_args(ctx, args)


__all__ = ["LEGACY_COMMANDS", "LEGACY_FLAGS", "BrisaGroup", "reject_legacy", "replacement"]
