"""Which language a page is shown in, and the translator templates call as ``_()``.

Messages are keyed by their English text (as gettext does), so an untranslated message
still reads well. The Portuguese catalog is a plain dict in :mod:`brisa.ui.catalog`:
no compile step, and a test checks that every ``_("...")`` in the templates and in
``brisa/ui`` has an entry.

The language is, in order: the ``brisa_lang`` cookie (set by the switcher in the page
header), then the first supported language of ``Accept-Language`` by quality, then
English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brisa.ui.catalog import CATALOGS

ENGLISH = "en"
PORTUGUESE = "pt-BR"
LANGUAGES: tuple[str, ...] = (ENGLISH, PORTUGUESE)
LANGUAGE_NAMES: Mapping[str, str] = {ENGLISH: "English", PORTUGUESE: "Português (Brasil)"}
LANGUAGE_COOKIE = "brisa_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def normalize_language(tag: str | None) -> str | None:
    """A supported language for a BCP 47 tag (``pt``, ``pt-PT``, ``en-GB``...), or None."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    if primary == "pt":
        return PORTUGUESE
    if primary == "en":
        return ENGLISH
    return None


def parse_accept_language(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, best first (``q=0`` ones dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    chosen = normalize_language(cookie) if cookie in LANGUAGES else None
    if chosen:
        return chosen
    for tag in parse_accept_language(accept_language):
        found = normalize_language(tag)
        if found:
            return found
    return ENGLISH


@dataclass(frozen=True)
class Translator:
    """``_("Pause")`` -> ``Pausar``; ``_("{n} runs", n=3)`` formats after translating."""

    language: str

    def __call__(self, message: str, **values: Any) -> str:
        text = CATALOGS.get(self.language, {}).get(message, message)
        return text.format(**values) if values else text

    def state(self, state: str | None) -> str:
        """A run or task state's name in this language (``None`` is "no status")."""
        return self(STATE_LABELS.get(state or "none", state or "none"))


STATE_LABELS: Mapping[str, str] = {
    "none": "no status",
    "scheduled": "scheduled",
    "queued": "queued",
    "running": "running",
    "success": "success",
    "failed": "failed",
    "skipped": "skipped",
    "up_for_retry": "up for retry",
    "up_for_reschedule": "up for reschedule",
    "upstream_failed": "upstream failed",
    "removed": "removed",
    "restarting": "restarting",
    "deferred": "deferred",
}


def translator_for(language: str) -> Translator:
    return Translator(language if language in LANGUAGES else ENGLISH)


__all__ = [
    "ENGLISH",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "LANGUAGE_COOKIE_MAX_AGE",
    "LANGUAGE_NAMES",
    "PORTUGUESE",
    "STATE_LABELS",
    "Translator",
    "normalize_language",
    "parse_accept_language",
    "pick_language",
    "translator_for",
]
