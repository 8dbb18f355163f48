"""``.airflowignore`` rules, re-exported from :mod:`brisa.dagfolder.ignore`."""

from brisa.dagfolder.ignore import (
    IGNORE_FILE,
    SYNTAXES,
    IgnoreRule,
    glob_to_regex,
    is_ignored,
    parse_ignore_file,
)

__all__ = ["IGNORE_FILE", "SYNTAXES", "IgnoreRule", "glob_to_regex", "is_ignored", "parse_ignore_file"]
