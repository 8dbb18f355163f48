"""Every message the UI shows has a Portuguese translation."""

import re
from pathlib import Path

import pytest

import brisa.ui
from brisa.auth.roles import Role
from brisa.ui.catalog import PT_BR
from brisa.ui.i18n import STATE_LABELS
from brisa.ui.render import NAV_ITEMS, THEMES

UI = Path(brisa.ui.__file__).parent
LITERAL = re.compile(r"""\b_\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")


def template_messages() -> set[str]:
    found: set[str] = set()
    for template in (UI / "templates").glob("*.html"):
        found.update(LITERAL.findall(template.read_text()))
    return found


def dynamic_messages() -> set[str]:
    """Messages translated from a variable: states, roles, navigation, themes, form errors."""
    from brisa.api.login import INVALID_CREDENTIALS, MISSING_CREDENTIALS

    return {
        *STATE_LABELS.values(),
        *(role.value for role in Role),
        *(label for _, label, _ in NAV_ITEMS),
        *THEMES,
        "manual",
        "scheduled",
        "backfill",
        INVALID_CREDENTIALS,
        MISSING_CREDENTIALS,
        "The login form expired; please try again.",
        "not valid JSON",
        "must be a whole number",
        "must be a number",
        "must be a JSON array",
        "must be a JSON object",
        "not a date and time (YYYY-MM-DDTHH:MM)",
        "This DAG has import errors and cannot be triggered.",
        "You cannot change your own role.",
        "You cannot delete yourself.",
    }


def test_templates_use_many_messages() -> None:
    assert len(template_messages()) > 150


@pytest.mark.parametrize("message", sorted(template_messages() | dynamic_messages()))
def test_message_has_a_portuguese_translation(message: str) -> None:
    assert PT_BR.get(message), f"no pt-BR translation for {message!r}"


def test_placeholders_survive_translation() -> None:
    for english, portuguese in PT_BR.items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", portuguese)), english
