"""The one place where Brisa errors become exit codes and messages on stderr."""

from __future__ import annotations

import sys

import click

from brisa import errors

EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (errors.NotFoundError, 3),
    (errors.ConflictError, 4),
    (errors.PermissionDenied, 5),
    (errors.AuthError, 5),
    (errors.InvalidInputError, 2),
    (errors.ConfigError, 6),
    (errors.DagError, 7),
    (errors.SecretsError, 8),
    (errors.StoreUnavailable, 9),
    (errors.StoreError, 9),
    (errors.ExecutorError, 10),
    (errors.BrisaError, 1),
)


def exit_code_for(exc: BaseException) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return 1


def run_cli(group: click.Group) -> None:
    try:
        code = group.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except errors.BrisaError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exit_code_for(exc))
    except OSError as exc:
        # Reaching here, it is about the machine (an unwritable BRISA_HOME, a full disk, a
        # missing folder), not a bug: one line naming the file, not a traceback.
        click.echo(f"Error: {describe_os_error(exc)}", err=True)
        sys.exit(EXIT_OS_ERROR)


EXIT_OS_ERROR = 11


def describe_os_error(exc: OSError) -> str:
    what = exc.strerror or type(exc).__name__
    where = f" {exc.filename}" if exc.filename else ""
    hint = ""
    if isinstance(exc, (PermissionError, NotADirectoryError, IsADirectoryError, FileNotFoundError)):
        hint = " (check BRISA_HOME/AIRFLOW_HOME and the folders in the configuration: Brisa writes there)"
    return f"cannot use{where}: {what}{hint}"
