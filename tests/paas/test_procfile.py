"""The repository's Procfile under honcho, as Heroku runs it, on the local PostgreSQL.

1. ``release`` migrates the database given as ``DATABASE_URL=postgres://...``; ``web``
   starts on a random ``PORT`` with the seed's tutorial as its only DAG; we sign in with
   the password printed once, switch the DAG on and trigger it over the REST API, send
   SIGTERM while its 5 s ``sleep`` runs (a restart or deploy), and start ``web`` again:
   the run must finish with nothing lost and nothing run twice.
2. Two ``web`` dynos at once on one database (Heroku's preboot, or a restart's overlap)
   while a copy of the tutorial catches up a month: every run and every try once.
"""

from __future__ import annotations

import collections
import itertools
import re
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.paas.heroku import SEED_DAG, TEST_CONNECTIONS, App, Client, fresh_database, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TASKS = ("print_date", "sleep", "templated")
RESTART_LIMIT_SECONDS = 25  # Heroku sends SIGKILL at 30
POOL_SIZE = 5  # [database] sql_alchemy_pool_size's default
FIRST_DAY, LAST_DAY = date(2015, 6, 1), date(2015, 7, 1)


@pytest.fixture
def database():
    with fresh_database() as url:
        yield url


@pytest.fixture
def app(tmp_path, database):
    app = App(tmp_path / "app", database)
    yield app
    app.close()


def _released(app: App) -> None:
    done = app.run_release()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Database migrated to revision" in done.stdout


def _details(app: App) -> str:
    runs = app.query("SELECT run_id, state FROM dag_run ORDER BY id")
    tis = app.query("SELECT run_id, task_id, state, try_number FROM task_instance ORDER BY id")
    logs = "\n".join(f"--- {dyno.log_path.name}\n{dyno.output()[-4000:]}" for dyno in app.dynos)
    return f"runs: {runs}\ntask instances: {tis}\n{logs}"


def _ti_states(app: App, run_id: str) -> dict[str, tuple[str | None, int]]:
    rows = app.query(
        "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = :dag AND run_id = :run",
        dag="tutorial",
        run=run_id,
    )
    return {row.task_id: (row.state, row.try_number) for row in rows}


# -- 1. a restart in the middle of a run ------------------------------------------------------------


def test_sigterm_during_the_sleep_task_loses_nothing(app):
    _released(app)
    web = app.start("web")
    app.wait_healthy(web)
    api = Client(web.url, "admin", web.admin_password())
    api.wait_for_dag("tutorial")
    api.call("PATCH", "/api/v2/dags/tutorial", {"is_paused": False})
    run_id = api.call("POST", "/api/v2/dags/tutorial/dagRuns", {"logical_date": None})["dag_run_id"]
    wait_for(
        lambda: _ti_states(app, run_id).get("sleep", (None, 0))[0] == "running",
        what="the sleep task to run",
        timeout=60,
        details=lambda: _details(app),
    )
    terminated_at = time.time()
    took = web.stop()
    assert took < RESTART_LIMIT_SECONDS, f"the dyno took {took:.1f}s to stop\n{web.output()}"
    assert "exiting anyway" not in web.output()
    assert re.search(r"logger=brisa\.engine msg=stopped", web.output())

    again = app.start("web")
    app.wait_healthy(again)
    wait_for(
        lambda: app.query("SELECT state FROM dag_run WHERE run_id = :run", run=run_id)[0].state == "success",
        what="the run to finish after the restart",
        timeout=60,
        details=lambda: _details(app),
    )
    assert _ti_states(app, run_id) == dict.fromkeys(TASKS, ("success", 1))
    [sleep] = app.query(
        "SELECT end_date FROM task_instance WHERE run_id = :run AND task_id = 'sleep'", run=run_id
    )
    assert sleep.end_date.timestamp() > terminated_at  # it was running when SIGTERM came, and finished
    api = Client(again.url, "admin", web.admin_password())  # the first start's password still works
    for task_id in TASKS:
        tries = api.call("GET", f"/api/v2/dags/tutorial/dagRuns/{run_id}/taskInstances/{task_id}/tries")
        assert [t["try_number"] for t in tries["task_instances"]] == [1]
        log = api.call(
            "GET", f"/api/v2/dags/tutorial/dagRuns/{run_id}/taskInstances/{task_id}/logs/1?full_content=true"
        )
        events = "\n".join(line["event"] for line in log["content"])
        assert "Marking task as SUCCESS" in events, f"{task_id}:\n{events}"
    templated = api.call(
        "GET", f"/api/v2/dags/tutorial/dagRuns/{run_id}/taskInstances/templated/logs/1?full_content=true"
    )
    assert sum("Parameter I passed in" in line["event"] for line in templated["content"]) == 5
    again.stop()
    _assert_one_line_per_event(web.output() + again.output())


