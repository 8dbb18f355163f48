"""Airflow 1.10's command names fail naming their replacement, as Airflow 2's CLI does."""

import os
import subprocess
import sys

import pytest

from brisa.cli import main as cli_main
from brisa.cli.legacy import LEGACY_COMMANDS, LEGACY_FLAGS, replacement

NOT_IN_THIS_BRANCH = {"dags next-execution"}
"""Replacements another branch adds."""


def brisa(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRISA", "AIRFLOW"))}
    env["BRISA_HOME"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "brisa.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("typed", "advice"),
    [
        (["list_dags"], "use `brisa dags list`"),
        (["trigger_dag", "-r", "x", "etl"], "use `brisa dags trigger`"),
        (["test", "etl", "extract", "2024-01-01"], "use `brisa tasks test`"),
        (["variables", "-s", "key", "value"], "use `brisa variables set`"),
        (["connections", "--add", "--conn_id=db", "--conn_uri=postgres://x"], "use `brisa connections add`"),
    ],
)
def test_a_legacy_command_exits_2_naming_its_replacement(typed, advice, tmp_path):
    result = brisa(*typed, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Airflow 1.10's command" in result.stderr and advice in result.stderr
    assert result.stdout == ""


def test_initdb_is_still_an_alias_and_not_refused(tmp_path):
    assert brisa("initdb", "--help", tmp_path=tmp_path).returncode == 0


def _resolves(command):
    group = cli_main.cli
    for word in command.split():
        if not isinstance(group, cli_main.click.Group) or word not in group.commands:
            return False
        group = group.commands[word]
    return True


def test_every_replacement_is_a_brisa_command():
    cli_main._register_all()
    commands = cli_main.cli.commands
    advised = {new for new in LEGACY_COMMANDS.values()}
    advised |= {
        f"{'pools' if g == 'pool' else g} {sub}"
        for g, flags in LEGACY_FLAGS.items()
        for sub in flags.values()
    }
    assert {c for c in advised if not _resolves(c)} <= NOT_IN_THIS_BRANCH
    assert replacement(["initdb"], commands) is None
    assert replacement(["dags", "list"], commands) is None
    assert replacement(["pool", "-x", "etl"], commands) == ("pool -x", "pools delete")
