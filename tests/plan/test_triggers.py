"""Trigger rules against Airflow's outcomes (TriggerRuleDep with flag_upstream_failed)."""

import pytest

from brisa.plan.triggers import Decision, UpstreamCounts, evaluate
from brisa.states import TaskState

S, F, K, U, R = (
    TaskState.SUCCESS,
    TaskState.FAILED,
    TaskState.SKIPPED,
    TaskState.UPSTREAM_FAILED,
    TaskState.REMOVED,
)
RUN, WAIT, SKIP, UF = Decision.RUN, Decision.WAIT, Decision.SKIP, Decision.UPSTREAM_FAILED


def counts(*states):
    return UpstreamCounts.of(states)


CASES = [
    # rule, upstream states (None = not finished), expected
    ("all_success", [S, S], RUN),
    ("all_success", [S, None], WAIT),
    ("all_success", [S, F], UF),
    ("all_success", [F, None], UF),
    ("all_success", [S, K], SKIP),
    ("all_success", [U, S], UF),
    ("all_failed", [F, U], RUN),
    ("all_failed", [F, None], WAIT),
    ("all_failed", [F, S], SKIP),
    ("all_failed", [K, F], SKIP),
    ("all_done", [S, F, K, U], RUN),
    ("all_done", [S, None], WAIT),
    ("one_success", [S, None], RUN),
    ("one_success", [F, None], WAIT),
    ("one_success", [F, F], UF),
    ("one_success", [K, K], SKIP),
    ("one_success", [K, F], UF),
    ("one_failed", [F, None], RUN),
    ("one_failed", [U, S], RUN),
    ("one_failed", [S, None], WAIT),
    ("one_failed", [S, K], SKIP),
    ("one_done", [S, None], RUN),
    ("one_done", [F, None], RUN),
    ("one_done", [K, None], WAIT),
    ("one_done", [K, K], SKIP),
    ("none_failed", [S, K], RUN),
    ("none_failed", [K, K], RUN),
    ("none_failed", [S, F], UF),
    ("none_failed", [S, None], WAIT),
    ("none_failed_min_one_success", [S, K], RUN),
    ("none_failed_min_one_success", [K, K], SKIP),
    ("none_failed_min_one_success", [U, K], UF),
    ("none_skipped", [S, F], RUN),
    ("none_skipped", [S, K], SKIP),
    ("none_skipped", [S, None], WAIT),
    ("all_skipped", [K, K], RUN),
    ("all_skipped", [K, S], SKIP),
    ("all_skipped", [K, None], WAIT),
    ("always", [F, None], RUN),
    ("all_done_min_one_success", [S, F], RUN),
    ("all_done_min_one_success", [F, F], UF),
    ("all_done_min_one_success", [S, K], SKIP),
]


@pytest.mark.parametrize(("rule", "states", "expected"), CASES)
def test_rule_outcomes_match_airflow(rule, states, expected):
    assert evaluate(rule, counts(*states)) == expected


def test_no_upstream_always_runs():
    assert evaluate("all_failed", counts()) == RUN


def test_removed_mapped_instances_beyond_successes_are_removed():
    up = counts(S, R)
    assert evaluate("all_success", up, map_index=1) == Decision.REMOVED
    assert evaluate("all_success", up, map_index=0) == RUN


def test_setup_rule_needs_one_setup_success():
    up = UpstreamCounts.of([S, F], setup_states=[F])
    assert evaluate("all_done_setup_success", up) == UF
    up = UpstreamCounts.of([S, F], setup_states=[S])
    assert evaluate("all_done_setup_success", up) == RUN


def test_unknown_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown trigger rule"):
        evaluate("sometimes", counts(S))
