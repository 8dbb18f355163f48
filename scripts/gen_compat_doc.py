#!/usr/bin/env python3
"""Write docs/compat-modules.md from the import shim's table (a test checks it is current)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from brisa.compat.table import TABLE, UNSUPPORTED_MODULES


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
    return "\n".join(lines + _refused_modules()) + "\n"


def _refused_modules() -> list[str]:
    """Modules Brisa knows Airflow has and refuses, grouped by the reason their import error gives."""
    by_reason: dict[str, list[str]] = {}
    for module, reason in sorted(UNSUPPORTED_MODULES.items()):
        by_reason.setdefault(reason, []).append(module)
    lines = [
        "",
        "## Known modules Brisa refuses",
        "",
        "Importing one of these fails with",
        "`ModuleNotFoundError: ... Brisa does not support <module> (<reason>)`.",
        "",
        "| reason | modules |",
        "| --- | --- |",
    ]
    for reason, modules in by_reason.items():
        lines.append(f"| {reason} | {', '.join(f'`{m}`' for m in modules)} |")
    return lines


if __name__ == "__main__":
    Path(__file__).resolve().parent.parent.joinpath("docs", "compat-modules.md").write_text(render())
