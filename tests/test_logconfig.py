"""Process logs: one line per event, whatever the message holds (a PaaS keeps 1,500 lines)."""

import json
import logging
import sys

import pytest

from brisa.logconfig import JsonFormatter, LogfmtFormatter


def _record(msg, *args, exc=False, **extra):
    exc_info = None
    if exc:
        try:
            raise RuntimeError("boom\nsecond line")
        except RuntimeError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("brisa.test", logging.ERROR, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    return record


@pytest.mark.parametrize("formatter", [LogfmtFormatter(), JsonFormatter()])
def test_an_exception_with_a_multi_line_message_is_still_one_line(formatter):
    line = formatter.format(_record("failed:\n%s", "details", exc=True))
    assert "\n" not in line
    assert "Traceback" in line and "second line" in line


def test_extras_are_kept_and_uvicorns_colour_copy_is_dropped():
    record = _record("Started server process [%d]", 42, color_message="Started \x1b[36m%d\x1b[0m", port=8080)
    line = LogfmtFormatter().format(record)
    assert line.endswith('msg="Started server process [42]" port=8080')
    data = json.loads(JsonFormatter().format(record))
    assert data["port"] == 8080 and "color_message" not in data


@pytest.mark.parametrize("fmt", ["logfmt", "json"])
def test_configure_with_a_mask_hides_secrets_in_every_line(fmt, capsys):
    from brisa.logconfig import configure

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure("INFO", fmt, mask=lambda text: text.replace("s3cr3t-key", "***"))
        logging.getLogger("brisa.test").info("connecting with %s", "s3cr3t-key")
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    out = capsys.readouterr().out
    assert "connecting with ***" in out and "s3cr3t-key" not in out


def _log_record(level=logging.WARNING, msg="run %s of %s is failed", args=("r1", "etl")):
    return logging.LogRecord("brisa.scheduler", level, __file__, 1, msg, args, None)


def test_auto_is_the_console_format_at_a_terminal_and_logfmt_in_a_log_drain():
    from brisa.logconfig import ConsoleFormatter, LogfmtFormatter, formatter_for

    assert isinstance(formatter_for("auto", at_terminal=True), ConsoleFormatter)
    assert isinstance(formatter_for("auto", at_terminal=False), LogfmtFormatter)
    assert isinstance(formatter_for("console", at_terminal=False), ConsoleFormatter)


def test_the_console_format_aligns_and_colours_by_level():
    from brisa.logconfig import ConsoleFormatter

    coloured = ConsoleFormatter(colour=True).format(_log_record())
    assert "\033[33mWARNING \033[0m" in coloured and "run r1 of etl is failed" in coloured
    plain = ConsoleFormatter(colour=False).format(_log_record(logging.INFO, "ready", ()))
    _when, level, logger, message = plain.split(None, 3)
    assert (level, logger, message) == ("INFO", "brisa.scheduler", "ready")
    assert plain.index("brisa.scheduler") == ConsoleFormatter(colour=False).format(_log_record()).index(
        "brisa.scheduler"
    )
