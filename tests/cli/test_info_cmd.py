"""``brisa info`` and ``brisa cheat-sheet`` as a user runs them."""

import json

from brisa_cli import brisa, home_env


def test_info_shows_versions_and_masks_the_database_password(tmp_path):
    env = home_env(tmp_path, "postgresql://etl:hunter2@db.example:5432/brisa")
    result = brisa("info", "-o", "json", env=env)
    assert result.returncode == 0, result.stderr
    rows = {(r["section"], r["key"]): r["value"] for r in json.loads(result.stdout)}
    assert rows[("brisa", "executor")] == "LocalExecutor"
    assert rows[("brisa", "apache_airflow")] == "not installed"
    assert "hunter2" not in result.stdout and "db.example" in rows[("brisa", "sql_alchemy_conn")]
    assert rows[("brisa", "brisa_home")] == str(tmp_path)


def test_cheat_sheet_lists_every_command_including_the_new_ones(tmp_path):
    result = brisa("cheat-sheet", env=home_env(tmp_path))
    assert result.returncode == 0, result.stderr
    commands = {" ".join(line.split()[:3]) for line in result.stdout.splitlines()}
    for expected in ("brisa pools set", "brisa jobs check", "brisa tasks failed-deps", "brisa dags list"):
        assert expected in commands
    assert not any(line.startswith("brisa list_dags") for line in result.stdout.splitlines())
