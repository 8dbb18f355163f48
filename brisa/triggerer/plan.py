"""Pure: which triggers one triggerer should run (Airflow's ``assign_unassigned``).

Each triggerer owns at most ``capacity`` triggers.  It keeps what it owns, and claims
triggers owned by nobody or by a triggerer that stopped heartbeating, the most
important tries first.  The claims are compare-and-set writes, so two triggerers
planning at once cannot both take one trigger.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from brisa.store.repos.triggers import Waiting


@dataclass(frozen=True)
class Claim:
    trigger_id: int
    previous: int | None
    """The owner to take it from (None: unowned); the compare-and-set's expected value."""


def plan_claims(waiting: Iterable[Waiting], *, me: int, alive: Collection[int], capacity: int) -> list[Claim]:
    """Claims to make now; ``alive`` are the triggerer jobs with a fresh heartbeat."""
    waiting = list(waiting)
    owned = sum(1 for w in waiting if w.triggerer_id == me)
    room = max(capacity - owned, 0)
    free = [w for w in waiting if w.triggerer_id != me and w.triggerer_id not in alive]
    free.sort(key=lambda w: (-w.priority_weight, w.trigger_id))
    return [Claim(w.trigger_id, w.triggerer_id) for w in free[:room]]


def plan_running(owned: Iterable[int], running: Iterable[int]) -> tuple[set[int], set[int]]:
    """``(to_start, to_stop)``: make the running triggers match those owned."""
    owned_set, running_set = set(owned), set(running)
    return owned_set - running_set, running_set - owned_set


__all__ = ["Claim", "Waiting", "plan_claims", "plan_running"]
