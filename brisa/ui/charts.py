"""Geometry of the SVG charts: a run's Gantt chart and the run durations chart (pure).

Times come from the store (aware UTC); ``now`` stands in for the end of what is still
running. Coordinates are SVG user units; the templates draw bars, ticks and labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from brisa.store.records import RunRecord, TiRecord
from brisa.ui.formatting import format_duration, seconds_between

GANTT_LABEL_WIDTH = 220.0
GANTT_PLOT_WIDTH = 760.0
GANTT_ROW_HEIGHT = 26.0
GANTT_AXIS_HEIGHT = 28.0
TICKS = 5

DURATION_PLOT_HEIGHT = 220.0
DURATION_AXIS_WIDTH = 80.0
DURATION_BOTTOM = 30.0
DURATION_TOP = 12.0
DURATION_BAR_WIDTH = 18.0
DURATION_BAR_GAP = 6.0
DURATION_MIN_PLOT_WIDTH = 320.0


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class GanttBar:
    task_id: str
    map_index: int
    state: str | None
    try_number: int
    y: float
    x: float
    width: float
    queued_x: float
    queued_width: float
    start: datetime | None
    end: datetime | None
    duration: float | None


@dataclass(frozen=True)
class GanttChart:
    bars: list[GanttBar]
    ticks: list[Tick]
    width: float
    height: float
    label_width: float
    row_height: float
    axis_y: float


@dataclass(frozen=True)
class _Timeline:
    """Maps moments between ``begin`` and ``begin + span`` onto the plot's width."""

    begin: datetime
    span: float

    def x(self, moment: datetime) -> float:
        return GANTT_LABEL_WIDTH + (moment - self.begin).total_seconds() / self.span * GANTT_PLOT_WIDTH


def gantt_chart(tis: Sequence[TiRecord], *, now: datetime) -> GanttChart:
    """One row per task instance that was queued or started, in the order they started."""
    shown = [ti for ti in tis if ti.start_date is not None or ti.queued_dttm is not None]
    shown.sort(key=lambda ti: (ti.start_date or ti.queued_dttm or now, ti.task_id, ti.map_index))
    height = GANTT_AXIS_HEIGHT + len(shown) * GANTT_ROW_HEIGHT + 8
    width = GANTT_LABEL_WIDTH + GANTT_PLOT_WIDTH + 40
    if not shown:
        return GanttChart([], [], width, height, GANTT_LABEL_WIDTH, GANTT_ROW_HEIGHT, GANTT_AXIS_HEIGHT)
    begin = min(ti.queued_dttm or ti.start_date or now for ti in shown)
    span = max((max(_end_of(ti, now) for ti in shown) - begin).total_seconds(), 1.0)
    timeline = _Timeline(begin, span)
    bars = [_bar(ti, row, timeline, now) for row, ti in enumerate(shown)]
    ticks = [
        Tick(GANTT_LABEL_WIDTH + i * GANTT_PLOT_WIDTH / (TICKS - 1), _offset(i * span / (TICKS - 1)))
        for i in range(TICKS)
    ]
    return GanttChart(bars, ticks, width, height, GANTT_LABEL_WIDTH, GANTT_ROW_HEIGHT, GANTT_AXIS_HEIGHT)


def _bar(ti: TiRecord, row: int, timeline: _Timeline, now: datetime) -> GanttBar:
    """A try's bar; a try still queued is only its (lighter) queued part, up to ``now``."""
    start = ti.start_date or _end_of(ti, now)
    end = _end_of(ti, now) if ti.start_date else start
    queued = min(ti.queued_dttm or start, start)
    return GanttBar(
        task_id=ti.task_id,
        map_index=ti.map_index,
        state=ti.state.value if ti.state else None,
        try_number=ti.try_number,
        y=GANTT_AXIS_HEIGHT + row * GANTT_ROW_HEIGHT + 4,
        x=timeline.x(start),
        width=max(2.0, timeline.x(end) - timeline.x(start)),
        queued_x=timeline.x(queued),
        queued_width=max(0.0, timeline.x(start) - timeline.x(queued)),
        start=ti.start_date,
        end=ti.end_date,
        duration=ti.duration if ti.duration is not None else seconds_between(ti.start_date, end),
    )


def _end_of(ti: TiRecord, now: datetime) -> datetime:
    return ti.end_date or now


def _offset(seconds: float) -> str:
    return "0" if seconds == 0 else "+" + format_duration(seconds)


@dataclass(frozen=True)
class DurationBar:
    run_id: str
    state: str
    logical_date: datetime | None
    x: float
    y: float
    width: float
    height: float
    duration: float | None


@dataclass(frozen=True)
class DurationChart:
    bars: list[DurationBar]
    ticks: list[Tick]
    """Horizontal grid lines: ``position`` is the y coordinate."""
    width: float
    height: float
    plot_left: float
    plot_bottom: float


def durations_chart(runs: Sequence[RunRecord], *, now: datetime) -> DurationChart:
    """A bar per run (oldest left), as tall as the run took; running runs up to ``now``."""
    ordered = sorted(runs, key=lambda run: (run.run_after, run.id))
    durations = [_run_seconds(run, now) for run in ordered]
    longest = max([d for d in durations if d is not None] + [1.0])
    bottom = DURATION_TOP + DURATION_PLOT_HEIGHT
    step = DURATION_BAR_WIDTH + DURATION_BAR_GAP
    plot_width = max(DURATION_MIN_PLOT_WIDTH, len(ordered) * step + DURATION_BAR_GAP)
    bars = []
    for index, (run, seconds) in enumerate(zip(ordered, durations, strict=True)):
        height = (seconds or 0.0) / longest * DURATION_PLOT_HEIGHT
        bars.append(
            DurationBar(
                run_id=run.run_id,
                state=run.state.value,
                logical_date=run.logical_date,
                x=DURATION_AXIS_WIDTH + DURATION_BAR_GAP + index * step,
                y=bottom - max(height, 1.0),
                width=DURATION_BAR_WIDTH,
                height=max(height, 1.0),
                duration=seconds,
            )
        )
    ticks = [
        Tick(bottom - i * DURATION_PLOT_HEIGHT / (TICKS - 1), format_duration(i * longest / (TICKS - 1)))
        for i in range(TICKS)
    ]
    width = DURATION_AXIS_WIDTH + plot_width + 10
    return DurationChart(bars, ticks, width, bottom + DURATION_BOTTOM, DURATION_AXIS_WIDTH, bottom)


def _run_seconds(run: RunRecord, now: datetime) -> float | None:
    if run.start_date is None:
        return None
    return seconds_between(run.start_date, run.end_date or now)


__all__ = [
    "DurationBar",
    "DurationChart",
    "GanttBar",
    "GanttChart",
    "Tick",
    "durations_chart",
    "gantt_chart",
]
