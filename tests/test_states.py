import pytest

from brisa.errors import InvalidTransition
from brisa.states import FINISHED, TASK_TRANSITIONS, TaskState, check_ti_transition


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


def test_a_deferred_try_resumes_through_scheduled_and_holds_no_slot():
    from brisa.states import ACTIVE

    check_ti_transition(TaskState.RUNNING, TaskState.DEFERRED)
    check_ti_transition(TaskState.DEFERRED, TaskState.SCHEDULED)  # fired, timed out or failed
    for mark in (
        TaskState.SUCCESS,
        TaskState.FAILED,
        TaskState.SKIPPED,
        None,
    ):  # end_from_trigger, marks, clear
        check_ti_transition(TaskState.DEFERRED, mark)
    with pytest.raises(InvalidTransition):
        check_ti_transition(TaskState.DEFERRED, TaskState.RUNNING)
    with pytest.raises(InvalidTransition):
        check_ti_transition(TaskState.QUEUED, TaskState.DEFERRED)
    assert TaskState.DEFERRED not in ACTIVE and TaskState.DEFERRED.is_unfinished
