from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pendulum
import pytest

from brisa import errors
from brisa.sdk import dates
from brisa.sdk import timezone as tz
from brisa.sdk.configuration import conf, use_config
from brisa.sdk.exceptions import (
    AirflowConfigException,
    AirflowDagCycleException,
    AirflowException,
    AirflowRescheduleException,
    DuplicateTaskIdFound,
    ParamValidationError,
    UnsupportedFeatureError,
)
from brisa.sdk.helpers import apply_defaults, get_parsing_context
from brisa.sdk.state import DagRunState, State, TaskInstanceState
from brisa.sdk.trigger_rule import TriggerRule, normalize_trigger_rule
from brisa.sdk.weight_rule import WeightRule


def test_days_ago_is_midnight_utc_n_days_back():
    value = dates.days_ago(2)
    today = tz.utcnow().date()
    assert value.date() == today - timedelta(days=2)
    assert (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
    assert value.utcoffset() == timedelta(0)
    assert dates.days_ago(0, hour=5).hour == 5
    assert dates.cron_presets["@daily"] == "0 0 * * *"


def test_date_range():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert dates.date_range(start, start + timedelta(days=2), delta=timedelta(days=1)) == [
        start,
        start + timedelta(days=1),
        start + timedelta(days=2),
    ]
    assert len(dates.date_range(start, num=3, delta=timedelta(hours=1))) == 3


def test_timezone_helpers():
    naive = datetime(2024, 1, 1, 12)
    assert tz.is_naive(naive) and not tz.is_localized(naive)
    assert tz.convert_to_utc(naive) == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert tz.make_aware(naive).utcoffset() == timedelta(0)
    lisbon = pendulum.timezone("America/Sao_Paulo")
    assert tz.make_aware(naive, lisbon).utcoffset() == timedelta(hours=-3)
    assert tz.make_naive(datetime(2024, 1, 1, 12, tzinfo=UTC), lisbon) == datetime(2024, 1, 1, 9)
    assert tz.datetime(2024, 1, 1).tzinfo is not None
    assert tz.parse("2024-01-01T10:00:00") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert tz.utcnow().utcoffset() == timedelta(0)
    assert tz.timezone_name(lisbon) == "America/Sao_Paulo" and tz.timezone_name(None) == "UTC"
    assert tz.timezone_name(timezone(timedelta(hours=2))) == "+02:00"
    with pytest.raises(ValueError):
        tz.make_aware(tz.utcnow())
    assert tz.convert_to_utc(None) is None


def test_trigger_rules_and_weight_rules():
    assert {r.value for r in TriggerRule} >= {
        "all_success",
        "all_failed",
        "all_done",
        "all_done_setup_success",
        "one_success",
        "one_failed",
        "one_done",
        "none_failed",
        "none_skipped",
        "always",
        "none_failed_min_one_success",
        "all_skipped",
        "dummy",
    }
    assert TriggerRule.is_valid("one_done") and not TriggerRule.is_valid("x")
    assert (
        normalize_trigger_rule("dummy") == "always"
        and normalize_trigger_rule(TriggerRule.ALL_SUCCESS) == "all_success"
    )
    assert WeightRule.all_weight_rules() == {"downstream", "upstream", "absolute"}


def test_states_map_to_brisa_states():
    assert State.SUCCESS == "success" and State.NONE is None
    assert TaskInstanceState.UP_FOR_RETRY == "up_for_retry" and DagRunState.QUEUED == "queued"
    assert State.SKIPPED in State.finished and None in State.unfinished


def test_dag_definition_errors_are_catchable_both_ways():
    for cls, brisa_cls in (
        (DuplicateTaskIdFound, errors.DuplicateTaskIdError),
        (AirflowDagCycleException, errors.DagCycleError),
        (ParamValidationError, errors.ParamValidationError),
    ):
        err = cls("x")
        assert (
            isinstance(err, AirflowException)
            and isinstance(err, brisa_cls)
            and isinstance(err, errors.DagError)
        )
    unsupported = UnsupportedFeatureError("nope")
    assert isinstance(unsupported, ImportError) and isinstance(unsupported, errors.DagError)


def test_reschedule_exception_keeps_its_date_through_pickle():
    import pickle

    when = datetime(2024, 1, 1, tzinfo=UTC)
    again = pickle.loads(pickle.dumps(AirflowRescheduleException(when)))
    assert again.reschedule_date == when


def test_conf_defaults_and_installed_source():
    assert conf.getboolean("core", "dag_run_conf_overrides_params") is True
    assert conf.get("core", "missing", fallback="f") == "f"
    with pytest.raises(AirflowConfigException, match=r"section/key \[core/missing\] not found"):
        conf.get("core", "missing")

    class Source:
        def get(self, section, key):
            return {"core": {"parallelism": "8", "flag": "no"}}.get(section, {}).get(key)

    with use_config(Source()):
        assert conf.getint("core", "parallelism") == 8
        assert conf.getboolean("core", "flag") is False
        assert conf.has_option("core", "parallelism")
    assert not conf.has_option("core", "parallelism")


def test_small_helpers():
    def f():
        return 1

    assert apply_defaults(f) is f
    assert get_parsing_context() == (None, None)


def test_conf_source_may_be_a_function():
    with use_config(lambda section, key: "42" if (section, key) == ("core", "answer") else None):
        assert conf.getint("core", "answer") == 42
        assert conf.get("core", "default_timezone") == "utc"
