"""The triggerer: deferred tries wait here, on asyncio triggers, holding no process.

* the runner's side (a ``TaskDeferred`` becomes an outcome's ``Deferral``, then a
  trigger row and the try's ``deferred`` state; the resumed try's call) is the try
  contract's, :mod:`brisa.tries.deferral`;
* ``plan`` - pure: which triggers this triggerer should own (capacity, dead owners);
* ``events`` - what a fired, failed or timed-out trigger does to its deferred tries;
* ``classes`` - a trigger row back into a trigger object (Airflow class paths mapped);
* ``runner`` - the asyncio event loop in its own thread, running the trigger coroutines;
* ``reads`` - the read-only runtime triggers that watch other DAGs read the store through;
* ``loop`` - the ``Triggerer`` shell around it: heartbeats, claims triggers, writes events.
"""

from __future__ import annotations
