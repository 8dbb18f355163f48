"""``airflow.providers.common.compat``: the provider every other provider imports.

Its modules re-export Airflow objects under one path for Airflow 2 and 3; here each
public name of its newest release (1.23.0) maps onto Brisa's object, or is rejected
with the reason.  Its ``version_compat`` flags follow :mod:`brisa.compat.versions`.
Private modules (``_compat_utils``...) are not provided.
"""

from __future__ import annotations

from brisa.compat.entries import ShimModule, merge, names, rejecting

COMPAT = "airflow.providers.common.compat"
_SDK = "brisa.sdk"
_HELPERS = f"{_SDK}.provider_compat"

ASSETS = "Brisa does not provide this asset helper (lineage details and alias expansion are Airflow-internal)"
TRIGGERS = "Brisa does not support DagRunTriggerException (Airflow 3.2's deferred TriggerDagRunOperator)"
ASYNC = "Brisa does not provide async hooks and connections; use the synchronous methods in tasks"
LINEAGE = "Brisa does not collect lineage (hook lineage, listeners, OpenLineage)"
PLUGINS = "Brisa does not support Airflow plugins"
INTERNAL = "it is Airflow-internal machinery Brisa does not expose to DAG code"
RETRY_POLICIES = "Brisa does not support Airflow 3.3's retry policies; use retries and retry_delay"
SECURITY = "Brisa's web UI has its own roles; Airflow's auth-manager permissions are not exposed"
VIRTUALENV = "Brisa does not support PythonVirtualenvOperator's helpers"

VERSION_FLAGS = names(
    "brisa.compat.versions",
    "AIRFLOW_V_3_0_PLUS",
    "AIRFLOW_V_3_1_PLUS",
    "AIRFLOW_V_3_2_PLUS",
    "AIRFLOW_V_3_3_PLUS",
    "AIRFLOW_V_3_4_PLUS",
    "get_base_airflow_version_tuple",
)

SDK_EXCEPTIONS = names(
    f"{_SDK}.exceptions",
    "AirflowConfigException",
    "AirflowException",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowOptionalProviderFeatureException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "AirflowTaskTimeout",
    "DownstreamTasksSkipped",
    "ParamValidationError",
    "TaskDeferred",
    "TaskDeferralError",
    "TaskDeferralTimeout",
    "XComNotFound",
)

BRANCHING = merge(
    names(f"{_SDK}.operators.branch", "BaseBranchOperator"),
    names(f"{_SDK}.operators.python", "BranchMixIn"),
)

SDK_NAMES = merge(
    names(f"{_SDK}.dag", "DAG", "dag"),
    names(f"{_SDK}.decorators", "task", "setup", "teardown"),
    names(f"{_SDK}.taskgroup", "TaskGroup", "task_group"),
    names(f"{_SDK}.decorators.base", "task_decorator_factory"),
    names(f"{_SDK}.params", "Param"),
    names(f"{_SDK}.variable", "Variable"),
    names(f"{_SDK}.connection", "Connection", "BaseHook"),
    names(f"{_SDK}.baseoperator", "BaseOperator"),
    names(f"{_SDK}.sensors.base", "BaseSensorOperator", "PokeReturnValue", "poke_mode_only"),
    names(f"{_SDK}.dependencies", "chain", "chain_linear", "cross_downstream", "Label", "EdgeModifier"),
    names(f"{_SDK}.context", "Context", "get_current_context"),
    names(f"{_SDK}.helpers", "get_parsing_context"),
    names(f"{_SDK}.xcom_arg", "XComArg"),
    names(f"{_SDK}.xcom", "XCom", "XCOM_RETURN_KEY"),
    names(f"{_SDK}.mapped", "MappedOperator"),
    names(f"{_SDK}.trigger_rule", "TriggerRule"),
    names(f"{_SDK}.weight_rule", "WeightRule"),
    names(f"{_SDK}.state", "DagRunState", "TaskInstanceState"),
    names(f"{_SDK}.skipping", "SkipMixin"),
    names(f"{_SDK}.notifier", "BaseNotifier"),
    names(f"{_SDK}.assets", "Asset", "AssetAlias", "AssetAll", "AssetAny", "Metadata"),
    names(f"{_SDK}.execution", "determine_kwargs"),
    names(f"{_SDK}.configuration", "conf"),
    names("brisa.secrets.masking", "mask_secret"),
    names(_HELPERS, "context_merge", "context_to_airflow_vars", "AIRFLOW_VAR_NAME_FORMAT_MAPPING"),
    BRANCHING,
    SDK_EXCEPTIONS,
    {"timezone": f"{_SDK}.timezone"},
)

