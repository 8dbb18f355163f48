import pytest

from brisa.errors import InvalidTransition
from brisa.states import (
    FINISHED,
    STATE_PRIORITY,
    TASK_TRANSITIONS,
    TaskState,
    check_ti_transition,
    most_pressing,
)


def test_terminal_states_only_leave_by_clear_or_mark():
    for state in FINISHED:
        allowed = TASK_TRANSITIONS[state]
        assert TaskState.RUNNING not in allowed
        assert TaskState.QUEUED not in allowed
        assert TaskState.SCHEDULED not in allowed


def test_success_cannot_go_back_to_running():
    with pytest.raises(InvalidTransition, match="success to running"):
        check_ti_transition(TaskState.SUCCESS, TaskState.RUNNING)


def test_same_state_is_not_a_transition():
    with pytest.raises(InvalidTransition, match="already"):
        check_ti_transition(TaskState.RUNNING, TaskState.RUNNING)


def test_most_pressing_state_wins() -> None:
    assert most_pressing(["success", "failed", "running"]) == "failed"
    assert most_pressing(["success", None]) is None
    assert most_pressing(["success", "skipped"]) == "skipped"
    assert most_pressing([TaskState.SUCCESS, TaskState.UP_FOR_RETRY]) == "up_for_retry"
    assert most_pressing([]) is None


def test_every_task_state_has_a_grid_priority() -> None:
    assert set(STATE_PRIORITY) == {*TaskState, None}
