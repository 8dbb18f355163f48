"""Which files of a folder Brisa reads: the DAGs folder's DAG files and the plugins folder's
modules, ``.airflowignore`` honoured (Airflow's ``list_py_file_paths``).

It imports nothing from Brisa, so both the loader and the plugins (which sits below the
loader) walk folders with the same code.
"""

from brisa.dagfolder.discover import EXAMPLES_FOLDER, discover, might_contain_dag

__all__ = ["EXAMPLES_FOLDER", "discover", "might_contain_dag"]
