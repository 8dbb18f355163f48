"""``airflow.*`` paths that provider packages import, beyond what DAG files use.

Kept apart from :mod:`brisa.compat.table` (which merges it in) so the surface real
providers need is one list: new modules, and names added to modules DAG files import too.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from brisa.compat.entries import ShimModule, merge, names

_SURFACE = "brisa.sdk.provider_surface"
_WARNINGS = names(_SURFACE, "AirflowProviderDeprecationWarning", "RemovedInAirflow4Warning")
_NOTSET = names("brisa.sdk.params", "NOTSET", "ArgNotSet")
_INTERNAL_TYPES = merge(_NOTSET, names(_SURFACE, "is_arg_set"))

NEW_MODULES: dict[str, ShimModule] = {
    "airflow.utils.strings": ShimModule(names(_SURFACE, "to_boolean")),
    "airflow.utils.module_loading": ShimModule(
        names("brisa.sdk.provider_compat", "import_string", "qualname", "iter_namespace", "is_valid_dotpath")
    ),
    "airflow.utils.operator_helpers": ShimModule(names("brisa.sdk.execution", "determine_kwargs")),
    "airflow.providers_manager": ShimModule(names("brisa.providers.manager", "ProvidersManager")),
    "airflow.typing_compat": ShimModule(
        names(
            "typing",
            "Literal",
            "ParamSpec",
            "Protocol",
            "Self",
            "TypeGuard",
            "TypedDict",
            "runtime_checkable",
        )
    ),
    "airflow.version": ShimModule({"version": "brisa.sdk.helpers:__version__"}),
    "airflow.models.baseoperatorlink": ShimModule(names(_SURFACE, "BaseOperatorLink")),
    "airflow.providers.common.sql.hooks.lineage": ShimModule(names(_SURFACE, "send_sql_hook_lineage")),
    "airflow.providers.common.compat.lineage.hook": ShimModule(
        names(_SURFACE, "get_hook_lineage_collector", "NoLineageCollector")
    ),
    "airflow.providers.common.compat.openlineage.check": ShimModule(
        names(_SURFACE, "require_openlineage_version")
    ),
    "airflow.sdk.definitions._internal": ShimModule(),
    "airflow.sdk.definitions._internal.types": ShimModule(_INTERNAL_TYPES),
    "airflow.utils.platform": ShimModule({"getuser": "getpass:getuser"}),
}

ADDED_NAMES: dict[str, dict[str, str]] = {
    "airflow.exceptions": merge(
        _WARNINGS, names("brisa.sdk.exceptions", "AirflowOptionalProviderFeatureException")
    ),
    "airflow.utils.helpers": names(
        _SURFACE, "at_most_one", "chunks", "exactly_one", "merge_dicts", "prune_dict"
    ),
    "airflow.providers.common.compat.sdk": names(_SURFACE, "BaseOperatorLink"),
    # Operator extra links (brisa/sdk/extra_links.py): Airflow 3's and 2.x's import paths.
    "airflow.sdk": names(_SURFACE, "BaseOperatorLink"),
    "airflow.models.baseoperator": names(_SURFACE, "BaseOperatorLink"),
    "airflow.utils.types": _NOTSET,
    "airflow.providers.common.compat.connection": names(
        _SURFACE, "get_async_connection", "get_async_extra_dejson"
    ),
}


def extend_table(table: MutableMapping[str, ShimModule]) -> None:
    """Add the provider surface to ``table`` (entries Brisa already has keep theirs)."""
    for module, entry in NEW_MODULES.items():
        table.setdefault(module, entry)
    for module, added in ADDED_NAMES.items():
        entry = table[module]
        unsupported = {name: why for name, why in entry.unsupported.items() if name not in added}
        table[module] = ShimModule(merge(added, entry.names), entry.forward, unsupported)


__all__ = ["ADDED_NAMES", "NEW_MODULES", "extend_table"]
