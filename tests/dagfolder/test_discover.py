from __future__ import annotations

import os

from brisa.dagfolder.discover import EXAMPLES_FOLDER, discover, might_contain_dag
from brisa.dagfolder.ignore import glob_to_regex

DAG_TEXT = "from airflow import DAG\n"


def write(path, text=DAG_TEXT):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def names(paths, root):
    return [os.path.relpath(p, root) for p in paths]


def test_safe_mode_needs_dag_and_airflow_or_brisa(tmp_path):
    write(tmp_path / "a.py", "from airflow import DAG")
    write(tmp_path / "b.py", "from brisa import dag")
    write(tmp_path / "c.py", "import airflow  # no d-a-g word")
    write(tmp_path / "d.py", "print('dag only')")
    write(tmp_path / "notes.txt", "airflow dag")
    assert names(discover(str(tmp_path)), tmp_path) == ["a.py", "b.py"]
    assert names(discover(str(tmp_path), safe_mode=False), tmp_path) == ["a.py", "b.py", "c.py", "d.py"]
    assert might_contain_dag(str(tmp_path / "a.py"))
    assert not might_contain_dag(str(tmp_path / "missing.py"))


def test_regexp_airflowignore_is_relative_to_the_dags_folder_and_nested(tmp_path):
    write(tmp_path / "keep.py")
    write(tmp_path / "skip_me.py")
    write(tmp_path / "vendor" / "lib.py")
    write(tmp_path / "sub" / "keep.py")
    write(tmp_path / "sub" / "local_skip.py")
    write(tmp_path / "other" / "local_skip.py")
    (tmp_path / ".airflowignore").write_text("skip_me\n# a comment\nvendor/  # trailing comment\n\n")
    (tmp_path / "sub" / ".airflowignore").write_text("sub/local_.*\n")
    found = names(discover(str(tmp_path)), tmp_path)
    assert found == ["keep.py", "other/local_skip.py", "sub/keep.py"]


def test_glob_airflowignore(tmp_path):
    write(tmp_path / "a.py")
    write(tmp_path / "test_a.py")
    write(tmp_path / "build" / "x.py")
    write(tmp_path / "pkg" / "test_b.py")
    write(tmp_path / "pkg" / "keep_test.py")
    write(tmp_path / "pkg" / "deep" / "important.py")
    write(tmp_path / "pkg" / "deep" / "other.py")
    write(tmp_path / "pkg" / "sub" / ".airflowignore", "*.py\n")
    write(tmp_path / "pkg" / "sub" / "local.py")
    write(tmp_path / "elsewhere" / "local.py")
    (tmp_path / ".airflowignore").write_text("test_*.py\nbuild/\npkg/deep/**\n!pkg/deep/important.py\n")
    found = names(discover(str(tmp_path), ignore_file_syntax="glob"), tmp_path)
    # The last matching line wins: the negation brings important.py back.
    assert found == ["a.py", "elsewhere/local.py", "pkg/deep/important.py", "pkg/keep_test.py"]


def test_glob_translation():
    assert glob_to_regex("*.py") == (r"^(?:.*/)?[^/]*\.py(?:/.*)?$", False)
    regex, anchored = glob_to_regex("/top/*.py")
    assert anchored and regex.startswith("^top")


def test_symlinks_are_followed_once(tmp_path):
    write(tmp_path / "real" / "dag.py")
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path, tmp_path / "real" / "loop")
    found = names(discover(str(tmp_path)), tmp_path)
    assert found == ["link/dag.py"] or found == ["real/dag.py"]


def test_single_file_missing_folder_and_examples(tmp_path):
    path = write(tmp_path / "one.py")
    assert discover(path) == [path]
    assert discover(str(tmp_path / "missing")) == []
    examples = discover(str(tmp_path / "missing"), include_examples=True)
    assert os.path.join(EXAMPLES_FOLDER, "tutorial.py") in examples
    assert all(p.startswith(EXAMPLES_FOLDER) for p in examples)
