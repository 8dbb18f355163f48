"""Asset-triggered timetables and AssetOrTimeSchedule, in both generations' names."""

from __future__ import annotations

import pendulum
import pytest

from brisa.errors import ScheduleError
from brisa.sdk.assets import Asset, Dataset
from brisa.timetables import CronTriggerTimetable, TimeRestriction, timetable_for, timetable_from_dict
from brisa.timetables.assets import (
    AssetOrTimeSchedule,
    AssetTriggeredTimetable,
    DatasetOrTimeSchedule,
    DatasetTriggeredTimetable,
)

NOW = pendulum.datetime(2025, 1, 1, 12, tz="UTC")
ANY_TIME = TimeRestriction(earliest=pendulum.datetime(2024, 1, 1, tz="UTC"), latest=None, catchup=False)


def test_a_list_of_assets_is_their_all_and_never_runs_on_a_clock():
    tt = timetable_for([Dataset("a"), Dataset("b")], generation="2")
    assert isinstance(tt, AssetTriggeredTimetable)
    assert tt.condition == {"all": [Dataset("a").as_condition(), Dataset("b").as_condition()]}
    assert (tt.summary, tt.description) == ("Dataset", "Triggered by datasets")
    assert tt.next_dagrun_info(last_automated_data_interval=None, restriction=ANY_TIME, now=NOW) is None
    assert timetable_for(Asset("a"), generation="3").summary == "Asset"


def test_the_asset_timetable_round_trips():
    tt = timetable_for(Asset("a") | Asset("b"), generation="3")
    assert timetable_from_dict(tt.serialize()) == tt


def test_asset_or_time_runs_on_its_timetable_and_round_trips():
    cron = CronTriggerTimetable("0 1 * * *", timezone="UTC")
    tt = AssetOrTimeSchedule(timetable=cron, assets=[Asset("a")])
    assert tt.summary == "Asset or 0 1 * * *"
    info = tt.next_dagrun_info(last_automated_data_interval=None, restriction=ANY_TIME, now=NOW)
    assert info == cron.next_dagrun_info(last_automated_data_interval=None, restriction=ANY_TIME, now=NOW)
    back = timetable_from_dict(tt.serialize())
    assert back.summary == tt.summary and back.serialize() == tt.serialize()


def test_dataset_names_keep_the_2x_words():
    cron = CronTriggerTimetable("0 1 * * *", timezone="UTC")
    tt = DatasetOrTimeSchedule(timetable=cron, datasets=Dataset("a") | Dataset("b"))
    assert tt.summary == "Dataset or 0 1 * * *"
    assert timetable_from_dict(tt.serialize()).summary == "Dataset or 0 1 * * *"
    assert DatasetTriggeredTimetable(Dataset("a")).summary == "Dataset"


def test_asset_or_time_needs_assets():
    with pytest.raises(ScheduleError):
        AssetOrTimeSchedule(timetable=CronTriggerTimetable("0 1 * * *", timezone="UTC"))
    with pytest.raises(ScheduleError):
        AssetOrTimeSchedule(timetable=CronTriggerTimetable("0 1 * * *", timezone="UTC"), assets=[1])
