"""The frozen :class:`Settings` and :func:`load_settings`, which assembles it from the
sources (see the package docstring for the layers and their precedence)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from brisa.config.options import OPTIONS, ConfigItem, Option, OptionContext, find_option
from brisa.config.resolve import file_disagreements, gather, resolve
from brisa.config.resources import Resources, detect_resources
from brisa.config.sections import (
    SECTION_CLASSES,
    ApiSettings,
    CelerySettings,
    CoreSettings,
    DatabaseSettings,
    EmailSettings,
    LoggingSettings,
    MetricsSettings,
    RetentionSettings,
    SchedulerSettings,
    SecretsSettings,
    SmtpSettings,
    StandardSettings,
    TriggererSettings,
)
from brisa.config.sources import (
    AIRFLOW_ENV,
    BRISA_ENV,
    detect_platform,
    env_raws,
    find_config_files,
    process_environ,
    read_config_file,
    resolve_home,
)
from brisa.errors import ConfigError, NotFoundError


@dataclass(frozen=True)
class Settings:
    """Brisa's effective configuration, grouped by section.

    Secret fields (keys, database and broker URLs) are left out of ``repr()`` so that a
    logged Settings does not leak them; ``entries`` has every value as text with its source.
    """

    home: Path
    config_file: Path | None
    """The config file of highest precedence read (brisa.cfg, else airflow.cfg), if any."""
    core: CoreSettings
    database: DatabaseSettings
    scheduler: SchedulerSettings
    api: ApiSettings
    logging: LoggingSettings
    celery: CelerySettings
    secrets: SecretsSettings
    database_retention: RetentionSettings
    smtp: SmtpSettings
    email: EmailSettings
    metrics: MetricsSettings
    standard: StandardSettings
    triggerer: TriggererSettings
    entries: Mapping[tuple[str, str], ConfigItem] = field(repr=False, compare=False)
    config_files: tuple[Path, ...] = ()
    """Every config file read, lowest precedence first (airflow.cfg, then brisa.cfg)."""
    brisa_cfg: Path | None = None
    """The file read as Brisa's own (``$BRISA_CONFIG`` or ``$BRISA_HOME/brisa.cfg``), if any."""
    warnings: tuple[str, ...] = ()
    """What the configuration itself should tell the user (an option both files set
    differently); commands log them at start."""
    platform: str | None = None
    """The platform-as-a-service this runs on (``heroku``, ``render``...), None elsewhere:
    their disks do not outlive a restart, so nothing that must last is written there."""

    def item(self, section: str, key: str) -> ConfigItem:
        """The entry for an option; Airflow's old names (``core``, ``sql_alchemy_conn``) work too."""
        wanted = (section.lower(), key.lower())
        target = find_option(*wanted)
        found = self.entries.get((target[0].section, target[0].key) if target else wanted)
        if found is None:
            raise NotFoundError(f"the option [{wanted[0]}] {wanted[1]} is not set")
        return found

    def source(self, section: str, key: str) -> str:
        """Where the effective value came from: ``default``, ``env AIRFLOW__CORE__X``, ..."""
        return self.item(section, key).source

    def raw_value(self, section: str, key: str) -> str:
        """The effective value as text, unmasked."""
        return self.item(section, key).value

    def items(self, section: str | None = None) -> list[ConfigItem]:
        """Every entry, section by section: Brisa's options in table order, then unused keys."""
        return [item for item in self.entries.values() if section is None or item.section == section.lower()]


def _apply_sequential_executor(
    items: dict[tuple[str, str], ConfigItem], typed: dict[tuple[str, str], Any]
) -> None:
    if typed[("core", "executor")] != "SequentialExecutor":
        return
    typed[("core", "executor")] = "LocalExecutor"
    typed[("core", "parallelism")] = 1
    items[("core", "parallelism")] = ConfigItem(
        "core", "parallelism", "1", "forced to 1 by [core] executor = SequentialExecutor"
    )


def _refuse_custom_secrets_backend(unknown: Mapping[tuple[str, str], ConfigItem]) -> None:
    item = unknown.get(("secrets", "backend"))
    if item is not None and item.value.strip():
        raise ConfigError(
            f"[secrets] backend = {item.value.strip()} ({item.source}): Brisa does not load secrets "
            "backend classes; choose its built-in backends with [secrets] backends (env, metastore)"
        )


def _ordered_entries(
    items: dict[tuple[str, str], ConfigItem], unknown: dict[tuple[str, str], ConfigItem]
) -> dict[tuple[str, str], ConfigItem]:
    sections = list(SECTION_CLASSES)
    order = {section: index for index, section in enumerate(sections)}
    extra = sorted(unknown.values(), key=lambda i: (order.get(i.section, len(sections)), i.section, i.key))
    merged = [*items.values(), *extra]
    merged.sort(key=lambda i: order.get(i.section, len(sections)))  # stable: table order kept
    return {(item.section, item.key): item for item in merged}


def _build_section(cls: type, section: str, typed: Mapping[tuple[str, str], Any]) -> Any:
    return cls(**{f.name: typed[(section, f.name)] for f in fields(cls)})


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    home: str | None = None,
    cfg_path: str | None = None,
    resources: Resources | None = None,
) -> Settings:
    """Read the configuration (see the package docstring for the layers).

    ``environ`` defaults to ``os.environ``; ``resources`` (the container's limits, used
    for the default parallelism) defaults to what the cgroup files say.
    """
    environ = process_environ(environ)
    brisa_home = resolve_home(environ, home)
    files = find_config_files(environ, brisa_home, cfg_path)
    file_raws = [raw for path, origin in files for raw in read_config_file(path, origin)]
    variables = [*env_raws(environ, "AIRFLOW__", AIRFLOW_ENV), *env_raws(environ, "BRISA__", BRISA_ENV)]
    candidates, unknown = gather([*file_raws, *variables], environ)
    _refuse_custom_secrets_backend(unknown)
    ctx = OptionContext(home=brisa_home, resources=resources or detect_resources(), items={})
    typed: dict[tuple[str, str], Any] = {}
    for option in OPTIONS:
        ctx.items[option.id], typed[option.id] = resolve(option, candidates[option.id], environ, ctx)
    _apply_sequential_executor(ctx.items, typed)
    sections = {name: _build_section(cls, name, typed) for name, cls in SECTION_CLASSES.items()}
    return Settings(
        home=brisa_home,
        config_file=files[-1][0] if files else None,
        config_files=tuple(path for path, _ in files),
        brisa_cfg=next((path for path, origin in files if origin == "brisa.cfg"), None),
        warnings=file_disagreements(candidates, files),
        entries=MappingProxyType(_ordered_entries(ctx.items, unknown)),
        platform=detect_platform(environ),
        **sections,
    )


def default_entries(home: Path, resources: Resources | None = None) -> list[tuple[Option, ConfigItem]]:
    """Every option at its default for this home (``brisa config list --defaults``)."""
    ctx = OptionContext(home=home, resources=resources or detect_resources(), items={})
    entries = []
    for option in OPTIONS:
        value, source = option.default_for(ctx)
        item = ConfigItem(option.section, option.key, value, source, sensitive=option.sensitive)
        ctx.items[option.id] = item
        entries.append((option, item))
    return entries


__all__ = ["Settings", "default_entries", "load_settings"]
