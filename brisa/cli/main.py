"""The ``brisa`` command.

Each command family lives in its own module with a ``register(cli)`` function; they are
imported only when the command line is parsed, so ``brisa --help`` stays fast.
"""

from __future__ import annotations

import importlib

import click

from brisa.cli.legacy import BrisaGroup

COMMAND_MODULES = (
    "brisa.cli.config_cmd",
    "brisa.cli.db_cmd",
    "brisa.cli.scheduler_cmd",
    "brisa.cli.triggerer_cmd",
    "brisa.cli.dags_cmd",
    "brisa.cli.dags_admin_cmd",
    "brisa.cli.tasks_cmd",
    "brisa.cli.users_cmd",
    "brisa.cli.api_server_cmd",
    "brisa.cli.standalone_cmd",
    "brisa.cli.celery_cmd",
    "brisa.cli.variables_cmd",
    "brisa.cli.connections_cmd",
    "brisa.cli.fernet_cmd",
    "brisa.cli.plugins_cmd",
    "brisa.cli.providers_cmd",
    "brisa.cli.pools_cmd",
    "brisa.cli.jobs_cmd",
    "brisa.cli.info_cmd",
    "brisa.cli.backfill_cmd",
    "brisa.cli.assets_cmd",
)


@click.group(
    cls=BrisaGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(package_name="brisa", prog_name="brisa")
def cli() -> None:
    """Brisa: a light workflow orchestrator that runs Apache Airflow DAG files unchanged."""


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(cli)


def main() -> None:
    from brisa.cli.errors import run_cli
    from brisa.cli.outside import run_dag_test
    from brisa.sdk.dag_test import set_dag_test_runner

    set_dag_test_runner(run_dag_test)  # DAG code the CLI runs may call dag.test()
    _register_all()
    run_cli(cli)
