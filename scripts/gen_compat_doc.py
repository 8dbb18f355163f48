#!/usr/bin/env python3
"""Write docs/compat-modules.md from the import shim's table (a test checks it is current)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from brisa.compat.table import TABLE


def render() -> str:
    lines = [
        "# Airflow import paths Brisa understands",
        "",
        "Generated from `brisa/compat/table.py` by `scripts/gen_compat_doc.py`; do not edit by hand.",
        "A DAG file may import these when Apache Airflow is not installed; anything else under",
        "`airflow.` fails with an ImportError that names it and says Brisa does not support it.",
        "",
        "| module | names |",
        "| --- | --- |",
    ]
    for module in sorted(TABLE):
        shim = TABLE[module]
        names = ", ".join(f"`{n}`" for n in sorted(shim.names)) or "(package)"
        if shim.unsupported:
            names += "; not supported: " + ", ".join(f"`{n}`" for n in sorted(shim.unsupported))
        lines.append(f"| `{module}` | {names} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    Path(__file__).resolve().parent.parent.joinpath("docs", "compat-modules.md").write_text(render())