def _assert_one_line_per_event(output: str) -> None:
    """Heroku keeps 1,500 lines: task output goes to the database, the dyno logs events only."""
    assert "Parameter I passed in" not in output
    lines = [line for line in output.splitlines() if "| " in line]
    assert len(lines) < 60, "\n".join(lines)


# -- 2. two dynos at once -------------------------------------------------------------------------


def catchup_tutorial(markers: Path) -> str:
    """The seed's tutorial catching up June 2015, a 1 s sleep; each command leaves a marker line."""
    source = SEED_DAG.read_text()
    marker = f'; echo "{{{{ task.task_id }}}} {{{{ ds }}}} {{{{ ti.try_number }}}}" >> {markers}'
    changes = {
        "dag = DAG('tutorial', default_args=default_args, schedule_interval=timedelta(days=1))": (
            "dag = DAG('tutorial', default_args=default_args, schedule_interval=timedelta(days=1),\n"
            "          catchup=True, end_date=datetime(2015, 7, 1))"
        ),
        "bash_command='date',": f"bash_command='date{marker}',",
        "bash_command='sleep 5',": f"bash_command='sleep 1{marker}',",
        "    {% endfor %}\n": f"    {{% endfor %}}\n    {marker[2:]}\n",
    }
    for old, new in changes.items():
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def test_two_dynos_at_once_run_every_run_and_every_try_once(tmp_path, database):
    markers = tmp_path / "markers.txt"
    app = App(tmp_path / "app", database, dags={"tutorial_dag.py": catchup_tutorial(markers)})
    try:
        _two_dynos_catch_up(app, markers)
    finally:
        app.close()


def _two_dynos_catch_up(app: App, markers: Path) -> None:
    _released(app)
    unpaused = {"AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False"}
    dynos = [app.start("web", **unpaused), app.start("web", **unpaused)]
    sampler = _ConnectionSampler(app)
    sampler.start()
    try:
        days = (LAST_DAY - FIRST_DAY).days + 1
        wait_for(
            lambda: app.query("SELECT count(*) AS n FROM dag_run WHERE state = 'success'")[0].n == days,
            what=f"{days} successful runs",
            timeout=240,
            details=lambda: _details(app),
        )
    finally:
        sampler.stop()
    for dyno in dynos:
        assert dyno.alive, dyno.output()
        assert dyno.stop() < RESTART_LIMIT_SECONDS
    runs = app.query("SELECT run_id, logical_date, state FROM dag_run ORDER BY logical_date")
    assert [run.logical_date.date() for run in runs] == [FIRST_DAY + timedelta(days=i) for i in range(days)]
    tries = app.query(
        "SELECT run_id, task_id, try_number, state, start_date, end_date FROM task_instance_history"
    )
    per_ti = collections.Counter((t.run_id, t.task_id) for t in tries)
    assert set(per_ti) == {(run.run_id, task) for run in runs for task in TASKS}
    assert set(per_ti.values()) == {1}, [ti for ti, n in per_ti.items() if n > 1]
    assert {(t.try_number, t.state) for t in tries} == {(1, "success")}
    _assert_tries_never_overlap(tries)
    executed = collections.Counter(markers.read_text().splitlines())
    expected = {f"{task} {run.logical_date.date()} 1" for run in runs for task in TASKS}
    assert set(executed) == expected
    assert set(executed.values()) == {1}, [line for line, n in executed.items() if n > 1]
    assert sampler.peak <= 2 * POOL_SIZE, f"{sampler.peak} connections for two dynos"
    jobs = app.query("SELECT state FROM job WHERE job_type = 'standalone'")
    assert [job.state for job in jobs] == ["success", "success"], "a dyno was declared dead"


def _assert_tries_never_overlap(tries) -> None:
    by_ti = collections.defaultdict(list)
    for t in tries:
        by_ti[(t.run_id, t.task_id)].append(t)
    for ti, rows in by_ti.items():
        ordered = sorted(rows, key=lambda t: t.start_date)
        for before, after in itertools.pairwise(ordered):
            assert after.start_date >= before.end_date, f"tries of {ti} overlap: {before} {after}"


class _ConnectionSampler(threading.Thread):
    """The most connections the dynos held at once (pg_stat_activity, sampled every 0.2 s)."""

    def __init__(self, app: App) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            [row] = self.app.query(
                "SELECT count(*) AS n FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name <> :ours",
                ours=TEST_CONNECTIONS,
            )
            self.peak = max(self.peak, row.n)

    def stop(self) -> None:
        self._done.set()
        self.join(5)
