"""``PythonVirtualenvOperator`` and ``ExternalPythonOperator`` (and their branch forms).

As Airflow 2.10/3.x: the callable's source (it must be a ``def`` with its imports inside)
is written to a script with its arguments serialised (``pickle``, ``dill`` or
``cloudpickle``), run by another interpreter in a subprocess, and the value it returns is
read back and becomes the task's XCom. Only context keys that survive the trip are passed:
plain strings always, pendulum dates when the target has pendulum, Brisa objects (``dag``,
``task``, ``dag_run``...) when the target can import Brisa.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import types
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from brisa.sdk import venv
from brisa.sdk.exceptions import AirflowException, AirflowSkipException
from brisa.sdk.operators.python import BranchMixIn, PythonOperator

SERIALIZERS = ("pickle", "dill", "cloudpickle")

BASE_SERIALIZABLE_CONTEXT_KEYS = frozenset(
    {
        "ds",
        "ds_nodash",
        "expanded_ti_count",
        "inlets",
        "outlets",
        "run_id",
        "task_instance_key_str",
        "test_mode",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "next_ds",
        "next_ds_nodash",
        "prev_ds",
        "prev_ds_nodash",
        "tomorrow_ds",
        "tomorrow_ds_nodash",
        "yesterday_ds",
        "yesterday_ds_nodash",
    }
)
PENDULUM_SERIALIZABLE_CONTEXT_KEYS = frozenset(
    {
        "data_interval_end",
        "data_interval_start",
        "logical_date",
        "prev_data_interval_end_success",
        "prev_data_interval_start_success",
        "prev_start_date_success",
        "prev_end_date_success",
        "execution_date",
        "next_execution_date",
        "prev_execution_date",
        "prev_execution_date_success",
    }
)
AIRFLOW_SERIALIZABLE_CONTEXT_KEYS = frozenset(
    {
        "macros",
        "conf",
        "dag",
        "dag_run",
        "task",
        "params",
        "triggering_asset_events",
        "triggering_dataset_events",
    }
)


def load_serializer(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        raise AirflowException(
            f"serializer={name!r} needs the {name} package where Brisa runs the task "
            f"(pip install {name}), and in the target environment"
        ) from None


def _skip_codes(skip_on_exit_code: int | Container[int] | None) -> Container[int]:
    if skip_on_exit_code is None:
        return ()
    return (skip_on_exit_code,) if isinstance(skip_on_exit_code, int) else skip_on_exit_code


def _check_callable(operator: str, function: Callable[..., Any]) -> None:
    if not isinstance(function, types.FunctionType) or function.__name__ == "<lambda>":
        raise ValueError(f"{operator} only supports functions for python_callable arg")
    if inspect.isgeneratorfunction(function):
        raise ValueError(f"{operator} does not support using 'yield' in python_callable")


def requirement_names(requirements: Iterable[str]) -> Iterator[str]:
    """The normalised project names in requirement lines (comments and options skipped)."""
    for line in (line.strip() for text in requirements for line in str(text).splitlines()):
        found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line) if line and line[0] not in "#-" else None
        if found:
            yield re.sub(r"[-_.]+", "-", found.group(0)).lower()


class _BasePythonVirtualenvOperator(PythonOperator):
    """What both operators share: the script, the arguments, the subprocess, the result."""

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        serializer: str | None = None,
        use_dill: bool = False,
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        string_args: Iterable[str] | None = None,
        templates_dict: dict[str, Any] | None = None,
        templates_exts: list[str] | None = None,
        expect_airflow: bool = True,
        skip_on_exit_code: int | Container[int] | None = None,
        env_vars: dict[str, str] | None = None,
        inherit_env: bool = True,
        **kwargs: Any,
    ) -> None:
        _check_callable(type(self).__name__, python_callable)
        super().__init__(
            python_callable=python_callable,
            op_args=op_args,
            op_kwargs=op_kwargs,
            templates_dict=templates_dict,
            templates_exts=templates_exts,
            **kwargs,
        )
        if use_dill:
            self.note_generation("2", "uses the use_dill argument (Airflow 1.10/2.x)")
        self.serializer = serializer or ("dill" if use_dill else "pickle")
        if self.serializer not in SERIALIZERS:
            raise AirflowException(
                f"Unsupported serializer {self.serializer!r}. "
                f"Expected one of {', '.join(map(repr, SERIALIZERS))}"
            )
        self.string_args = list(string_args or [])
        self.expect_airflow = expect_airflow
        self.skip_on_exit_code = skip_on_exit_code
        self.env_vars = env_vars
        self.inherit_env = inherit_env
        self._process: subprocess.Popen[bytes] | None = None

    # -- what runs --------------------------------------------------------------------------
    def serializable_context_keys(self) -> Iterator[str]:
        yield from BASE_SERIALIZABLE_CONTEXT_KEYS

    def execute(self, context: dict[str, Any]) -> Any:
        load_serializer(self.serializer)  # before building anything
        keys = set(self.serializable_context_keys())
        return super().execute({k: v for k, v in context.items() if k in keys})

    def get_python_source(self) -> str:
        return textwrap.dedent(inspect.getsource(self.python_callable))

    def execute_in_subprocess(self, python: str | Path) -> Any:
        pickling = load_serializer(self.serializer)
        with tempfile.TemporaryDirectory(prefix="venv-call") as tmp:
            files = [
                Path(tmp) / name for name in ("script.in", "script.out", "string_args.txt", "termination.log")
            ]
            self._write_args(pickling, files[0])
            files[2].write_text("\n".join(map(str, self.string_args)))
            script = Path(tmp) / "script.py"
            script.write_text(self._script())
            cmd = [str(python), str(script), *map(str, files)]
            code = venv.run_streaming(cmd, self._subprocess_env(), started=self._started)
            self._check_exit(code, files[3])
            return self._read_result(pickling, files[1])

    def _started(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    def on_kill(self) -> None:
        if self._process is not None:
            venv.end_group(self._process)

    # -- the pieces -----------------------------------------------------------------------------
    def _write_args(self, pickling: types.ModuleType, path: Path) -> None:
        if not (self.op_args or self.op_kwargs):
            return
        sys.stdout.write(f"Use {self.serializer!r} as serializer.\n")
        try:
            path.write_bytes(pickling.dumps({"args": list(self.op_args), "kwargs": dict(self.op_kwargs)}))
        except Exception as err:
            bad = [key for key, value in self.op_kwargs.items() if not _dumps_ok(pickling, value)]
            raise AirflowException(
                f"Failed to serialize the arguments with {self.serializer!r}"
                + (f"; these keyword arguments cannot be serialized: {bad}" if bad else f": {err}")
                + ". Ask for the context values the function needs by name, or use "
                "serializer='dill' or 'cloudpickle'"
            ) from err

    def _script(self) -> str:
        return render_script(
            source=self.get_python_source(),
            name=self.python_callable.__name__,
            module=self.python_callable.__module__,
            serializer=self.serializer,
            has_args=bool(self.op_args or self.op_kwargs),
            expect_airflow=self.expect_airflow,
        )

    def _subprocess_env(self) -> dict[str, str]:
        env = dict(os.environ) if self.inherit_env else {}
        env.update(self.env_vars or {})
        if getattr(self.dag, "generation", None) == "3":
            # Airflow 3 puts the DAG bundle on the subprocess's PYTHONPATH (helpers import).
            folder = str(_settings().core.dags_folder)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), folder) if p)
        return env

    def _check_exit(self, code: int, termination_log: Path) -> None:
        codes = _skip_codes(self.skip_on_exit_code)
        if code in codes:
            raise AirflowSkipException(f"Process exited with code {code}. Skipping.")
        if code != 0:
            detail = termination_log.read_text() if termination_log.exists() else ""
            raise AirflowException(f"Process returned non-zero exit status {code}.\n{detail}".rstrip())

    def _read_result(self, pickling: types.ModuleType, path: Path) -> Any:
        if not path.exists() or path.stat().st_size == 0:
            return None
        try:
            return pickling.loads(path.read_bytes())
        except ValueError as err:
            raise AirflowException(f"Error deserializing the result of {self.task_id}: {err}") from err


def _dumps_ok(pickling: types.ModuleType, value: Any) -> bool:
    try:
        pickling.dumps(value)
    except Exception:
        return False
    return True


class PythonVirtualenvOperator(_BasePythonVirtualenvOperator):
    """Run the function in a virtual environment built from ``requirements`` (templated;
    a list, or a ``.txt`` requirements file next to the DAG)."""

    template_fields = (
        "requirements",
        "index_urls",
        "index_urls_from_connection_ids",
        "venv_cache_path",
        *PythonOperator.template_fields,
    )
    template_ext = (".txt",)

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        requirements: Iterable[str] | str | None = None,
        python_version: str | float | None = None,
        system_site_packages: bool = True,
        pip_install_options: list[str] | None = None,
        index_urls: Collection[str] | str | None = None,
        index_urls_from_connection_ids: Collection[str] | str | None = None,
        venv_cache_path: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(python_callable=python_callable, **kwargs)
        if python_version is not None and not isinstance(python_version, str):
            self.note_generation("2", "passes python_version as a number (Airflow 1.10/2.x)")
            python_version = str(python_version)
        if (
            python_version
            and python_version[0] != str(sys.version_info.major)
            and (self.op_args or self.op_kwargs)
        ):
            raise AirflowException(
                "Passing op_args or op_kwargs is not supported across different Python major versions "
                "for PythonVirtualenvOperator. Please use string_args. "
                f"Virtual environment version: {python_version}"
            )
        self.requirements = [requirements] if isinstance(requirements, str) else list(requirements or [])
        self.python_version = python_version
        self.system_site_packages = system_site_packages
        self.pip_install_options = pip_install_options
        self.index_urls = [index_urls] if isinstance(index_urls, str) else _list_or_none(index_urls)
        ids = index_urls_from_connection_ids
        self.index_urls_from_connection_ids = [ids] if isinstance(ids, str) else _list_or_none(ids)
        self.venv_cache_path = venv_cache_path

    def requirements_list(self) -> list[str]:
        """The requirements, plus the serializer's package when the host's are not visible."""
        found = [str(line) for line in self.requirements]
        if not self.system_site_packages and self.serializer != "pickle" and self.serializer not in found:
            found.append(self.serializer)
        return sorted(found)

    def all_index_urls(self) -> list[str] | None:
        """``index_urls``, then the URLs of the package-index connections (Airflow 3)."""
        if not self.index_urls_from_connection_ids:
            return self.index_urls
        return [*(self.index_urls or []), *map(package_index_url, self.index_urls_from_connection_ids)]

    def venv_spec(self) -> venv.VenvSpec:
        from brisa.sdk.variable import Variable

        index_urls = self.all_index_urls()
        return venv.VenvSpec(
            requirements=tuple(self.requirements_list()),
            python_version=self.python_version,
            system_site_packages=self.system_site_packages,
            pip_install_options=tuple(self.pip_install_options or ()),
            index_urls=tuple(index_urls) if index_urls is not None else None,
            cache_key=str(Variable.get("python_virtualenv_operator_cache_key", "")),
        )

    def execute_callable(self) -> Any:
        settings = _settings()
        method = settings.standard.venv_install_method
        spec = self.venv_spec()
        if self.venv_cache_path:
            root = Path(os.fspath(self.venv_cache_path)).expanduser()
            root = root if root.is_absolute() else settings.home / "venvs" / root
            return self.execute_in_subprocess(venv.cached(root, spec, method=method))
        with tempfile.TemporaryDirectory(prefix="venv") as tmp:
            return self.execute_in_subprocess(venv.create(Path(tmp), spec, method=method))

    def serializable_context_keys(self) -> Iterator[str]:
        yield from BASE_SERIALIZABLE_CONTEXT_KEYS
        names = set(requirement_names(self.requirements))
        if self.system_site_packages or "apache-airflow" in names:
            yield from AIRFLOW_SERIALIZABLE_CONTEXT_KEYS
            yield from PENDULUM_SERIALIZABLE_CONTEXT_KEYS
        elif "pendulum" in names:
            yield from PENDULUM_SERIALIZABLE_CONTEXT_KEYS


class ExternalPythonOperator(_BasePythonVirtualenvOperator):
    """Run the function with an existing interpreter (``python``: an absolute path)."""

    template_fields = ("python", *PythonOperator.template_fields)

    def __init__(
        self,
        *,
        python: str,
        python_callable: Callable[..., Any],
        expect_pendulum: bool = False,
        **kwargs: Any,
    ) -> None:
        if not python:
            raise ValueError("Python Path must be defined in ExternalPythonOperator")
        self.python = python
        self.expect_pendulum = expect_pendulum
        super().__init__(python_callable=python_callable, **kwargs)

    def execute_callable(self) -> Any:
        path = Path(self.python)
        if not path.exists():
            raise ValueError(f"Python Path '{path}' must exists")
        if not path.is_file():
            raise ValueError(f"Python Path '{path}' must be a file")
        if not path.is_absolute():
            raise ValueError(f"Python Path '{path}' must be an absolute path.")
        major = _probe(self.python, "import sys; print(sys.version_info.major)", self._subprocess_env())
        if major != str(sys.version_info.major) and (self.op_args or self.op_kwargs):
            raise AirflowException(
                "Passing op_args or op_kwargs is not supported across different Python major versions "
                f"for ExternalPythonOperator. Please use string_args. Virtual environment version: {major}"
            )
        return self.execute_in_subprocess(path)

    def serializable_context_keys(self) -> Iterator[str]:
        yield from BASE_SERIALIZABLE_CONTEXT_KEYS
        env = self._subprocess_env()
        # Brisa's objects (dag, task, params...) unpickle where Brisa and its dependencies import.
        if self.expect_airflow and _probe(self.python, "import brisa.sdk.dag, pendulum", env) is not None:
            yield from AIRFLOW_SERIALIZABLE_CONTEXT_KEYS
            yield from PENDULUM_SERIALIZABLE_CONTEXT_KEYS
        elif _probe(self.python, "import pendulum", env) is not None:
            yield from PENDULUM_SERIALIZABLE_CONTEXT_KEYS
        elif self.expect_pendulum:
            sys.stdout.write(
                f"Pendulum is not installed for {self.python}: its date context keys are not passed\n"
            )


class BranchPythonVirtualenvOperator(PythonVirtualenvOperator, BranchMixIn):
    """``PythonVirtualenvOperator`` whose result is the task id(s) to follow."""

    def execute(self, context: dict[str, Any]) -> Any:
        return self.do_branch(context, super().execute(context))


class BranchExternalPythonOperator(ExternalPythonOperator, BranchMixIn):
    """``ExternalPythonOperator`` whose result is the task id(s) to follow."""

    def execute(self, context: dict[str, Any]) -> Any:
        return self.do_branch(context, super().execute(context))


def is_venv_installed() -> bool:
    """Airflow 2's check before using PythonVirtualenvOperator: ``venv`` always is, with
    Python 3; ``uv`` or ``virtualenv`` on PATH too."""
    return bool(shutil.which("uv") or shutil.which("virtualenv") or importlib.util.find_spec("venv"))


def package_index_url(conn_id: str) -> str:
    """A ``package_index`` connection as an index URL, its login in it (Airflow's
    ``PackageIndexHook.get_connection_url``)."""
    from urllib.parse import quote, urlsplit, urlunsplit

    from brisa.sdk.connection import BaseHook

    conn = BaseHook.get_connection(conn_id)
    if not conn.host:
        raise AirflowException(f"The connection {conn_id!r} has no host: it should be the index URL")
    url = urlsplit(conn.host)
    netloc = url.netloc.split("@")[-1]
    if conn.login:
        login = quote(conn.login) + (f":{quote(conn.password)}" if conn.password else "")
        netloc = f"{login}@{netloc}"
    return urlunsplit((url.scheme, netloc, url.path, url.query, url.fragment))


def _list_or_none(values: Collection[str] | None) -> list[str] | None:
    return list(values) if values is not None else None


def _probe(python: str, code: str, env: Mapping[str, str]) -> str | None:
    """What ``python -c code`` prints, or None when it fails."""
    try:
        done = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=dict(env)
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def _settings() -> Any:
    from brisa.config import load_settings

    return load_settings(os.environ)


# -- the script --------------------------------------------------------------------------------
_SCRIPT = """\
from __future__ import annotations  # annotations naming what only the DAG file imported

