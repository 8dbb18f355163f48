"""Keys made once in a fresh home, and Brisa's files readable by their owner only.

Real ``brisa`` processes started at the same moment (as honcho starts release, web and
worker) must agree on one Fernet key: every value any of them encrypted stays readable.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from brisa.cli.wiring import ensure_local_keys
from brisa.config import load_settings

PROCESSES = 8


def _fresh_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRISA"))}
    for name in ("DATABASE_URL", "REDIS_URL", "PORT", "DYNO"):
        env.pop(name, None)
    env.update(BRISA_HOME=str(home), BRISA__CORE__LOAD_EXAMPLES="False")
    return env


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_parallel_commands_in_a_fresh_home_share_one_key_and_every_value_stays_readable(tmp_path):
    home = tmp_path / "home"
    env = _fresh_env(home)
    started = [
        subprocess.Popen(
            ["brisa", "variables", "set", f"key{i}", f"value-{i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    outputs = [(p.wait(timeout=120), p.stdout.read() if p.stdout else "") for p in started]
    assert all(code == 0 for code, _ in outputs), outputs
    generated = sum(out.count("Generated a fernet key") for _, out in outputs)
    assert generated == 1, outputs

    for i in range(PROCESSES):
        done = subprocess.run(
            ["brisa", "variables", "get", f"key{i}"], env=env, capture_output=True, text=True, timeout=60
        )
        assert (done.returncode, done.stdout.strip()) == (0, f"value-{i}"), done.stderr


def test_brisas_files_in_a_fresh_home_are_readable_by_their_owner_only(tmp_path):
    home = tmp_path / "home"
    env = _fresh_env(home)
    done = subprocess.run(
        ["brisa", "variables", "set", "k", "v"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert _mode(home) == 0o700
    for name in ("brisa.cfg", "brisa.db", "brisa.db-wal", "brisa.db-shm"):
        if (home / name).exists() or name == "brisa.db" or name == "brisa.cfg":
            assert _mode(home / name) == 0o600, name


def test_a_home_the_user_made_keeps_its_mode(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    settings = load_settings(_fresh_env(home), resources=None)
    assert ensure_local_keys(settings)
    assert _mode(home) == 0o755
    assert _mode(home / "brisa.cfg") == 0o600


def test_keys_another_process_wrote_meanwhile_are_kept(tmp_path):
    """The check is repeated under the lock: settings read before the file existed do not
    overwrite keys another process stored since."""
    home = tmp_path / "home"
    env = _fresh_env(home)
    stale = load_settings(env)
    assert ensure_local_keys(load_settings(env))
    stored = (home / "brisa.cfg").read_text()
    assert ensure_local_keys(stale)  # "reload": the keys are there now
    assert (home / "brisa.cfg").read_text() == stored


@pytest.mark.parametrize("present", ["brisa.cfg", "airflow.cfg"])
def test_keys_are_written_to_brisa_cfg_beside_either_file_and_airflow_cfg_stays_read(tmp_path, present):
    home = tmp_path / "home"
    home.mkdir()
    (home / present).write_text("[core]\nmax_active_runs_per_dag = 3\n")
    env = _fresh_env(home)
    assert ensure_local_keys(load_settings(env))
    settings = load_settings(env)
    assert settings.core.fernet_key and settings.api.secret_key
    assert settings.core.max_active_runs_per_dag == 3  # the user's value, in either file, still read
    assert settings.warnings == ()


def test_no_keys_are_written_when_brisa_config_names_the_users_own_file(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    own = tmp_path / "mine.cfg"
    own.write_text("[core]\nload_examples = False\n")
    env = {**_fresh_env(home), "BRISA_CONFIG": str(own)}
    assert ensure_local_keys(load_settings(env)) is False
    assert not (home / "brisa.cfg").exists()


def test_an_airflow_placeholder_secret_key_does_not_count_as_a_stored_key(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    config = "[webserver]\nsecret_key = temporary_key\n[core]\nload_examples = False\n"
    (home / "brisa.cfg").write_text(config)
    env = _fresh_env(home)
    assert ensure_local_keys(load_settings(env))
    settings = load_settings(env)
    assert settings.core.fernet_key and settings.api.secret_key != "temporary_key"
    assert load_settings(env).core.fernet_key == settings.core.fernet_key
