"""The triggerer: deferred tries wait here, on asyncio triggers, holding no process.

* ``deferral`` - the runner's side: a ``TaskDeferred`` becomes an outcome, then a
  trigger row and the try's ``deferred`` state; the resumed try's call;
* ``plan`` - pure: which triggers this triggerer should own (capacity, dead owners);
* ``events`` - what a fired, failed or timed-out trigger does to its deferred tries;
* ``loop`` - the asyncio loop in a thread, and the ``Triggerer`` shell around it that
  heartbeats, claims triggers and writes their events.
"""

from __future__ import annotations
