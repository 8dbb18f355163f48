"""``.airflowignore`` rules, in Airflow's two syntaxes.

* ``regexp`` (the default): each line is a regular expression searched in the path
  relative to the DAGs folder.
* ``glob``: gitignore-style patterns relative to the folder of the ignore file
  (``*``, ``?``, ``**``, ``[...]``, ``!`` negation, trailing ``/`` for folders; the
  last matching line wins).

An ignore file applies to its folder and every folder below it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

IGNORE_FILE = ".airflowignore"
SYNTAXES = ("regexp", "glob")


@dataclass(frozen=True)
class IgnoreRule:
    pattern: re.Pattern[str]
    base_dir: str
    negated: bool = False
    dirs_only: bool = False


def _strip_comment(line: str) -> str:
    return re.sub(r"\s*#.*", "", line).strip()


def glob_to_regex(pattern: str) -> tuple[str, bool]:
    """A gitignore pattern as a regex over a relative path; and whether it is anchored."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.lstrip("/")
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[" and "]" in body[i + 1 :]:
            end = body.index("]", i + 1)
            out.append("[" + body[i + 1 : end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "^" if anchored else "^(?:.*/)?"
    return prefix + "".join(out) + "(?:/.*)?$", anchored


def parse_ignore_file(path: str, *, syntax: str, dags_folder: str) -> list[IgnoreRule]:
    """The rules of one ignore file (invalid regular expressions are skipped)."""
    if syntax not in SYNTAXES:
        raise ValueError(f"unknown .airflowignore syntax {syntax!r}; expected one of {SYNTAXES}")
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = [_strip_comment(line) for line in handle.read().splitlines()]
    rules: list[IgnoreRule] = []
    for line in filter(None, lines):
        rule = (
            _regexp_rule(line, dags_folder) if syntax == "regexp" else _glob_rule(line, os.path.dirname(path))
        )
        if rule is not None:
            rules.append(rule)
    return rules


def _regexp_rule(line: str, dags_folder: str) -> IgnoreRule | None:
    try:
        return IgnoreRule(re.compile(line), dags_folder)
    except re.error:
        return None


def _glob_rule(line: str, base_dir: str) -> IgnoreRule:
    negated = line.startswith("!")
    body = line[1:] if negated else line
    dirs_only = body.endswith("/")
    regex, _ = glob_to_regex(body.rstrip("/") if dirs_only else body)
    return IgnoreRule(re.compile(regex), base_dir, negated, dirs_only)


def is_ignored(path: str, rules: list[IgnoreRule], *, syntax: str, is_dir: bool) -> bool:
    """Whether ``path`` (absolute) is ignored by ``rules``."""
    if syntax == "regexp":
        return any(rule.pattern.search(os.path.relpath(path, rule.base_dir)) for rule in rules)
    ignored = False
    for rule in rules:
        relative = os.path.relpath(path, rule.base_dir)
        if relative.startswith(".."):
            continue
        if rule.dirs_only and not is_dir:
            continue  # files inside an ignored folder are never reached: it is pruned
        if rule.pattern.match(relative.replace(os.sep, "/")):
            ignored = not rule.negated
    return ignored


__all__ = ["IGNORE_FILE", "SYNTAXES", "IgnoreRule", "glob_to_regex", "is_ignored", "parse_ignore_file"]
