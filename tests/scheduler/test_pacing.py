"""The DAG processor's pacing decisions (pure)."""

from __future__ import annotations

from brisa.scheduler import pacing


def test_parallelism_is_one_parse_per_core_unless_configured():
    assert pacing.parse_parallelism(0, 8) == 8
    assert pacing.parse_parallelism(0, None) == 1
    assert pacing.parse_parallelism(3, 8) == 3


def test_slots_are_the_free_parse_slots():
    assert pacing.parse_slots(parallelism=4, in_flight=0, unwritten=0) == 4
    assert pacing.parse_slots(parallelism=4, in_flight=3, unwritten=0) == 1
    assert pacing.parse_slots(parallelism=4, in_flight=4, unwritten=0) == 0


def test_unwritten_results_hold_back_new_parses():
    full = 2 * pacing.RESULTS_PER_PARSE
    assert pacing.parse_slots(parallelism=2, in_flight=0, unwritten=full - 1) == 1
    assert pacing.parse_slots(parallelism=2, in_flight=1, unwritten=full - 1) == 0
    assert pacing.parse_slots(parallelism=2, in_flight=0, unwritten=full + 5) == 0


def test_a_change_is_reported_at_once_then_at_most_every_quarter_second():
    every = pacing.CHANGE_REPORT_SECONDS
    assert pacing.may_report_change(pending=True, now=100.0, last_report=None)
    assert not pacing.may_report_change(pending=False, now=100.0, last_report=None)
    assert not pacing.may_report_change(pending=True, now=100.0 + every / 2, last_report=100.0)
    assert pacing.may_report_change(pending=True, now=100.0 + every, last_report=100.0)


def test_a_tick_writes_at_least_one_result_then_stops_at_its_budget():
    assert pacing.keep_writing(written=0, elapsed=5.0, budget=0.2)
    assert pacing.keep_writing(written=3, elapsed=0.1, budget=0.2)
    assert not pacing.keep_writing(written=3, elapsed=0.2, budget=0.2)
    assert pacing.keep_writing(written=10_000, elapsed=60.0, budget=None)


def test_changed_files_jump_the_queue_of_periodic_reparses():
    waiting = ["a", "b", "c"]
    queue = pacing.parse_queue(waiting, changed=["c", "new"], stale=["d", "a"], in_flight={"x"})
    assert queue == ["c", "new", "a", "b", "d"]


def test_a_file_being_parsed_is_not_queued_again():
    assert pacing.parse_queue([], changed=["x"], stale=["y"], in_flight={"x", "y"}) == []
    assert pacing.parse_queue(["a"], changed=[], stale=["a"], in_flight=set()) == ["a"]
