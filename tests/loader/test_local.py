"""brisa.loader.local: DAG folders parsed in this process (``dags test``, ``--local``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brisa.config import load_settings
from brisa.errors import NotFoundError
from brisa.loader.local import find_dag, parse_dag_files

GOOD = """
from airflow import DAG
from airflow.models import Variable
from airflow.operators.empty import EmptyOperator

with DAG("good_{n}", schedule=None, tags=[Variable.get("tag")]):
    EmptyOperator(task_id="t")
"""


class _Secrets:
    def get_variable(self, key: str) -> str | None:
        return {"tag": "from-secrets"}.get(key)

    def get_connection(self, conn_id: str) -> None:
        return None


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "one.py").write_text(GOOD.format(n=1))
    (dags / "two.py").write_text(GOOD.format(n=2))
    (dags / "broken.py").write_text("from airflow import DAG\nraise RuntimeError('boom')\n")
    return dags


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings({"BRISA_HOME": str(tmp_path / "home")}, resources=None)


def test_every_file_is_parsed_with_its_errors_and_times(settings, folder: Path) -> None:
    errors: list = []
    stats: list = []
    dags = list(parse_dag_files(settings, _Secrets(), [folder], errors, stats))
    assert sorted(d.dag_id for d in dags) == ["good_1", "good_2"]
    assert {d.tags for d in dags} == {("from-secrets",)}  # top-level Variable.get read the secrets
    assert [Path(e.filename).name for e in errors] == ["broken.py"]
    assert sorted(Path(s.path).name for s in stats) == ["broken.py", "one.py", "two.py"]


def test_a_missing_dag_names_the_files_that_failed(settings, folder: Path) -> None:
    assert find_dag(settings, _Secrets(), (folder,), "good_2").dag_id == "good_2"
    with pytest.raises(
        NotFoundError, match=r"DAG 'nope' not found in .*dags\. These DAG files failed .*broken\.py"
    ):
        find_dag(settings, _Secrets(), (folder,), "nope")
