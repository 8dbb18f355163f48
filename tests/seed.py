"""Where tests find the seed's DAG and the benchmark DAGs.

The project's shared folder (``../shared`` beside the checkout, ``/work/shared`` here)
holds the originals; a checkout elsewhere falls back to the byte-identical copies in the
repository (``brisa/example_dags/tutorial.py``, ``tests/fixtures/bench_dags``).
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_SHARED = next((p for p in (REPO.parent / "shared", Path("/work/shared")) if (p / "seed").is_dir()), None)

SEED_TUTORIAL = (
    _SHARED / "seed" / "tutorial_dag.py" if _SHARED else REPO / "brisa" / "example_dags" / "tutorial.py"
)
BENCH_DAGS = _SHARED / "bench" / "dags" if _SHARED else REPO / "tests" / "fixtures" / "bench_dags"
