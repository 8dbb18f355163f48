"""DAG-level callbacks get Airflow's ``reason`` values, not the scheduler's wording."""

import pytest

from brisa.runner.callbacks import airflow_reason
from brisa.states import RunState


@pytest.mark.parametrize(
    ("state", "scheduler_reason", "expected"),
    [
        (RunState.SUCCESS, "", "success"),
        (RunState.FAILED, "a leaf task failed", "task_failure"),
        (RunState.FAILED, "deadlocked: no task can run any more", "task_failure"),
        (RunState.FAILED, "timed out (dagrun_timeout)", "timed_out"),
        (RunState.FAILED, "", "task_failure"),
    ],
)
def test_callback_reason_is_airflows(state, scheduler_reason, expected):
    assert airflow_reason(state, scheduler_reason) == expected
