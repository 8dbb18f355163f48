"""The Heroku files in the repository root: app.json (Heroku Button), Procfile, Python version.

Heroku reads app.json only when it creates an app; a mistake there shows up as a broken
first deploy, so its structure is checked here, and every variable it sets is fed to
``load_settings`` the way a dyno would see it.
"""

import json
import re
import secrets
import tomllib
from pathlib import Path

import click
import pytest

from brisa.api.context import secret_key_from
from brisa.cli import main
from brisa.config import load_settings
from brisa.errors import SecretsError
from brisa.secrets.fernet import FernetCodec, derive_key, generate_key
from brisa.secrets.service import SecretsService
from brisa.store import migrate
from brisa.store.sql import Store

ROOT = Path(__file__).resolve().parents[2]
APP = json.loads((ROOT / "app.json").read_text())
ENV = APP["env"]
HEROKU_DATABASE_URL = "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1"
SECRET_VARIABLE = "BRISA__API__SECRET_KEY"
EXAMPLES = {"BRISA__CORE__FERNET_KEY": generate_key(), SECRET_VARIABLE: secrets.token_hex(32)}
"""What a user would type for the variables app.json gives no value."""


def heroku_secret() -> str:
    """What app.json's ``"generator": "secret"`` gives: 64 random hex characters."""
    return secrets.token_hex(32)


def dyno_environment(**overrides: str) -> dict[str, str]:
    """The config vars of an app made from app.json: values, a generated secret, the add-on's URL."""
    env = {name: spec["value"] for name, spec in ENV.items() if "value" in spec}
    env |= {name: heroku_secret() for name, spec in ENV.items() if spec.get("generator") == "secret"}
    env |= {"DATABASE_URL": HEROKU_DATABASE_URL, "PORT": "5000", "DYNO": "web.1"}
    return env | overrides


def option_of(variable: str) -> tuple[str, str] | None:
    """``BRISA__CORE__X`` / ``AIRFLOW__CORE__X`` -> ("core", "x"); other names -> None."""
    match = re.fullmatch(r"(?:BRISA|AIRFLOW)__([A-Z0-9_]+?)__([A-Z0-9_]+)", variable)
    return (match.group(1).lower(), match.group(2).lower()) if match else None


# -- structure ------------------------------------------------------------------------------------


def test_app_json_has_what_the_heroku_button_needs():
    assert set(APP) >= {"name", "description", "env", "addons", "formation", "buildpacks"}
    assert isinstance(APP["name"], str) and len(APP["name"]) <= 30
    assert APP["buildpacks"] == [{"url": "heroku/python"}]
    for name, spec in ENV.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), name
        assert spec.get("description"), f"{name} needs a description for the Button's form"
        assert set(spec) <= {"description", "value", "required", "generator"}, name
        assert "value" in spec or "generator" in spec or spec.get("required") is False, (
            f"{name}: a required variable without a value would stop the Button"
        )


def test_postgres_is_an_essential_plan_attached_as_database_url():
    [addon] = APP["addons"]
    assert re.fullmatch(r"heroku-postgresql:essential-\d", addon["plan"])
    assert addon.get("as", "DATABASE") == "DATABASE"


def test_one_basic_web_dyno_and_no_worker_until_celery_is_wanted():
    # Eco dynos sleep after 30 idle minutes, and the scheduler with them: not a default.
    assert APP["formation"]["web"] == {"quantity": 1, "size": "basic"}
    assert APP["formation"]["worker"]["quantity"] == 0
    procfile_types = {line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if line}
    assert set(APP["formation"]) <= procfile_types


def test_the_secret_key_is_generated_and_the_fernet_key_is_optional():
    assert ENV[SECRET_VARIABLE]["generator"] == "secret"
    assert ENV["BRISA__CORE__FERNET_KEY"].get("required") is False
    assert "value" not in ENV["BRISA__CORE__FERNET_KEY"]


# -- every variable is understood -----------------------------------------------------------------


@pytest.mark.parametrize("variable", sorted(name for name in ENV if option_of(name)))
def test_every_configuration_variable_sets_a_known_option(variable):
    example = {variable: EXAMPLES[variable]} if "value" not in ENV[variable] else {}
    settings = load_settings(dyno_environment(**example), home="/app")
    section, key = option_of(variable)
    item = settings.item(section, key)
    assert item.known, f"{variable} is not an option Brisa reads"
    assert item.source == f"env {variable}"


def test_the_other_variables_are_brisas_home():
    assert {name for name in ENV if not option_of(name)} == {"BRISA_HOME"}
    settings = load_settings(dyno_environment())
    assert settings.home == Path("/app")
    assert settings.core.dags_folder == Path("/app/dags")


