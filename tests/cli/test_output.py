"""Every listing takes ``-o json|yaml|plain``; tables written to a pipe do not wrap at 80 columns."""

import json

import click
import yaml
from brisa_cli import brisa, home_env

from brisa.cli import main as cli_main

LISTINGS_BY_OTHER_NAMES = {
    ("dags", "details"),
    ("dags", "report"),
    ("tasks", "states-for-dag-run"),
    ("pools", "get"),
    ("connections", "get"),
    ("info",),
}


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_listing_offers_json_yaml_and_plain():
    cli_main._register_all()
    listings = {
        path: command
        for path, command in _commands(cli_main.cli)
        if path[-1].startswith("list") or path in LISTINGS_BY_OTHER_NAMES
    }
    assert len(listings) >= 15
    for path, command in listings.items():
        output = next((p for p in command.params if p.name == "output"), None)
        assert output is not None, f"brisa {' '.join(path)} has no -o"
        assert {"json", "yaml", "plain"} <= set(output.type.choices), path


def test_config_list_in_yaml_and_plain(tmp_path):
    env = home_env(tmp_path)
    as_yaml = yaml.safe_load(brisa("config", "list", "--section", "api", "-o", "yaml", env=env).stdout)
    as_json = json.loads(brisa("config", "list", "--section", "api", "-o", "json", env=env).stdout)
    assert as_yaml == as_json and as_yaml["api"]["port"]["value"] == "8080"
    plain = brisa("config", "list", "--section", "api", "-o", "plain", env=env).stdout.splitlines()
    assert "api\tport\t8080\tdefault" in plain
