"""The date objects templates see, printed the way each Airflow generation prints them.

Templates get pendulum ``DateTime`` objects, so ``{{ logical_date.add(days=1) }}`` and
friends work.  Printing one (``{{ logical_date }}``) depends on the pendulum version
behind the Airflow a DAG was written for:

* Airflow 1.10 to 2.7 shipped pendulum 1/2, whose ``str()`` is ISO 8601 with a ``T``:
  ``2015-06-01T00:00:00+00:00``.  Generation "2" keeps that.
* Airflow 3 ships pendulum 3, whose ``str()`` uses a space, like ``datetime``:
  ``2015-06-01 00:00:00+00:00``.  Generation "3" keeps that.

(Airflow 2.8 to 2.10 could run either pendulum; their constraint files pin pendulum 3.
Generation "2" follows the long-standing, documented ``T`` form.)
"""

from __future__ import annotations

import datetime as dt

import pendulum
from pendulum import DateTime


class IsoDateTime(DateTime):
    """A pendulum DateTime whose ``str()`` keeps the ``T`` separator, as in pendulum 2.

    pendulum builds the results of arithmetic (``add``, ``+ timedelta``,
    ``in_timezone``...) with the same class, so derived dates print the same way.
    """

    def __str__(self) -> str:
        return self.isoformat("T")

    def __repr__(self) -> str:
        return "DateTime" + super().__repr__()[len(type(self).__name__) :]


def template_datetime(value: dt.datetime | None, generation: str) -> DateTime | None:
    """``value`` in UTC as the pendulum DateTime a template of ``generation`` gets."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=pendulum.UTC)
    utc = pendulum.instance(value.astimezone(pendulum.UTC))
    return IsoDateTime.instance(utc) if generation == "2" else utc


__all__ = ["IsoDateTime", "template_datetime"]
