"""Which Airflow wrote a metadata database: its ``alembic_version`` row, looked up.

``airflow_revisions.json`` maps every Alembic revision Airflow shipped (1.5.0 to 3.3) to
the release that introduced it, as read from the migration files of Airflow 2.10.5 (which
carry the 1.x chain) and 3.3.2. Airflow 1.10.13 to 1.10.15 share the head ``03afc6b6f902``.
A database at a revision Brisa does not know (a newer Airflow) is refused rather than
guessed at: its tables may have changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from brisa.errors import InvalidInputError

SUPPORTED_FAMILIES = ("1.10", "2", "3")


@dataclass(frozen=True)
class AirflowVersion:
    release: str
    """The release that introduced the database's revision, e.g. ``2.10.3``."""
    revision: str

    @property
    def family(self) -> str:
        """``1.10``, ``2`` or ``3``: what decides the tables' shape."""
        major = self.release.split(".")[0]
        return "1.10" if major == "1" else major

    @property
    def label(self) -> str:
        return (
            f"Airflow {self.family} database (schema revision {self.revision}, from Airflow {self.release})"
        )


@cache
def known_revisions() -> dict[str, str]:
    text = resources.files("brisa.importer").joinpath("airflow_revisions.json").read_text("utf-8")
    return json.loads(text)


def detect(revisions: list[str]) -> AirflowVersion:
    """The version of a database whose ``alembic_version`` holds ``revisions``."""
    if not revisions:
        raise InvalidInputError("the source has an empty alembic_version table: is it an Airflow database?")
    known = known_revisions()
    unknown = [r for r in revisions if r not in known]
    if unknown:
        raise InvalidInputError(
            f"the source is at Alembic revision {', '.join(unknown)}, which no Airflow release "
            "Brisa knows wrote (Airflow 1.10 to 3.3 are supported): upgrade Brisa, or migrate "
            "Airflow to a supported release first"
        )
    newest = max(revisions, key=lambda r: _release_key(known[r]))
    version = AirflowVersion(release=known[newest], revision=newest)
    if version.release.startswith("1.") and not version.release.startswith("1.10."):
        raise InvalidInputError(f"{version.label}: upgrade that Airflow to 1.10 first")
    return version


def _release_key(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))


__all__ = ["SUPPORTED_FAMILIES", "AirflowVersion", "detect", "known_revisions"]
