"""``BashSensor``: poke until a bash command exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from typing import Any

from brisa.sdk.exceptions import AirflowFailException
from brisa.sdk.operators.bash import context_to_airflow_vars
from brisa.sdk.sensors.base import BaseSensorOperator


class BashSensor(BaseSensorOperator):
    """Exit code 0 means done; ``retry_exit_code`` (when set) means poke again and
    any other code fails the task; without it, any non-zero code pokes again."""

    template_fields = ("bash_command", "env")
    template_ext = (".sh", ".bash")

    def __init__(
        self,
        *,
        bash_command: str,
        env: dict[str, str] | None = None,
        output_encoding: str = "utf-8",
        retry_exit_code: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.output_encoding = output_encoding
        self.retry_exit_code = retry_exit_code

    def poke(self, context: dict[str, Any]) -> bool:
        env = {**(self.env if self.env is not None else os.environ), **context_to_airflow_vars(context)}
        with tempfile.TemporaryDirectory(prefix="airflowtmp") as tmp_dir:
            completed = subprocess.run(
                ["bash", "-c", str(self.bash_command)],
                cwd=tmp_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
            )
        sys.stdout.write(completed.stdout.decode(self.output_encoding, errors="backslashreplace"))
        code = completed.returncode
        if code == 0:
            return True
        if self.retry_exit_code is None or code == self.retry_exit_code:
            return False
        raise AirflowFailException(f"Command exited with return code {code}")


__all__ = ["BashSensor"]
