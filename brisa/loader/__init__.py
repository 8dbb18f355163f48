"""DAG files -> :class:`~brisa.serialized.SerializedDag`, isolated in a child process."""

from brisa.loader.discover import discover, might_contain_dag
from brisa.loader.folder import merge_results, parse_folder
from brisa.loader.isolated import parse_file_isolated
from brisa.loader.parse import load_dag_object, module_name_for, parse_file, run_dag_file
from brisa.loader.result import ImportErrorInfo, ParseResult

__all__ = [
    "ImportErrorInfo",
    "ParseResult",
    "discover",
    "load_dag_object",
    "merge_results",
    "might_contain_dag",
    "module_name_for",
    "parse_file",
    "parse_file_isolated",
    "parse_folder",
    "run_dag_file",
]
