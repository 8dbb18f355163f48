"""``brisa db import-airflow``: copy an Apache Airflow metadata database into Brisa's store.

:mod:`~brisa.importer.versions` tells which Airflow wrote the source, :mod:`~.source`
reads it read-only, :mod:`~.mapping` turns its rows into Brisa's (pure functions) and
:mod:`~.run` writes them in one transaction, skipping what Brisa already has.
"""

from __future__ import annotations

from brisa.importer.mapping import Recrypt
from brisa.importer.run import DEFAULT_KINDS, KINDS, ImportOptions, ImportReport, Tally, import_airflow
from brisa.importer.source import SourceDb, open_source
from brisa.importer.versions import AirflowVersion, detect

__all__ = [
    "DEFAULT_KINDS",
    "KINDS",
    "AirflowVersion",
    "ImportOptions",
    "ImportReport",
    "Recrypt",
    "SourceDb",
    "Tally",
    "detect",
    "import_airflow",
    "open_source",
]
