"""docs/deploy: every ``brisa`` command the guides tell people to type exists, with its options.

The English and Portuguese guides must stay in step: the same commands, in the same order.
"""

import re
import shlex
from pathlib import Path

import click
import pytest

from brisa.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deploy"
GUIDES = ("heroku.md", "heroku.pt-BR.md")
_BLOCK = re.compile(r"```(?:bash|shell)?\n(.*?)```", re.DOTALL)
_BRISA = re.compile(r"(?:^|heroku run (?:-x )?|\$\(|&& )(brisa [a-z][^|)#&\n]*)")


def brisa_commands(guide: str) -> list[str]:
    """``brisa ...`` invocations in the guide's shell blocks and inline code, in order."""
    text = (DOCS / guide).read_text()
    found = []
    for block in _BLOCK.findall(text):
        for line in block.splitlines():
            found += [m.strip() for m in _BRISA.findall(line.strip())]
    for inline in re.findall(r"`([^`\n]*)`", _BLOCK.sub("", text)):
        found += [m.strip() for m in _BRISA.findall(inline)]
    return found


def resolve(command: str) -> tuple[click.Command, list[str], click.Context]:
    words = shlex.split(command)[1:]
    main._register_all()
    found: click.Command = main.cli
    ctx = click.Context(main.cli, info_name="brisa")
    while isinstance(found, click.Group) and words and not words[0].startswith("-"):
        child = found.get_command(ctx, words[0])
        assert child is not None, f"`{command}`: brisa has no command {words[0]!r}"
        found, words = child, words[1:]
        ctx = click.Context(found, info_name=found.name, parent=ctx)
    return found, words, ctx


@pytest.mark.parametrize("guide", GUIDES)
def test_every_brisa_command_in_the_guide_exists_with_its_options(guide):
    commands = brisa_commands(guide)
    assert len(commands) > 10
    for command in commands:
        found, args, ctx = resolve(command)
        assert not isinstance(found, click.Group), f"`{command}` names a group, not a command"
        try:
            found.make_context(found.name, args, parent=ctx.parent)
        except click.UsageError as exc:
            pytest.fail(f"`{command}` in {guide}: {exc.format_message()}")


def test_both_guides_give_the_same_commands():
    english, portuguese = (brisa_commands(guide) for guide in GUIDES)
    assert english == portuguese


def test_the_guides_link_to_each_other():
    assert "(heroku.pt-BR.md)" in (DOCS / "heroku.md").read_text()
    assert "(heroku.md)" in (DOCS / "heroku.pt-BR.md").read_text()
