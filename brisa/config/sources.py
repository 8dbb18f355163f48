"""Where settings come from: environment variables, airflow.cfg and brisa.cfg, the
platform's variables (``PORT``, ``DATABASE_URL``...), ``KEY_CMD`` commands and
``KEY_SECRET`` files.

This is the configuration's only reader of ``os.environ`` (and only when a caller
passes no ``environ``); everything else receives the mapping or the Settings built from it.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from brisa.config.urls import normalize_database_url, normalize_redis_url
from brisa.errors import ConfigError

# airflow.cfg under brisa.cfg: both are read, and brisa.cfg (Brisa's own, where its keys are
# generated) wins where both set an option; load_settings warns when they disagree.
_AIRFLOW_FILE, _BRISA_FILE, _PLATFORM, AIRFLOW_ENV, BRISA_ENV = 1, 2, 3, 4, 5
_FILE_LAYERS = {"airflow.cfg": _AIRFLOW_FILE, "brisa.cfg": _BRISA_FILE}
_KIND_RANK = {"value": 2, "cmd": 1, "secret": 0}
_COMMAND_TIMEOUT = 60.0


@dataclass(frozen=True)
class Raw:
    """One setting as written in a config file or an environment variable."""

    section: str
    name: str
    value: str
    layer: int
    origin: str  # "brisa.cfg", "airflow.cfg" or "env"
    var: str | None = None
    path: Path | None = None

    def label(self, kind: str, is_alias: bool) -> str:
        """The source ``config list`` shows: ``env AIRFLOW__CORE__X``, ``brisa.cfg``, ..."""
        if self.var is not None:
            return f"env {self.var}" if kind == "value" else f"{kind} {self.var}"
        place = (
            self.origin if kind == "value" and not is_alias else f"{self.origin} [{self.section}] {self.name}"
        )
        return place if kind == "value" else f"{kind} {place}"

    def where(self) -> str:
        """The place an error names: the variable, or the file, section and key."""
        return f"env {self.var}" if self.var is not None else f"{self.path} [{self.section}] {self.name}"

    def candidate(self, kind: str, alias_rank: int) -> Candidate:
        """This setting as a candidate value of the option it sets (see ``classify_key``)."""
        return Candidate(
            rank=(self.layer, alias_rank, _KIND_RANK[kind]),
            kind=kind,
            text=self.value,
            source=self.label(kind, alias_rank != 0),
            where=self.where(),
            origin=self.origin,
        )


@dataclass(frozen=True)
class Candidate:
    """One value an option may take, with its precedence: the highest ``rank`` that is set wins."""

    rank: tuple[int, int, int]  # layer, own name before aliases, value before _cmd before _secret
    kind: str  # "value", "cmd" or "secret"
    text: str  # the value, the command, or the secret file's path
    source: str
    where: str
    origin: str
    expand: bool = True


def env_raws(environ: Mapping[str, str], prefix: str, layer: int) -> list[Raw]:
    raws = []
    for var in sorted(environ):
        if var.startswith(prefix):
            section, sep, name = var[len(prefix) :].partition("__")
            if sep and section and name:
                raws.append(Raw(section.lower(), name.lower(), environ[var], layer, "env", var=var))
    return raws


def read_config_file(path: Path, origin: str) -> list[Raw]:
    parser = configparser.ConfigParser(interpolation=configparser.BasicInterpolation())
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except configparser.Error as exc:
        raise ConfigError(f"config file {path} is not a valid INI file: {exc.message}") from None
    return [
        _file_raw(parser, path, origin, section, name)
        for section in parser.sections()
        for name in parser[section]
    ]


def _file_raw(parser: configparser.ConfigParser, path: Path, origin: str, section: str, name: str) -> Raw:
    try:
        value = parser.get(section, name)
    except configparser.InterpolationError:
        # The parser's own message quotes the value, which may be a password.
        raise ConfigError(
            f"{path} [{section}] {name}: '%' starts an interpolation such as %(name)s; "
            "write a literal % as %%"
        ) from None
    return Raw(section.lower(), name.lower(), value, _FILE_LAYERS[origin], origin, path=path)


def platform_candidates(environ: Mapping[str, str]) -> Iterator[tuple[tuple[str, str], Candidate]]:
    def candidate(var: str, text: str) -> Candidate:
        return Candidate((_PLATFORM, 0, 2), "value", text, f"env {var}", f"env {var}", "env", expand=False)

    port = environ.get("PORT", "").strip()
    if port:
        yield ("api", "port"), candidate("PORT", port)
    workers = environ.get("WEB_CONCURRENCY", "").strip()
    if workers:
        yield ("api", "workers"), candidate("WEB_CONCURRENCY", workers)
    database = environ.get("DATABASE_URL", "").strip()
    if database:
        pgsslmode = bool(environ.get("PGSSLMODE", "").strip())
        yield (
            ("database", "sql_alchemy_conn"),
            candidate("DATABASE_URL", _platform_database_url(database, pgsslmode)),
        )
    redis = environ.get("REDIS_URL", "").strip()
    if redis:
        yield ("celery", "broker_url"), candidate("REDIS_URL", normalize_redis_url(redis))
        yield ("celery", "result_backend"), candidate("REDIS_URL", normalize_redis_url(redis))


def _platform_database_url(url: str, sslmode_from_env: bool) -> str:
    if url.partition("://")[0].lower().startswith("mysql"):
        return url  # refused as written by the metadata database check, which names it
    try:
        return normalize_database_url(url, require_ssl_when_remote=True, sslmode_from_env=sslmode_from_env)
    except ValueError as exc:
        raise ConfigError(f"env DATABASE_URL is invalid: {exc}") from None


_VAR_REFERENCE = re.compile(r"\$(\w+)|\$\{([^}]*)\}")


def expand_vars(text: str, environ: Mapping[str, str]) -> str:
    """Airflow's ``expand_env_var`` over ``environ``: ``$VAR``, ``${VAR}`` and ``~``, until stable.

    Unknown variables are left as written (so ``$(command)`` stays literal).
    """
    for _ in range(10):
        expanded = _VAR_REFERENCE.sub(lambda m: environ.get(m.group(1) or m.group(2), m.group(0)), text)
        if (expanded == "~" or expanded.startswith("~/")) and environ.get("HOME"):
            expanded = environ["HOME"] + expanded[1:]
        if expanded == text:
            break
        text = expanded
    return text


def _run_command(command: str, where: str, environ: Mapping[str, str]) -> str:
    try:
        argv = shlex.split(command)
        if not argv:
            raise ValueError("empty command")
        done = subprocess.run(
            argv, capture_output=True, text=True, env=dict(environ), timeout=_COMMAND_TIMEOUT, check=False
        )
    except (ValueError, OSError) as exc:
        raise ConfigError(f"{where}: cannot run the command: {exc}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where}: the command did not finish within {_COMMAND_TIMEOUT:g} s") from None
    if done.returncode != 0:
        # Only stderr is quoted: stdout would be the secret.
        raise ConfigError(
            f"{where}: the command exited with status {done.returncode}: {done.stderr.strip()[-500:]}"
        )
    return done.stdout


def _read_secret_file(path_text: str, where: str) -> str:
    try:
        return Path(path_text.strip()).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{where}: cannot read the secret file {path_text.strip()}: {reason}") from None


def candidate_text(candidate: Candidate, environ: Mapping[str, str]) -> str:
    if candidate.kind == "cmd":
        return _run_command(candidate.text, candidate.where, environ)
    if candidate.kind == "secret":
        return _read_secret_file(candidate.text, candidate.where)
    return expand_vars(candidate.text, environ) if candidate.expand else candidate.text


def resolve_home(environ: Mapping[str, str], home: str | None) -> Path:
    if home is not None:
        return Path(expand_vars(home, environ))
    for name in ("BRISA_HOME", "AIRFLOW_HOME"):
        value = environ.get(name, "").strip()
        if value:
            return Path(expand_vars(value, environ))
    user_home = environ.get("HOME", "").strip()
    if environ.get("DYNO", "").strip():
        # On Heroku the app's checkout is $HOME (/app): its dags/ folder is the one to use.
        return Path(user_home) if user_home else Path.cwd()
    return (Path(user_home) if user_home else Path.home()) / "brisa"


def find_config_files(environ: Mapping[str, str], home: Path, cfg_path: str | None) -> list[tuple[Path, str]]:
    """The config files to read, lowest precedence first: Airflow's, then Brisa's."""
    found = [airflow] if (airflow := _find_airflow_cfg(environ, home)) else []
    brisa = _find_brisa_cfg(environ, home, cfg_path)
    return [*found, brisa] if brisa else found


def _find_brisa_cfg(environ: Mapping[str, str], home: Path, cfg_path: str | None) -> tuple[Path, str] | None:
    explicit = cfg_path or environ.get("BRISA_CONFIG", "").strip()
    if explicit:
        path = Path(expand_vars(explicit, environ))
        if not path.is_file():
            named = "" if cfg_path else " (BRISA_CONFIG)"
            raise ConfigError(f"config file {path}{named} does not exist")
        return path, "brisa.cfg"
    if (home / "brisa.cfg").is_file():
        return home / "brisa.cfg", "brisa.cfg"
    return None


def _find_airflow_cfg(environ: Mapping[str, str], home: Path) -> tuple[Path, str] | None:
    airflow_config = environ.get("AIRFLOW_CONFIG", "").strip()
    if airflow_config:
        path = Path(expand_vars(airflow_config, environ))
        if not path.is_file():
            raise ConfigError(f"AIRFLOW_CONFIG points to {path}, which does not exist")
        return path, "airflow.cfg"
    for base in (environ.get("AIRFLOW_HOME", "").strip(), str(home)):
        candidate = Path(expand_vars(base, environ)) / "airflow.cfg" if base else None
        if candidate is not None and candidate.is_file():
            return candidate, "airflow.cfg"
    return None


_PLATFORM_MARKERS = (
    ("DYNO", "heroku"),
    ("RENDER", "render"),
    ("RAILWAY_ENVIRONMENT", "railway"),
    ("FLY_APP_NAME", "fly"),
    ("DOKKU_APP_TYPE", "dokku"),
    ("K_SERVICE", "cloud-run"),
)


def detect_platform(environ: Mapping[str, str]) -> str | None:
    """Which PaaS sets these variables (Heroku's DYNO, Render's RENDER...), if any."""
    for variable, name in _PLATFORM_MARKERS:
        if environ.get(variable, "").strip():
            return name
    return None


def process_environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    """``environ`` as given, else this process's environment (read now, never at import)."""
    return os.environ if environ is None else environ


__all__ = [
    "AIRFLOW_ENV",
    "BRISA_ENV",
    "Candidate",
    "Raw",
    "candidate_text",
    "detect_platform",
    "env_raws",
    "expand_vars",
    "find_config_files",
    "platform_candidates",
    "process_environ",
    "read_config_file",
    "resolve_home",
]
