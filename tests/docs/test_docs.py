"""Docs that are generated from code stay in step with it."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_compat_module_table_doc_is_current():
    spec = importlib.util.spec_from_file_location("gen_compat_doc", ROOT / "scripts" / "gen_compat_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "compat-modules.md").read_text() == module.render(), (
        "run scripts/gen_compat_doc.py"
    )