SDK_UNSUPPORTED = merge(
    rejecting(ASSETS, "AssetLineageInfo"),
    rejecting("Brisa has no object storage support", "ObjectStoragePath", "io"),
    rejecting(PLUGINS, "AirflowPlugin"),
    rejecting(
        LINEAGE,
        "HookLineage",
        "HookLineageCollector",
        "HookLineageReader",
        "NoOpCollector",
        "get_hook_lineage_collector",
        "hookimpl",
        "get_listener_manager",
    ),
    rejecting(
        "Brisa's task decorator classes are internal; build decorators with task_decorator_factory",
        "TaskDecorator",
        "DecoratedOperator",
        "DecoratedMappedOperator",
        "get_unique_task_id",
        "KeywordParameters",
        "SET_DURING_EXECUTION",
    ),
    rejecting(
        INTERNAL,
        "TaskInstanceKey",
        "Stats",
        "timeout",
        "redact",
        "literal",
    ),
    rejecting(TRIGGERS, "DagRunTriggerException"),
    rejecting("Brisa does not resume external jobs across tries (AIP-103)", "ResumableJobMixin"),
    rejecting(
        RETRY_POLICIES,
        "ChainRetryPolicy",
        "ExceptionRetryPolicy",
        "RetryAction",
        "RetryDecision",
        "RetryPolicy",
        "RetryRule",
    ),
)

STANDARD_OPERATORS = merge(
    names(f"{_SDK}.operators.python", "PythonOperator", "ShortCircuitOperator"),
    names(f"{_SDK}.baseoperator", "BaseOperator"),
    names(f"{_SDK}.context", "get_current_context"),
    names(_HELPERS, "is_async_callable"),
    BRANCHING,
)

LINEAGE_ENTITIES = names(_HELPERS, "File", "User", "Tag", "Column", "Table", "default_if_none")

OPENLINEAGE = "Brisa does not emit OpenLineage events"

STANDARD_VERSION_COMPAT = ShimModule(
    merge(
        names(
            "brisa.compat.versions",
            "AIRFLOW_V_3_0_PLUS",
            "AIRFLOW_V_3_1_PLUS",
            "AIRFLOW_V_3_1_3_PLUS",
            "AIRFLOW_V_3_2_PLUS",
            "AIRFLOW_V_3_3_PLUS",
            "get_base_airflow_version_tuple",
        ),
        names(f"{_SDK}.baseoperator", "BaseOperator"),
    ),
    unsupported=rejecting(INTERNAL, "NOTSET", "ArgNotSet", "is_arg_set"),
)
"""The standard provider's own ``version_compat`` (Airflow 3, so its flags say 3.x)."""

