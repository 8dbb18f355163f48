"""Shared by the tests of ``brisa variables``, ``brisa connections`` and ``brisa rotate-fernet-key``.

Each test module's ``secrets_home`` fixture calls :func:`prepare_home`: a home with a
SQLite file and a fernet key, and nothing from the machine's environment.
"""

import os
import sys

import click
import sqlalchemy as sa
from click.testing import CliRunner

from brisa.cli import main as cli_main
from brisa.secrets.fernet import generate_key

PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")


def prepare_home(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("BRISA", "AIRFLOW")) or name in PLATFORM_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))
    monkeypatch.setenv("BRISA__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{tmp_path}/brisa.db")
    monkeypatch.setenv("BRISA__CORE__FERNET_KEY", generate_key())
    return tmp_path


def invoke(register, *args: str, input: str | None = None):
    """Run one command group through click (Brisa errors stay in ``result.exception``)."""
    group = click.Group()
    register(group)
    return CliRunner().invoke(group, list(args), input=input)


def exit_code_of(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``brisa ARGS`` as the console script does: the exit code, stdout and stderr."""
    monkeypatch.setattr(sys, "argv", ["brisa", *args])
    try:
        cli_main.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def raw_tables(home) -> str:
    """Every row of the variable and connection tables, as text."""
    engine = sa.create_engine(f"sqlite:///{home}/brisa.db")
    try:
        with engine.connect() as conn:
            rows = [conn.execute(sa.text(f"SELECT * FROM {t}")).all() for t in ("variable", "connection")]
    finally:
        engine.dispose()
    return repr(rows)
