"""``None``, ``@once`` and ``@continuous``."""

from __future__ import annotations

from brisa.timetables import (
    ContinuousTimetable,
    DataInterval,
    NullTimetable,
    OnceTimetable,
    TimeRestriction,
    is_periodic_summary,
)

from .helpers import utc


def ask(timetable, *, earliest=None, latest=None, catchup=True, last=None, now=utc(2024, 1, 10)):
    return timetable.next_dagrun_info(
        last_automated_data_interval=last, restriction=TimeRestriction(earliest, latest, catchup), now=now
    )


def test_null_never_schedules_and_manual_runs_are_exact():
    tt = NullTimetable()
    assert ask(tt, earliest=utc(2024, 1, 1)) is None
    assert tt.infer_manual_data_interval(run_after=utc(2024, 1, 5)) == DataInterval.exact(utc(2024, 1, 5))
    assert (tt.summary, tt.description) == ("None", "Never, external triggers only")
    assert not tt.can_be_scheduled and not tt.periodic


def test_once_runs_at_the_start_date_whatever_catchup_says():
    tt = OnceTimetable()
    for catchup in (True, False):
        info = ask(tt, earliest=utc(2024, 1, 1, 6), catchup=catchup)
        assert (info.run_after, info.data_interval) == (
            utc(2024, 1, 1, 6),
            DataInterval.exact(utc(2024, 1, 1, 6)),
        )
    assert ask(tt, earliest=utc(2024, 1, 1), last=DataInterval.exact(utc(2024, 1, 1))) is None
    assert ask(tt) is None
    assert ask(tt, earliest=utc(2024, 1, 2), latest=utc(2024, 1, 1)) is None
    assert (tt.summary, tt.description) == ("@once", "Once, as soon as possible")
    assert tt.can_be_scheduled and not tt.periodic


def test_continuous_first_run_covers_start_date_to_now():
    tt = ContinuousTimetable()
    info = ask(tt, earliest=utc(2024, 1, 1), now=utc(2024, 1, 10))
    assert (info.data_interval, info.run_after) == (
        DataInterval(utc(2024, 1, 1), utc(2024, 1, 10)),
        utc(2024, 1, 10),
    )
    future = ask(tt, earliest=utc(2024, 2, 1), now=utc(2024, 1, 10))
    assert future.data_interval == DataInterval.exact(utc(2024, 2, 1))


def test_continuous_next_run_starts_where_the_last_ended():
    tt = ContinuousTimetable()
    last = DataInterval(utc(2024, 1, 1), utc(2024, 1, 10))
    info = ask(tt, earliest=utc(2024, 1, 1), last=last, now=utc(2024, 1, 10, 0, 5))
    assert info.data_interval == DataInterval(utc(2024, 1, 10), utc(2024, 1, 10, 0, 5))


def test_continuous_keeps_the_last_length_when_the_last_run_ends_in_the_future():
    tt = ContinuousTimetable()
    last = DataInterval(utc(2024, 1, 20), utc(2024, 1, 21))
    info = ask(tt, earliest=utc(2024, 2, 1), last=last, now=utc(2024, 1, 10))
    assert info.data_interval == DataInterval(utc(2024, 2, 1), utc(2024, 2, 2))


def test_continuous_respects_end_date_and_needs_a_start_date():
    tt = ContinuousTimetable()
    assert ask(tt, earliest=utc(2024, 1, 1), latest=utc(2024, 1, 5), now=utc(2024, 1, 10)) is None
    assert ask(tt, now=utc(2024, 1, 10)) is None
    assert tt.active_runs_limit == 1
    assert tt.summary == "@continuous"


def test_trivial_timetables_serialize_to_their_type():
    for cls in (NullTimetable, OnceTimetable, ContinuousTimetable):
        assert cls().serialize() == {"type": cls.__name__}
        assert cls.deserialize(cls().serialize()) == cls()


def test_a_stored_summary_tells_whether_the_schedule_repeats():
    # The API's DAG lists answer Airflow's timetable_periodic from the row alone.
    for tt in (NullTimetable(), OnceTimetable(), ContinuousTimetable()):
        assert is_periodic_summary(tt.summary) is tt.periodic is False
    assert is_periodic_summary(None) is False
    for summary in ("0 0 * * *", "@daily", "1 day, 0:00:00", "3 events"):
        assert is_periodic_summary(summary) is True
