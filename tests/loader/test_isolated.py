from __future__ import annotations

import os
import signal
import textwrap
import time

from brisa.loader import parse_file, parse_file_isolated
from tests.seed import SEED_TUTORIAL

SEED = str(SEED_TUTORIAL)
HERE = os.path.dirname(os.path.abspath(__file__))
SEED_PATH = (
    SEED if os.path.exists(SEED) else os.path.join(HERE, "..", "..", "brisa", "example_dags", "tutorial.py")
)


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_same_result_as_in_process():
    isolated = parse_file_isolated(SEED_PATH, timeout=30)
    direct = parse_file(SEED_PATH)
    assert isolated.errors == []
    assert [d.to_json() for d in isolated.dags] == [d.to_json() for d in direct.dags]


def test_the_parent_never_runs_dag_code(tmp_path):
    marker = tmp_path / "ran_in"
    path = write(
        tmp_path,
        "marker.py",
        f"import os\nfrom airflow import DAG\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\n"
        "d = DAG('m', schedule=None)\n",
    )
    result = parse_file_isolated(path)
    assert [d.dag_id for d in result.dags] == ["m"]
    assert int(marker.read_text()) != os.getpid()


def test_infinite_loop_is_killed_after_the_timeout(tmp_path):
    path = write(tmp_path, "loop.py", "from airflow import DAG\nwhile True:\n    pass\n")
    started = time.monotonic()
    result = parse_file_isolated(path, timeout=0.5)
    assert time.monotonic() - started < 20
    [error] = result.errors
    assert result.dags == [] and error.filename == path
    assert "timeout" in error.message and "0.5s" in error.message


def test_os_exit_becomes_an_import_error(tmp_path):
    path = write(tmp_path, "exit.py", "import os\nfrom airflow import DAG\nos._exit(3)\n")
    [error] = parse_file_isolated(path).errors
    assert "exited with code 3" in error.message


def test_segfault_becomes_an_import_error(tmp_path):
    path = write(tmp_path, "segv.py", "import ctypes\nfrom airflow import DAG\nctypes.string_at(0)\n")
    [error] = parse_file_isolated(path).errors
    assert "killed by signal SIGSEGV" in error.message


def test_errors_and_large_results_come_back(tmp_path):
    broken = write(tmp_path, "broken.py", "from airflow import DAG\nraise ValueError('nope')\n")
    [error] = parse_file_isolated(broken).errors
    assert error.lineno == 2 and "ValueError: nope" in error.message
    big = write(
        tmp_path,
        "big.py",
        """
        from datetime import datetime
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("big", schedule=None, start_date=datetime(2024, 1, 1)) as dag:
            for i in range(400):
                BashOperator(task_id=f"t{i}", bash_command="echo " + "x" * 500)
        """,
    )
    [dag] = parse_file_isolated(big).dags
    assert len(dag.tasks) == 400


def test_a_forked_grandchild_holding_the_pipe_does_not_block(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    path = write(
        tmp_path,
        "forks.py",
        f"""
        import os, time
        from airflow import DAG
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        open({str(pid_file)!r}, "w").write(str(pid))
        d = DAG("forks", schedule=None)
        """,
    )
    started = time.monotonic()
    try:
        result = parse_file_isolated(path, timeout=10)
        assert [d.dag_id for d in result.dags] == ["forks"]
        assert time.monotonic() - started < 9
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
