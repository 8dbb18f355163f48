from datetime import UTC, datetime, timedelta

from brisa.states import RunState, TaskState
from brisa.testing import make_run, make_ti
from brisa.ui.charts import GANTT_LABEL_WIDTH, GANTT_PLOT_WIDTH, durations_chart, gantt_chart

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_gantt_bars_are_placed_on_the_run_timeline() -> None:
    tis = [
        make_ti("d", "b", TaskState.SUCCESS, start_date=at(10), end_date=at(20), queued_dttm=at(5)),
        make_ti("d", "a", TaskState.SUCCESS, start_date=at(0), end_date=at(10), queued_dttm=at(0)),
        make_ti("d", "waiting", None),
    ]
    chart = gantt_chart(tis, now=at(100))
    assert [bar.task_id for bar in chart.bars] == ["a", "b"]  # in start order; never started: left out
    a, b = chart.bars
    assert a.x == GANTT_LABEL_WIDTH
    assert b.x + b.width == GANTT_LABEL_WIDTH + GANTT_PLOT_WIDTH
    assert b.queued_x < b.x and b.queued_width > 0
    assert chart.ticks[0].label == "0" and chart.ticks[-1].label == "+20.0 s"
    assert b.duration == 10


def test_a_running_task_reaches_now() -> None:
    tis = [
        make_ti("d", "a", TaskState.SUCCESS, start_date=at(0), end_date=at(5)),
        make_ti("d", "r", TaskState.RUNNING, start_date=at(5)),
    ]
    running = gantt_chart(tis, now=at(15)).bars[1]
    assert running.x + running.width == GANTT_LABEL_WIDTH + GANTT_PLOT_WIDTH
    assert running.duration == 10


def test_gantt_of_nothing_started_is_empty() -> None:
    assert gantt_chart([make_ti("d", "a", None)], now=T0).bars == []


def test_duration_bars_are_proportional_oldest_first() -> None:
    runs = [
        make_run("d", "long", run_after=at(100), start_date=at(100), end_date=at(160), state=RunState.FAILED),
        make_run("d", "short", run_after=at(0), start_date=at(0), end_date=at(30), state=RunState.SUCCESS),
        make_run("d", "queued", run_after=at(200), start_date=None, state=RunState.QUEUED),
    ]
    chart = durations_chart(runs, now=at(300))
    short, long, queued = chart.bars
    assert [b.run_id for b in chart.bars] == ["short", "long", "queued"]
    assert long.height == 2 * short.height
    assert long.y + long.height == chart.plot_bottom
    assert queued.duration is None and queued.height <= 1
    assert chart.ticks[-1].label == "1 min 00 s"
