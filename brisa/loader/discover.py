"""The DAG-file walker, re-exported from :mod:`brisa.dagfolder` (it moved below the plugins,
which walk their folder with it); this name stays for the loader's callers."""

from brisa.dagfolder.discover import EXAMPLES_FOLDER, discover, might_contain_dag

__all__ = ["EXAMPLES_FOLDER", "discover", "might_contain_dag"]
