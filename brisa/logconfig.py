"""Process logs: one line per event on stdout, logfmt or JSON (a PaaS keeps stdout), or a
human-friendly console format (aligned, coloured) at a terminal.

``[logging] format``: ``auto`` (the default) is the console format when stdout is a
terminal and logfmt otherwise, so a platform's log drain always gets logfmt.

Task logs do not go here; they are stored per try in the database.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# uvicorn adds the message again with terminal colour codes: noise in a platform's log.
_DROPPED = frozenset({"color_message"})


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _extras(record: logging.LogRecord) -> dict[str, object]:
    """What ``logger.info(..., extra={...})`` added to the record."""
    return {k: v for k, v in record.__dict__.items() if k not in _RESERVED and k not in _DROPPED}


def _quote(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\n\t'):
        return text
    return json.dumps(text)


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{self.formatException(record.exc_info)}"
        parts = [
            f"ts={_timestamp(record)}",
            f"level={record.levelname.lower()}",
            f"logger={record.name}",
            f"msg={_quote(message)}",
        ]
        parts += [f"{k}={_quote(v)}" for k, v in _extras(record).items()]
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        data.update(_extras(record))
        return json.dumps(data, default=str)


class ConsoleFormatter(logging.Formatter):
    """``12:04:05 WARNING  brisa.scheduler  run r of d is failed  key=value`` for a person at
    a terminal: local time, aligned level and logger, colour by level (``colour=False`` off)."""

    COLOURS = {"DEBUG": "\033[2m", "INFO": "\033[32m", "WARNING": "\033[33m", "ERROR": "\033[31m"}
    RESET = "\033[0m"

    def __init__(self, colour: bool = True) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        level = f"{record.levelname:<8}"
        if self.colour:
            level = f"{self.COLOURS.get(record.levelname, self.COLOURS['ERROR'])}{level}{self.RESET}"
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extras = "".join(f"  {k}={_quote(v)}" for k, v in _extras(record).items())
        line = f"{when} {level} {record.name:<18} {record.getMessage()}{extras}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def formatter_for(fmt: str, *, at_terminal: bool) -> logging.Formatter:
    """``logfmt``, ``json``, ``console``, or ``auto``: console at a terminal, else logfmt."""
    if fmt == "json":
        return JsonFormatter()
    if fmt == "console" or (fmt == "auto" and at_terminal):
        return ConsoleFormatter(colour=at_terminal)
    return LogfmtFormatter()


class MaskingFormatter(logging.Formatter):
    """Another formatter's line with every known secret replaced (``mask(text) -> text``)."""

    def __init__(self, inner: logging.Formatter, mask: Callable[[str], str]) -> None:
        super().__init__()
        self.inner = inner
        self.mask = mask

    def format(self, record: logging.LogRecord) -> str:
        return self.mask(self.inner.format(record))


def configure(level: str = "INFO", fmt: str = "auto", mask: Callable[[str], str] | None = None) -> None:
    """Log to stdout; ``mask`` hides secrets (keys, URLs, connection passwords) in every line."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = formatter_for(fmt, at_terminal=sys.stdout.isatty())
    handler.setFormatter(MaskingFormatter(formatter, mask) if mask is not None else formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_noisy_loggers()


NOISY_LOGGERS = ("uvicorn.access", "celery.redirected", "alembic")
"""At ``info`` these say nothing a user needs: every request, Celery's redirected output,
and Alembic's plugin set-up and migration context (Brisa says which revision it reached)."""


def quiet_noisy_loggers() -> None:
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


__all__ = [
    "NOISY_LOGGERS",
    "ConsoleFormatter",
    "JsonFormatter",
    "LogfmtFormatter",
    "MaskingFormatter",
    "configure",
    "formatter_for",
    "quiet_noisy_loggers",
]
