"""From what the sources say to each option's value: which setting wins, and its parsing.

Every setting is classified against the option table; for each option the candidate of
highest rank (layer, own name before aliases, value before ``_cmd`` before ``_secret``)
that is not a placeholder is parsed, else the option's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from brisa.config.options import OPTIONS, ConfigItem, Option, OptionContext, classify_key
from brisa.config.sources import Candidate, Raw, candidate_text, platform_candidates
from brisa.config.urls import mask_config_value
from brisa.errors import ConfigError
from brisa.secret_names import is_sensitive_name


def classify(raw: Raw) -> tuple[Option, Candidate] | None:
    """The option a setting sets and its candidate value; None for an unknown key."""
    found = classify_key(raw.section, raw.name)
    if found is None:
        return None
    option, kind, alias_rank = found
    return option, raw.candidate(kind, alias_rank)


def _is_ignored(option: Option, candidate: Candidate, text: str) -> bool:
    if text in option.placeholders:
        return True
    return candidate.origin == "airflow.cfg" and text in option.airflow_cfg_defaults


def resolve(
    option: Option, candidates: list[Candidate], environ: Mapping[str, str], ctx: OptionContext
) -> tuple[ConfigItem, Any]:
    for candidate in sorted(candidates, key=lambda c: c.rank, reverse=True):
        text = candidate_text(candidate, environ).strip()
        if not _is_ignored(option, candidate, text):
            return _parse(option, text, candidate.source, candidate.where)
    text, source = option.default_for(ctx)
    return _parse(option, text, source, source)


def _parse(option: Option, text: str, source: str, where: str) -> tuple[ConfigItem, Any]:
    try:
        value = option.parse(text)
    except ValueError as exc:
        shown = mask_config_value(text, sensitive=True) if option.sensitive else repr(text)
        raise ConfigError(
            f"[{option.section}] {option.key} = {shown} from {where} is invalid: {exc}"
        ) from None
    listed = value if option.shows_parsed else text
    item = ConfigItem(option.section, option.key, listed, source, known=True, sensitive=option.sensitive)
    return item, value


def file_disagreements(
    candidates: Mapping[tuple[str, str], list[Candidate]], files: list[tuple[Path, str]]
) -> tuple[str, ...]:
    """A warning for each option both files set, differently (brisa.cfg's is used)."""
    if len(files) < 2:
        return ()
    by_origin = {origin: path for path, origin in files}
    warnings = []
    for (section, key), found in candidates.items():
        values = {c.origin: c.text.strip() for c in sorted(found, key=lambda c: c.rank) if c.kind == "value"}
        if {"airflow.cfg", "brisa.cfg"} <= set(values) and values["airflow.cfg"] != values["brisa.cfg"]:
            warnings.append(
                f"[{section}] {key} is set differently in {by_origin['brisa.cfg']} and "
                f"{by_origin['airflow.cfg']}: the value in {by_origin['brisa.cfg']} is used"
            )
    return tuple(warnings)


def gather(
    raws: list[Raw], environ: Mapping[str, str]
) -> tuple[dict[tuple[str, str], list[Candidate]], dict[tuple[str, str], ConfigItem]]:
    """Candidates for known options, and unknown keys (raws come lowest layer first)."""
    candidates: dict[tuple[str, str], list[Candidate]] = {option.id: [] for option in OPTIONS}
    unknown: dict[tuple[str, str], ConfigItem] = {}
    for raw in raws:
        classified = classify(raw)
        if classified is not None:
            candidates[classified[0].id].append(classified[1])
        else:
            unknown[(raw.section, raw.name)] = _unknown_item(raw)
    for option_id, candidate in platform_candidates(environ):
        candidates[option_id].append(candidate)
    return candidates, unknown


def _unknown_item(raw: Raw) -> ConfigItem:
    source = raw.label("value", False)
    return ConfigItem(
        raw.section, raw.name, raw.value, source, known=False, sensitive=is_sensitive_name(raw.name)
    )


__all__ = ["classify", "file_disagreements", "gather", "resolve"]
