"""Which files of a DAGs folder are DAG files (Airflow's ``list_py_file_paths``).

Symlinked folders are followed, each real folder at most once (a symlink loop is
skipped, not followed forever).  Zip files are not loaded (Brisa reads ``.py`` files
only).
"""

from __future__ import annotations

import os

from brisa.dagfolder.ignore import IGNORE_FILE, IgnoreRule, is_ignored, parse_ignore_file

EXAMPLES_FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "example_dags")
_MARKERS = (b"airflow", b"brisa")


def might_contain_dag(path: str) -> bool:
    """Safe mode's test: the file mentions "dag" and "airflow" (or "brisa"), any case."""
    try:
        with open(path, "rb") as handle:
            content = handle.read().lower()
    except OSError:
        return False
    return b"dag" in content and any(marker in content for marker in _MARKERS)


def _walk(folder: str, *, syntax: str) -> list[str]:
    root_folder = os.path.abspath(folder)
    found: list[str] = []
    rules_by_dir: dict[str, list[IgnoreRule]] = {root_folder: []}
    seen_real: set[str] = {os.path.realpath(root_folder)}
    for root, dirs, files in os.walk(root_folder, followlinks=True):
        rules = list(rules_by_dir.get(root, []))
        if IGNORE_FILE in files:
            rules += parse_ignore_file(
                os.path.join(root, IGNORE_FILE), syntax=syntax, dags_folder=root_folder
            )
        kept = []
        for sub in sorted(dirs):
            path = os.path.join(root, sub)
            real = os.path.realpath(path)
            if real in seen_real or is_ignored(path, rules, syntax=syntax, is_dir=True):
                continue
            seen_real.add(real)
            rules_by_dir[path] = rules
            kept.append(sub)
        dirs[:] = kept
        for name in sorted(files):
            path = os.path.join(root, name)
            if name != IGNORE_FILE and not is_ignored(path, rules, syntax=syntax, is_dir=False):
                found.append(path)
    return found


def discover(
    dags_folder: str,
    *,
    safe_mode: bool = True,
    include_examples: bool = False,
    ignore_file_syntax: str = "regexp",
) -> list[str]:
    """The DAG files under ``dags_folder`` (a folder or a single file), sorted."""
    if os.path.isfile(dags_folder):
        candidates = [os.path.abspath(dags_folder)]
    elif os.path.isdir(dags_folder):
        candidates = _walk(dags_folder, syntax=ignore_file_syntax)
    else:
        candidates = []
    if include_examples:
        candidates += _walk(EXAMPLES_FOLDER, syntax=ignore_file_syntax)
    files = [p for p in candidates if p.endswith(".py") and os.path.isfile(p)]
    if safe_mode:
        files = [p for p in files if might_contain_dag(p)]
    return sorted(dict.fromkeys(files))


__all__ = ["EXAMPLES_FOLDER", "discover", "might_contain_dag"]