import sys

try:
    import {serializer}
except ImportError:
    with open(sys.argv[4], "w") as _file:
        _file.write(
            "The serializer {serializer!r} is not installed in this environment (" + sys.executable
            + "): add it to the requirements, or install it there"
        )
    sys.exit(1)
{airflow}
# The task's function
{source}
{module_alias}
{load_args}
with open(sys.argv[3]) as _file:
    virtualenv_string_args = [line.strip() for line in _file]

try:
    _result = {name}(*_arguments["args"], **_arguments["kwargs"])
except Exception as _error:
    with open(sys.argv[4], "w") as _file:
        _file.write(str(_error))
    raise

with open(sys.argv[2], "wb") as _file:
    if _result is not None:
        {serializer}.dump(_result, _file)
"""

_AIRFLOW_SHIM = """
# `import airflow` inside the function: Brisa's shim, where Brisa is importable.
try:
    from brisa.compat import install_shim

    install_shim()
except ImportError:
    pass
"""


def render_script(
    *, source: str, name: str, module: str, serializer: str, has_args: bool, expect_airflow: bool
) -> str:
    """The script the target interpreter runs: ``script.py IN OUT STRING_ARGS TERMINATION_LOG``."""
    if has_args:
        load_args = f'with open(sys.argv[1], "rb") as _file:\n    _arguments = {serializer}.load(_file)\n'
    else:
        load_args = '_arguments = {"args": [], "kwargs": {}}\n'
    alias = ""
    if module.startswith("unusual_prefix_"):
        # The function lived in the DAG file: values it pickled refer to that module.
        alias = (
            f"import types as _types\n_module = _types.ModuleType({module!r})\n"
            f"_module.{name} = {name}\nsys.modules[{module!r}] = _module\n"
        )
    return _SCRIPT.format(
        serializer=serializer,
        airflow=_AIRFLOW_SHIM if expect_airflow else "",
        source=source,
        module_alias=alias,
        load_args=load_args,
        name=name,
    )


__all__ = [
    "AIRFLOW_SERIALIZABLE_CONTEXT_KEYS",
    "BASE_SERIALIZABLE_CONTEXT_KEYS",
    "PENDULUM_SERIALIZABLE_CONTEXT_KEYS",
    "SERIALIZERS",
    "BranchExternalPythonOperator",
    "BranchPythonVirtualenvOperator",
    "ExternalPythonOperator",
    "PythonVirtualenvOperator",
    "is_venv_installed",
    "render_script",
]
