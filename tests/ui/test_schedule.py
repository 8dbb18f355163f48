from dataclasses import replace

import pytest

from brisa.store.records import DagRecord
from brisa.testing import make_dag
from brisa.ui.schedule import record_schedule, schedule_text, translate_schedule


def record(summary: str | None, description: str | None = None) -> DagRecord:
    fields = dict.fromkeys(DagRecord.__dataclass_fields__)
    fields.update(
        dag_id="d",
        fileloc="f",
        relative_fileloc="f",
        is_paused=False,
        is_active=True,
        owners="",
        has_import_errors=False,
        generation="2",
        timetable_summary=summary,
        timetable_description=description,
        tags=(),
    )
    return DagRecord(**fields)


@pytest.mark.parametrize(
    ("summary", "words"),
    [
        ("1 day, 0:00:00", "Every day"),
        ("6:00:00", "Every 6 hours"),
        ("2 days, 0:30:00", "Every 2 days and 30 minutes"),
        ("None", "Never, external triggers only"),
        ("@daily", "At 00:00"),
        ("30 21 * * 5", "At 21:30, only on Friday"),
        ("something custom", "something custom"),
    ],
)
def test_rows_without_a_description_get_words_from_their_summary(summary: str, words: str) -> None:
    assert record_schedule(record(summary)) == words


def test_a_stored_description_is_used_as_it_is() -> None:
    assert record_schedule(record("0 0 * * *", "Nightly")) == "Nightly"


def test_the_serialized_timetable_is_preferred() -> None:
    dag = make_dag(
        "d",
        {},
        timetable={"type": "CronDataIntervalTimetable", "expression": "*/5 * * * *", "timezone": "UTC"},
    )
    assert schedule_text(record("*/5 * * * *"), dag) == "Every 5 minutes"
    broken = replace(dag, timetable={"type": "NoSuchTimetable"})
    assert schedule_text(record("None"), broken) == "Never, external triggers only"


@pytest.mark.parametrize(
    ("english", "portuguese"),
    [
        ("Every day", "Todos os dias"),
        ("Every 5 minutes", "A cada 5 minutos"),
        ("Every 1 day and 2 hours", "A cada 1 dia e 2 horas"),
        ("At 21:30, only on Friday", "Às 21:30, só sexta-feira"),
        ("At 00:00, on day 1 of the month, only in January", "Às 00:00, no dia 1 do mês, só em janeiro"),
        ("At 15 minutes past the hour", "Aos 15 minutos de cada hora"),
        ("Every 2 hours, Monday through Friday", "A cada 2 horas, segunda-feira a sexta-feira"),
        ("Never, external triggers only", "Nunca, só por disparo externo"),
    ],
)
def test_schedules_in_portuguese(english: str, portuguese: str) -> None:
    assert translate_schedule(english, "pt-BR") == portuguese
    assert translate_schedule(english, "en") == english
