"""Which Airflow a DAG was written for: ``"2"`` (1.10 and 2.x) or ``"3"``.

Evidence, strongest first: the DAG's own ``airflow_generation=``; DAG arguments
Airflow 3 removed (``schedule_interval``...); modules only Airflow 3 has
(``airflow.sdk``, ``airflow.providers.standard``); modules only 1.10/2.x have
(``airflow.operators.*``, ``airflow.utils.dates``...); otherwise the configured default.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from brisa.compat.table import generation_of


def decide_generation(
    *,
    imported_modules: Iterable[str],
    dag_hints: Sequence[tuple[str, str]] = (),
    override: str | None = None,
    default: str = "2",
) -> tuple[str, str]:
    """``(generation, reason)``; the reason is shown on the DAG's details page."""
    if override is not None:
        return override, f"set by the DAG's airflow_generation={override!r}"
    modules = _leaves(list(imported_modules))
    three = [m for m in modules if generation_of(m) == "3"]
    two = [m for m in modules if generation_of(m) == "2"]
    two_hints = list(dict.fromkeys(reason for generation, reason in dag_hints if generation == "2"))
    if two_hints or (two and not three):
        evidence = ([f"imports {', '.join(two)}"] if two else []) + two_hints
        return "2", "Airflow 1.10/2.x DAG: " + "; ".join(evidence)
    if three:
        return "3", "Airflow 3 DAG: imports " + ", ".join(three)
    return default, f"no generation-specific import or argument; the configured default ({default})"


def is_airflow_1_module(module: str) -> bool:
    """Module paths of Airflow 1.10 (``airflow.operators.bash_operator``,
    ``airflow.hooks.base_hook``, ``airflow.contrib.*``): 2.x kept them only as deprecated
    aliases, so a file importing them was written for 1.10."""
    leaf = module.rsplit(".", 1)[-1]
    return module.startswith("airflow.contrib.") or (
        module.startswith(("airflow.operators.", "airflow.sensors.", "airflow.hooks."))
        and leaf.endswith(("_operator", "_sensor", "_hook"))
    )


def _leaves(modules: list[str]) -> list[str]:
    """Drop parent packages imported only on the way to a submodule."""
    return [m for m in modules if not any(other.startswith(m + ".") for other in modules)]


__all__ = ["decide_generation", "is_airflow_1_module"]
