"""``brisa db clean``: counts per table, dry run, confirmation, Airflow's timestamp option."""

import os
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner

from brisa.cli.db_clean import format_counts, parse_age, parse_timestamp, zone_of
from brisa.cli.db_cmd import register
from brisa.cli.wiring import load_settings, open_store
from brisa.states import RunState
from brisa.store import migrate

PLATFORM_VARIABLES = ("PORT", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
LONG_AGO = datetime.now(UTC) - timedelta(days=40)


@pytest.fixture
def home(monkeypatch, tmp_path):
    """A migrated SQLite home holding one run finished 40 days ago and one running."""
    for name in list(os.environ):
        if name.startswith(("BRISA", "AIRFLOW")) or name in PLATFORM_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRISA_HOME", str(tmp_path))
    store = open_store(load_settings())
    migrate.upgrade(store)
    with store.transaction() as tx:
        for run_id, state in (("manual__old", RunState.SUCCESS), ("manual__running", RunState.RUNNING)):
            tx.runs.create(
                dag_id="etl",
                run_id=run_id,
                run_type="manual",
                logical_date=None,
                data_interval=None,
                run_after=LONG_AGO,
                now=LONG_AGO,
                state=state,
            )
            tx.tis.create_many([{"dag_id": "etl", "run_id": run_id, "task_id": "a"}], now=LONG_AGO)
        tx.runs.update_fields("etl", "manual__old", end_date=LONG_AGO)
        tx.audit.record("trigger", now=LONG_AGO)
    store.dispose()
    return tmp_path


def run(*args, input=None):
    group = click.Group()
    register(group)
    return CliRunner().invoke(group, ["db", "clean", *args], input=input)


def run_ids():
    store = open_store(load_settings())
    with store.transaction(readonly=True) as tx:
        ids = {run.run_id for run in tx.runs.list("etl").items}
    store.dispose()
    return ids


def test_dry_run_prints_counts_per_table_and_deletes_nothing(home):
    result = run("--older-than", "30d", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Rows older than ")
    counts = dict(line.split() for line in lines[1:-1])
    assert counts == {
        "dag_run": "1",
        "task_instance": "1",
        "task_instance_history": "0",
        "task_log": "0",
        "xcom": "0",
        "task_state": "0",
        "log": "1",
        "job": "0",
        "asset_event": "0",
        "asset_dag_run_queue": "0",
        "trigger": "0",
    }
    assert lines[-1] == "Dry run: nothing was deleted."
    assert run_ids() == {"manual__old", "manual__running"}


def test_asks_before_deleting_and_keeps_everything_on_no(home):
    result = run("--older-than", "30d", input="n\n")
    assert result.exit_code == 1
    assert "Delete these 3 rows? [y/N]" in result.output
    assert run_ids() == {"manual__old", "manual__running"}


def test_yes_deletes_old_finished_runs_and_keeps_running_ones(home):
    result = run("--older-than", "30d", "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted:" in result.output
    assert run_ids() == {"manual__running"}
    again = run("--older-than", "30d", "--yes")
    assert again.output.endswith("Nothing to delete.\n")


def test_tables_takes_airflows_names_and_skips_unknown_ones_with_a_warning(home):
    result = run("--older-than", "30d", "--yes", "--tables", "log, dataset_event,nope")
    assert result.exit_code == 0, result.output
    assert "not tables db clean knows, skipped: nope" in result.output
    assert "Delete these" not in result.output and "log" in result.output
    assert run_ids() == {"manual__old", "manual__running"}  # dag_run was not chosen
    nothing = run("--older-than", "30d", "--tables", "nope")
    assert nothing.exit_code == 2 and "choose from" in nothing.output


def test_a_younger_cutoff_keeps_the_run(home):
    result = run("--older-than", "41d", "-y")
    assert result.output.endswith("Nothing to delete.\n")
    assert run_ids() == {"manual__old", "manual__running"}


def test_airflows_clean_before_timestamp(home):
    result = run("--clean-before-timestamp", (LONG_AGO + timedelta(days=1)).date().isoformat(), "-y")
    assert result.exit_code == 0, result.output
    assert run_ids() == {"manual__running"}


@pytest.mark.parametrize("args", [(), ("--older-than", "30d", "--clean-before-timestamp", "2026-01-01")])
def test_exactly_one_cutoff_is_required(home, args):
    result = run(*args)
    assert result.exit_code == 2
    assert "exactly one of --older-than and --clean-before-timestamp" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("30", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("90m", timedelta(minutes=90)),
        ("2W", timedelta(weeks=2)),
    ],
)
def test_ages(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["", "d30", "1.5d", "30 days", "-1d"])
def test_bad_ages_are_usage_errors(text):
    with pytest.raises(click.BadParameter, match="expected an age"):
        parse_age(text)


def test_timestamps_without_offset_use_the_default_time_zone():
    lisbon = zone_of("Europe/Lisbon")
    assert parse_timestamp("2026-07-01T12:00", lisbon).utcoffset() == timedelta(hours=1)
    assert parse_timestamp("2026-07-01T12:00+00:00", lisbon).utcoffset() == timedelta(0)
    assert zone_of("utc") is UTC
    assert parse_timestamp("2026-07-01", zone_of("system")).tzinfo is not None
    with pytest.raises(click.BadParameter, match="expected a date or timestamp"):
        parse_timestamp("yesterday", UTC)


def test_counts_are_aligned():
    assert format_counts({"dag_run": 1234, "log": 5}) == ["  dag_run      1,234", "  log              5"]
