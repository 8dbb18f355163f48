"""The pure planner: which triggers a triggerer claims and runs."""

from __future__ import annotations

from brisa.store.repos.triggers import Waiting
from brisa.triggerer.plan import Claim, plan_claims, plan_running


def test_unowned_triggers_are_claimed_up_to_the_capacity_most_important_first():
    waiting = [Waiting(1, None, 1), Waiting(2, None, 5), Waiting(3, None, 3)]
    assert plan_claims(waiting, me=10, alive={10}, capacity=2) == [Claim(2, None), Claim(3, None)]


def test_what_a_triggerer_owns_counts_against_its_capacity():
    waiting = [Waiting(1, 10), Waiting(2, None), Waiting(3, None)]
    assert plan_claims(waiting, me=10, alive={10}, capacity=2) == [Claim(2, None)]
    assert plan_claims(waiting, me=10, alive={10}, capacity=1) == []


def test_triggers_of_a_dead_triggerer_are_taken_over_from_it_but_not_those_of_a_live_one():
    waiting = [Waiting(1, 11), Waiting(2, 12)]
    assert plan_claims(waiting, me=10, alive={10, 11}, capacity=5) == [Claim(2, 12)]


def test_the_runner_is_made_to_run_exactly_what_is_owned():
    assert plan_running(owned={1, 2}, running={2, 3}) == ({1}, {3})
