"""``brisa assets list/details/materialize`` as a user runs them (a subprocess, SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import os

import pytest

from brisa.assets.events import register_asset_change
from brisa.sdk.assets import Asset
from brisa.store import migrate
from brisa.store.sql import Store
from brisa.testing import FakeClock, make_dag
from tests.cli.brisa_cli import brisa, home_env, postgres_url

PG_ADMIN_URL = os.environ.get("BRISA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
A = Asset("orders", uri="s3://lake/orders")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, tmp_path):
    url = None
    if request.param == "postgres":
        url = postgres_url(PG_ADMIN_URL, request.getfixturevalue("pg_scratch_database"))
    environment = home_env(tmp_path, url)
    store = Store(environment["BRISA__DATABASE__SQL_ALCHEMY_CONN"])
    migrate.upgrade(store)
    clock = FakeClock()
    producer = make_dag("ingest", {"load": []}, task_options={"load": {"outlets": (A.as_condition(),)}})
    with store.transaction() as tx:
        tx.dags.upsert(producer, paused_when_new=False, now=clock())
        asset_id = tx.assets.find(*A.key).id
        register_asset_change(tx, asset_id, now=clock(), extra={"rows": 1})
        tx.assets.ensure_alias("late")
        tx.assets.ensure("lonely", "lonely", now=clock())
    store.dispose()
    return environment


def test_list_and_details(env):
    listed = brisa("assets", "list", "-o", "json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {"name": "lonely", "uri": "lonely", "group": "asset", "extra": {}},
        {"name": "orders", "uri": "s3://lake/orders", "group": "asset", "extra": {}},
    ]
    aliases = brisa("assets", "list", "--alias", "-o", "json", env=env)
    assert [a["name"] for a in json.loads(aliases.stdout)] == ["late"]
    details = brisa("assets", "details", "--name", "orders", "-o", "json", env=env)
    assert details.returncode == 0, details.stderr
    (data,) = json.loads(details.stdout)
    assert [(t["dag_id"], t["task_id"]) for t in data["producing_tasks"]] == [("ingest", "load")]
    assert data["last_asset_event"]["id"] is not None
    table = brisa("assets", "details", "--uri", "s3://lake/orders", env=env)
    assert "property_name" in table.stdout and "producing_tasks" in table.stdout
    missing = brisa("assets", "details", "--name", "nope", env=env)
    assert missing.returncode != 0 and "not found" in missing.stderr
    assert brisa("assets", "details", env=env).returncode != 0


def test_materialize_triggers_the_producing_dag(env):
    done = brisa("assets", "materialize", "--name", "orders", "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)
    # Airflow 3.1+ names the run type asset_materialization (not manual), its run id too
    assert (run["dag_id"], run["run_type"], run["triggered_by"]) == ("ingest", "asset_materialization", "cli")
    assert run["dag_run_id"].startswith("asset_materialization__")
    nobody = brisa("assets", "materialize", "--name", "lonely", env=env)
    assert nobody.returncode != 0 and "No DAG materializes" in nobody.stderr
