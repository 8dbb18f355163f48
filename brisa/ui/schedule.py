"""A DAG's schedule in words, in the page's language.

The words come from the timetable (``Timetable.description``: "Every day", "At 00:00,
only on Friday", ...), which :mod:`brisa.timetables.describe` writes in English. For
Portuguese the known phrase shapes are rewritten; anything else stays in English, which
is still readable.
"""

from __future__ import annotations

import re
from datetime import timedelta

from brisa.errors import BrisaError
from brisa.plugins import registered_timetables
from brisa.serialized import SerializedDag
from brisa.store.records import DagRecord
from brisa.timetables import CRON_PRESETS, NullTimetable, timetable_from_dict
from brisa.timetables.describe import describe_cron, describe_delta
from brisa.ui.i18n import PORTUGUESE

_UNITS_PT = {
    "second": ("segundo", "segundos"),
    "minute": ("minuto", "minutos"),
    "hour": ("hora", "horas"),
    "day": ("dia", "dias"),
    "week": ("semana", "semanas"),
    "month": ("mês", "meses"),
    "year": ("ano", "anos"),
}
_DAYS_PT = {
    "Sunday": "domingo",
    "Monday": "segunda-feira",
    "Tuesday": "terça-feira",
    "Wednesday": "quarta-feira",
    "Thursday": "quinta-feira",
    "Friday": "sexta-feira",
    "Saturday": "sábado",
}
_MONTHS_PT = {
    "January": "janeiro",
    "February": "fevereiro",
    "March": "março",
    "April": "abril",
    "May": "maio",
    "June": "junho",
    "July": "julho",
    "August": "agosto",
    "September": "setembro",
    "October": "outubro",
    "November": "novembro",
    "December": "dezembro",
}
_FIXED_PT = {
    "Never, external triggers only": "Nunca, só por disparo externo",
    "Once, as soon as possible": "Uma vez, assim que possível",
    "As frequently as possible, but only one run at a time.": (
        "O mais frequente possível, uma execução por vez."
    ),
}
_EVERY_PT = {
    "second": "A cada segundo",
    "minute": "A cada minuto",
    "hour": "A cada hora",
    "day": "Todos os dias",
    "week": "Toda semana",
    "month": "Todo mês",
    "year": "Todo ano",
}
_PAST_THE_HOUR = re.compile(r"\bAt ([\d, and]+?) minutes past the hour")
_EVERY_UNIT = re.compile(r"\bEvery (second|minute|hour|day|week|month|year)\b")
_AMOUNT = re.compile(r"\b(\d+) (second|minute|hour|day|week|month|year)s?\b")
_PHRASES_PT: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bAt (\d\d:\d\d)"), r"Às \1"),
    (re.compile(r"\bEvery\b"), "A cada"),
    (re.compile(r"\bevery\b"), "a cada"),
    (re.compile(r"\bonly on\b"), "só"),
    (re.compile(r"\bonly in\b"), "só em"),
    (re.compile(r"\bon the last day of the month\b"), "no último dia do mês"),
    (re.compile(r"\bbetween day (\d+) and (\d+) of the month\b"), r"entre os dias \1 e \2 do mês"),
    (re.compile(r"\bon day (.+?) of the month\b"), r"no dia \1 do mês"),
    (re.compile(r"\bdays of the week\b"), "dias da semana"),
    (re.compile(r"\bbetween\b"), "entre"),
    (re.compile(r"\band\b"), "e"),
    (re.compile(r"\bthrough\b"), "a"),
    (re.compile(r"\(or\)"), "(ou)"),
)


_DELTA_SUMMARY = re.compile(r"(?:(\d+) days?, )?(\d+):(\d\d):(\d\d)")


def schedule_text(record: DagRecord, dag: SerializedDag | None) -> str:
    """The English words for a DAG's schedule, from its timetable when it is at hand."""
    if dag is not None:
        try:
            described = timetable_from_dict(dag.timetable, registry=registered_timetables).description
        except BrisaError:
            described = ""
        if described:
            return described
    return record_schedule(record)


def record_schedule(record: DagRecord) -> str:
    """The words stored on the DAG's row; rebuilt from its summary when none were stored.

    The list page reads rows only (not the serialized DAGs), and rows can lack the
    description: the summaries of the built-in timetables (``None``, a cron expression
    or preset, a ``timedelta``) are enough to say it again.
    """
    if record.timetable_description:
        return record.timetable_description
    summary = (record.timetable_summary or "").strip()
    if summary == "None":
        return NullTimetable.description
    delta = _DELTA_SUMMARY.fullmatch(summary)
    if delta:
        days, hours, minutes, seconds = (int(part or 0) for part in delta.groups())
        return describe_delta(timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds))
    return describe_cron(CRON_PRESETS.get(summary, summary)) or summary


def translate_schedule(text: str, language: str) -> str:
    if language != PORTUGUESE or not text:
        return text
    if text in _FIXED_PT:
        return _FIXED_PT[text]
    text = _PAST_THE_HOUR.sub(lambda m: f"Aos {m.group(1)} minutos de cada hora", text)
    text = _EVERY_UNIT.sub(lambda m: _EVERY_PT[m.group(1)], text)
    text = _AMOUNT.sub(lambda m: f"{m.group(1)} {_UNITS_PT[m.group(2)][int(m.group(1)) != 1]}", text)
    for pattern, replacement in _PHRASES_PT:
        text = pattern.sub(replacement, text)
    for english, portuguese in (*_DAYS_PT.items(), *_MONTHS_PT.items()):
        text = re.sub(rf"\b{english}\b", portuguese, text)
    return text


__all__ = ["record_schedule", "schedule_text", "translate_schedule"]