@pytest.mark.parametrize(
    "variable", sorted(name for name, spec in ENV.items() if spec.get("required") is False)
)
def test_an_optional_variable_left_blank_is_harmless(variable):
    load_settings(dyno_environment(**{variable: ""}), home="/app")


def test_the_dyno_gets_the_database_with_ssl_and_the_seed_layout():
    settings = load_settings(dyno_environment())
    assert settings.database.sql_alchemy_conn.startswith("postgresql+psycopg://")
    assert settings.database.sql_alchemy_conn.endswith("?sslmode=require")
    assert settings.api.port == 5000
    assert settings.database_retention.keep_days == int(ENV["BRISA__DATABASE_RETENTION__KEEP_DAYS"]["value"])


# -- the generated secret is enough --------------------------------------------------------------


def test_the_generated_secret_alone_gives_a_working_fernet_codec():
    settings = load_settings(dyno_environment(), home="/app")
    assert settings.core.fernet_key is None
    codec = FernetCodec.from_setting(settings.core.fernet_key, secret_key=settings.api.secret_key)
    assert codec.derived
    assert codec.decrypt(codec.encrypt("s3cr3t")) == "s3cr3t"
    assert len(secret_key_from(settings)) >= 32  # the API accepts it for signing


def test_every_dyno_derives_the_same_key_from_the_same_secret(tmp_path):
    environment = dyno_environment()
    store = Store(f"sqlite:///{tmp_path}/brisa.db")
    migrate.upgrade(store)
    web = SecretsService.from_settings(load_settings(environment, home="/app"), store, {})
    web.set_variable("api_token", "s3cr3t")
    # Another dyno (preboot, a worker, `heroku run`): same config vars, fresh process.
    worker = SecretsService.from_settings(load_settings(dict(environment), home="/app"), store, {})
    assert worker.get_variable("api_token") == "s3cr3t"
    assert worker.check_key() >= 1
    other_app = dyno_environment()  # a new secret: the stored value must not open
    stranger = SecretsService.from_settings(load_settings(other_app, home="/app"), store, {})
    with pytest.raises(SecretsError, match="cannot be decrypted"):
        stranger.get_variable("api_token")
    store.dispose()


def test_an_explicit_fernet_key_listing_the_derived_one_reads_old_values():
    secret = heroku_secret()
    old = FernetCodec.from_setting(None, secret_key=secret)
    token = old.encrypt("s3cr3t")
    new_key = FernetCodec.from_setting(None, secret_key=heroku_secret())  # any other key
    rotated_setting = f"{derive_key(heroku_secret())},{derive_key(secret)}"
    settings = load_settings(dyno_environment(BRISA__CORE__FERNET_KEY=rotated_setting), home="/app")
    codec = FernetCodec.from_setting(settings.core.fernet_key, secret_key=settings.api.secret_key)
    assert not codec.derived and codec.key_count == 2
    assert codec.decrypt(token) == "s3cr3t"
    with pytest.raises(SecretsError, match="cannot decrypt"):
        new_key.decrypt(token)


# -- Procfile, Python version, requirements ---------------------------------------------------------


def test_procfile_runs_brisa_commands_that_exist():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert {name: command.strip() for name, command in processes.items()} == {
        "release": "brisa db migrate",
        "web": "brisa standalone",
        "worker": "brisa celery worker",
    }
    main._register_all()
    for command in processes.values():
        words = command.split()[1:]
        with click.Context(main.cli) as ctx:
            found, group = main.cli, ctx
            for word in words:
                found = found.get_command(group, word)
                assert found is not None, f"`{command}`: no command {word!r}"
                if isinstance(found, click.Group):
                    group = click.Context(found, parent=group)


def test_python_version_is_one_the_buildpack_accepts_and_the_project_supports():
    version = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.(1[1-3])", version), "the buildpack wants <major>.<minor>, 3.11 to 3.13"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


def test_the_buildpack_finds_one_package_manager_file_the_lock():
    # Heroku's Python buildpack takes the first of requirements.txt, Pipfile, poetry.lock and
    # uv.lock it finds (and warns that several will become an error): uv.lock must be the one,
    # so the deploy installs the locked set (uv sync --locked) with Brisa itself.
    found = [
        name
        for name in ("requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock")
        if (ROOT / name).exists()
    ]
    assert found == ["uv.lock"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    project = next(p for p in lock["package"] if p["name"] == "brisa")
    assert project["source"] == {"editable": "."}
    locked = {p["name"] for p in lock["package"]}
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    # The Procfile's worker runs with what the buildpack installs (no extras).
    assert {"celery", "redis", "uvicorn", "psycopg"} <= locked
    assert any(dep.startswith("celery") for dep in runtime)
