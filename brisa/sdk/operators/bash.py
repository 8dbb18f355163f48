"""``BashOperator``: run a command with ``bash -c`` and stream its output."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any

from brisa.sdk.baseoperator import BaseOperator
from brisa.sdk.exceptions import AirflowException, AirflowSkipException


def context_to_airflow_vars(context: Mapping[str, Any]) -> dict[str, str]:
    """The ``AIRFLOW_CTX_*`` environment variables Airflow gives subprocesses."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    task = context.get("task")
    values = {
        "AIRFLOW_CTX_DAG_ID": getattr(ti, "dag_id", None),
        "AIRFLOW_CTX_TASK_ID": getattr(ti, "task_id", None),
        "AIRFLOW_CTX_TRY_NUMBER": getattr(ti, "try_number", None),
        "AIRFLOW_CTX_DAG_RUN_ID": getattr(ti, "run_id", None),
        "AIRFLOW_CTX_DAG_OWNER": getattr(task, "owner", None),
    }
    logical_date = context.get("logical_date") or getattr(dag_run, "logical_date", None)
    if logical_date is not None:
        values["AIRFLOW_CTX_LOGICAL_DATE"] = logical_date.isoformat()
        values["AIRFLOW_CTX_EXECUTION_DATE"] = logical_date.isoformat()
    email = getattr(task, "email", None)
    if email:
        values["AIRFLOW_CTX_DAG_EMAIL"] = email if isinstance(email, str) else ",".join(email)
    return {k: str(v) for k, v in values.items() if v is not None}


class BashOperator(BaseOperator):
    """Run ``bash_command``; the last line of its output is the return value.

    Exit code ``skip_on_exit_code`` (99 by default) skips the task; any other
    non-zero exit code fails it.
    """

    template_fields: Sequence[str] = ("bash_command", "env", "cwd")
    template_fields_renderers = {"bash_command": "bash", "env": "json"}
    template_ext = (".sh", ".bash")
    ui_color = "#f0ede4"
    extra_fields: Sequence[str] = ("skip_on_exit_code", "append_env", "output_encoding")

    def __init__(
        self,
        *,
        bash_command: str | Any,
        env: dict[str, str] | None = None,
        append_env: bool = False,
        output_encoding: str = "utf-8",
        skip_exit_code: int | None = None,
        skip_on_exit_code: int | Container[int] | None = 99,
        cwd: str | None = None,
        output_processor: Callable[[str], Any] = lambda result: result,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.append_env = append_env
        self.output_encoding = output_encoding
        self.skip_on_exit_code = skip_exit_code if skip_exit_code is not None else skip_on_exit_code
        self.cwd = cwd
        self.output_processor = output_processor
        self._process: subprocess.Popen[bytes] | None = None

    def _skip_codes(self) -> Container[int]:
        codes = self.skip_on_exit_code
        if codes is None:
            return ()
        return (codes,) if isinstance(codes, int) else codes

    def get_env(self, context: Mapping[str, Any]) -> dict[str, str]:
        if self.env is None:
            env = dict(os.environ)
        elif self.append_env:
            env = {**os.environ, **self.env}
        else:
            env = dict(self.env)
        env.update(context_to_airflow_vars(context))
        return env

    def _check_cwd(self) -> None:
        if self.cwd is None:
            return
        if not os.path.exists(self.cwd):
            raise AirflowException(f"Can not find the cwd: {self.cwd}")
        if not os.path.isdir(self.cwd):
            raise AirflowException(f"The cwd {self.cwd} must be a directory")

    def execute(self, context: dict[str, Any]) -> Any:
        self._check_cwd()
        env = self.get_env(context)
        if self.cwd is not None:
            exit_code, last_line = self._run(env, self.cwd)
        else:
            with tempfile.TemporaryDirectory(prefix="airflowtmp") as tmp_dir:
                exit_code, last_line = self._run(env, tmp_dir)
        if exit_code in self._skip_codes():
            raise AirflowSkipException(f"Bash command returned exit code {exit_code}. Skipping.")
        if exit_code != 0:
            raise AirflowException(
                f"Bash command failed. The command returned a non-zero exit code {exit_code}."
            )
        return self.output_processor(last_line)

    def _run(self, env: dict[str, str], cwd: str) -> tuple[int, str]:
        """Run the command, writing each output line to ``sys.stdout`` as it comes."""
        bash = shutil.which("bash") or "bash"
        self._process = subprocess.Popen(
            [bash, "-c", str(self.bash_command)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            # No preexec_fn: Popen then starts bash with vfork, not a full fork of this process.
            # restore_signals gives bash the default SIGPIPE/SIGXFSZ Python ignores; a process
            # group of its own lets on_kill end bash and everything it started. (Airflow gives
            # bash a session of its own; a group is enough, and keeps bash in the task's
            # session, so in the same scheduling group under the kernel's autogroup.)
            restore_signals=True,
            process_group=0,
        )
        last_line = ""
        assert self._process.stdout is not None
        for raw in iter(self._process.stdout.readline, b""):
            last_line = raw.decode(self.output_encoding, errors="backslashreplace").rstrip()
            sys.stdout.write(last_line + "\n")
            sys.stdout.flush()
        self._process.wait()
        return self._process.returncode, last_line

    def on_kill(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            try:
                os.killpg(os.getpgid(process.pid), signal.SIGTERM)
            except ProcessLookupError:
                pass


__all__ = ["BashOperator", "context_to_airflow_vars"]
