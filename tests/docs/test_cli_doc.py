"""docs/cli.md names every command ``brisa`` has (with its Airflow counterpart)."""

import re
from pathlib import Path

import click

from brisa.cli import main as cli_main

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _paths(group, prefix=()):
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            yield from _paths(command, (*prefix, name))
        else:
            yield (*prefix, name)


def _documented():
    """(group, words) of each first cell of the command table: `dags list/get`..."""
    cells = [line.split("|")[1] for line in DOC.read_text().splitlines() if line.startswith("| `")]
    found = set()
    for cell in cells:
        for command in re.findall(r"`([^`]+)`", cell):
            words = [w for w in re.split(r"[^a-z0-9_-]+", command.split(" -")[0]) if w and w.islower()]
            if words:
                found |= {(words[0], w) for w in words[1:]} | {(words[0],)}
    return found


def test_every_command_is_in_docs_cli_md():
    cli_main._register_all()
    documented = _documented()
    missing = [" ".join(path) for path in _paths(cli_main.cli) if tuple(path) not in documented]
    assert not missing, f"add these commands to docs/cli.md: {missing}"