COMMON_COMPAT: dict[str, ShimModule] = {
    COMPAT: ShimModule({"__version__": f"{_HELPERS}:PROVIDER_VERSION"}),
    f"{COMPAT}.version_compat": ShimModule(VERSION_FLAGS),
    f"{COMPAT}.sdk": ShimModule(SDK_NAMES, unsupported=SDK_UNSUPPORTED),
    f"{COMPAT}.standard": ShimModule(),
    f"{COMPAT}.standard.operators": ShimModule(
        STANDARD_OPERATORS,
        unsupported=rejecting("Brisa does not support async operators (Airflow 3.2+)", "BaseAsyncOperator"),
    ),
    f"{COMPAT}.standard.triggers": ShimModule(names(f"{_SDK}.triggers.temporal", "TimeDeltaTrigger")),
    f"{COMPAT}.standard.utils": ShimModule(
        names(f"{_SDK}.skipping", "SkipMixin"),
        unsupported=merge(
            rejecting(
                "Brisa records skips as task states, not XComs",
                "XCOM_SKIPMIXIN_KEY",
                "XCOM_SKIPMIXIN_SKIPPED",
                "XCOM_SKIPMIXIN_FOLLOWED",
            ),
            rejecting(VIRTUALENV, "write_python_script", "prepare_virtualenv"),
        ),
    ),
    f"{COMPAT}.assets": ShimModule(
        names(f"{_SDK}.assets", "Asset", "AssetAlias", "AssetAll", "AssetAny"),
        unsupported=rejecting(ASSETS, "AssetDetails", "AssetAliasDetails", "expand_alias_to_assets"),
    ),
    f"{COMPAT}.notifier": ShimModule(names(f"{_SDK}.notifier", "BaseNotifier")),
    f"{COMPAT}.connection": ShimModule(
        unsupported=rejecting(ASYNC, "get_async_connection", "get_async_extra_dejson")
    ),
    f"{COMPAT}.hook": ShimModule(unsupported=rejecting(ASYNC, "get_async_hook")),
    f"{COMPAT}.triggers": ShimModule(names(f"{_SDK}.triggers.base", "BaseEventTrigger")),
    f"{COMPAT}.check": ShimModule(
        unsupported=rejecting(
            "Brisa provides no provider packages whose version could be checked", "require_provider_version"
        )
    ),
    f"{COMPAT}.module_loading": ShimModule(
        names(_HELPERS, "import_string", "qualname", "iter_namespace", "is_valid_dotpath")
    ),
    f"{COMPAT}.lineage": ShimModule(),
    f"{COMPAT}.lineage.entities": ShimModule(LINEAGE_ENTITIES),
    f"{COMPAT}.openlineage": ShimModule(),
    f"{COMPAT}.openlineage.utils": ShimModule(),
    f"{COMPAT}.get_provider_info": ShimModule(names(_HELPERS, "get_provider_info")),
    f"{COMPAT}.sqlalchemy": ShimModule(),
    f"{COMPAT}.sqlalchemy.orm": ShimModule(names("sqlalchemy.orm", "mapped_column")),
    f"{COMPAT}.security": ShimModule(),
    f"{COMPAT}.security.permissions": ShimModule(
        unsupported=rejecting(
            SECURITY, "RESOURCE_BACKFILL", "RESOURCE_DAG_VERSION", "RESOURCE_ASSET_ALIAS", "RESOURCE_ASSET"
        )
    ),
    f"{COMPAT}.security.access_view": ShimModule(
        unsupported=rejecting(
            SECURITY,
            "AUDIT_LOGS_ALL_ACCESS_VIEW",
            "IMPORT_ERRORS_ALL_ACCESS_VIEW",
            "REPARSE_ALL_ACCESS_VIEW",
        )
    ),
}

COMMON_COMPAT_UNSUPPORTED_MODULES: dict[str, str] = {
    f"{COMPAT}.lineage.hook": LINEAGE,
    f"{COMPAT}.openlineage.check": OPENLINEAGE,
    f"{COMPAT}.openlineage.facet": OPENLINEAGE,
    f"{COMPAT}.openlineage.utils.spark": OPENLINEAGE,
    f"{COMPAT}.openlineage.utils.sql": OPENLINEAGE,
    f"{COMPAT}.openlineage.utils.utils": OPENLINEAGE,
}
"""Modules of the provider Brisa does not provide at all, with the reason."""

__all__ = ["COMMON_COMPAT", "COMMON_COMPAT_UNSUPPORTED_MODULES", "COMPAT", "STANDARD_VERSION_COMPAT"]
