"""Run a DAG file that imports real providers: ``brisa dags test``, and the scheduler."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from tests.providers.envs import ProviderEnv

RUN_DEADLINE = 300  # seconds a scheduled run may take before the test gives up (not asserted)
FINISHED = {"success", "failed"}
FERNET_KEY = Fernet.generate_key().decode()


@dataclass
class Project:
    """A Brisa home and DAG folder, run with a provider virtualenv's interpreter."""

    penv: ProviderEnv
    home: Path
    extra: dict[str, str]
    scheduler_output: str = ""

    @classmethod
    def create(cls, penv: ProviderEnv, tmp_path: Path, dag_files: dict[str, str], **extra: str) -> Project:
        dags = tmp_path / "dags"
        dags.mkdir(parents=True)
        for name, text in dag_files.items():
            (dags / name).write_text(text)
        return cls(penv, tmp_path, extra)

    def environ(self) -> dict[str, str]:
        return self.penv.environ(
            BRISA_HOME=str(self.home),
            BRISA__CORE__DAGS_FOLDER=str(self.home / "dags"),
            BRISA__CORE__LOAD_EXAMPLES="False",
            BRISA__CORE__FERNET_KEY=FERNET_KEY,
            **self.extra,
        )

    def brisa(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return self.penv.brisa(*args, env=self.environ(), timeout=timeout)

    def dags_test(self, dag_id: str) -> subprocess.CompletedProcess[str]:
        return self.brisa("dags", "test", dag_id, "2024-01-01")

    def scheduled_run(self, dag_id: str) -> dict[str, str]:
        """Trigger ``dag_id`` under a real scheduler; the task states once the run ended."""
        assert self.brisa("db", "migrate").returncode == 0
        scheduler = subprocess.Popen(
            [self.penv.python, "-m", "brisa.cli", "scheduler"],
            env=self.environ(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            run_id = self._trigger(dag_id, scheduler)
            self._wait_for_end(dag_id, run_id, scheduler)
            listed = self.brisa("tasks", "states-for-dag-run", dag_id, run_id, "-o", "json")
            return {row["task_id"]: row["state"] for row in json.loads(listed.stdout)}
        finally:
            os.killpg(scheduler.pid, signal.SIGTERM)
            output, _ = scheduler.communicate(timeout=60)
            self.scheduler_output = output

    def _trigger(self, dag_id: str, scheduler: subprocess.Popen[str]) -> str:
        self._poll(lambda: self.brisa("dags", "unpause", dag_id).returncode == 0, scheduler, "the DAG parsed")
        triggered = self.brisa("dags", "trigger", dag_id, "-o", "json")
        assert triggered.returncode == 0, triggered.stderr
        data = json.loads(triggered.stdout)
        return (data[0] if isinstance(data, list) else data)["run_id"]

    def _wait_for_end(self, dag_id: str, run_id: str, scheduler: subprocess.Popen[str]) -> None:
        def ended() -> bool:
            runs = json.loads(self.brisa("dags", "list-runs", dag_id, "-o", "json").stdout or "[]")
            return any(r.get("run_id") == run_id and r.get("state") in FINISHED for r in runs)

        self._poll(ended, scheduler, f"run {run_id} ended")

    @staticmethod
    def _poll(check, scheduler: subprocess.Popen[str], what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + RUN_DEADLINE
        while not check():
            assert scheduler.poll() is None, f"the scheduler exited while waiting for {what}"
            assert time.monotonic() < deadline, f"gave up waiting for {what}"
            time.sleep(0.5)
