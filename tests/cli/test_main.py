"""The top-level command imports only the modules of the command typed."""

from __future__ import annotations

import subprocess
import sys

import click

from brisa.cli import main as cli_main


def _names(group: click.Group) -> dict[str, list[str]]:
    return {
        name: sorted(getattr(command, "commands", {})) for name, command in sorted(group.commands.items())
    }


def test_every_command_is_in_the_table_and_its_modules_register_it_whole() -> None:
    everything = click.Group()
    cli_main._register(cli_main.COMMAND_MODULES, everything)
    full = _names(everything)
    assert set(full) == set(cli_main.COMMANDS)
    for name, modules in cli_main.COMMANDS.items():
        alone = click.Group()
        cli_main._register(modules, alone)
        assert _names(alone)[name] == full[name], name


def _commands_after(args: list[str]) -> tuple[list[str], bool]:
    code = (
        "import sys; from brisa.cli import main as m; m._register_for(sys.argv[1:]); "
        "print(','.join(sorted(m.cli.commands))); print('brisa.cli.dags_cmd' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0].split(","), out[1] == "True"


def test_a_command_imports_its_own_modules_only() -> None:
    assert _commands_after(["standalone", "--port", "1"]) == (["standalone"], False)


def test_help_an_unknown_word_and_airflow_1_10_names_register_everything() -> None:
    for args in ([], ["--help"], ["list_dags"], ["nonsense"]):
        names, dags_imported = _commands_after(args)
        assert set(names) == set(cli_main.COMMANDS) and dags_imported, args
