"""The one explicit table: Airflow module path -> the Brisa objects it provides.

Each entry maps an exported name to ``"brisa.module:attribute"``; a ``forward``
module makes every public name of a Brisa module available (used for
``airflow.utils.timezone``-style modules).  Anything under ``airflow.`` that is not
here fails to import with a message saying Brisa does not support it.
"""

from __future__ import annotations

from brisa.compat.common_compat import (
    COMMON_COMPAT,
    COMMON_COMPAT_UNSUPPORTED_MODULES,
    STANDARD_VERSION_COMPAT,
)
from brisa.compat.contrib import CONTRIB_MODULES, CONTRIB_UNSUPPORTED_MODULES
from brisa.compat.entries import ShimModule
from brisa.compat.entries import merge as _merge
from brisa.compat.entries import names as _names
from brisa.compat.provider_surface import extend_table

_SDK = "brisa.sdk"


DAG_NAMES = _names(f"{_SDK}.dag", "DAG")
MASKING = _names("brisa.secrets.masking", "mask_secret")
BASEOP = _names(f"{_SDK}.baseoperator", "BaseOperator")
CHAIN = _names(f"{_SDK}.dependencies", "chain", "cross_downstream", "chain_linear")
EXCEPTIONS = _names(
    f"{_SDK}.exceptions",
    "AirflowException",
    "AirflowSkipException",
    "AirflowFailException",
    "AirflowSensorTimeout",
    "AirflowRescheduleException",
    "AirflowTaskTimeout",
    "AirflowNotFoundException",
    "AirflowBadRequest",
    "AirflowConfigException",
    "TaskDeferred",
    "TaskDeferralError",
    "TaskDeferralTimeout",
    "AirflowTaskTerminated",
    "DownstreamTasksSkipped",
    "DuplicateTaskIdFound",
    "AirflowDagCycleException",
    "ParamValidationError",
    "XComNotFound",
    "AirflowDagDuplicatedIdException",
    "AirflowTimetableInvalid",
    "UnmappableOperator",
)
BASH_OP = _names(f"{_SDK}.operators.bash", "BashOperator")
PYTHON_OPS = _merge(
    _names(
        f"{_SDK}.operators.python",
        "PythonOperator",
        "BranchPythonOperator",
        "ShortCircuitOperator",
        "BranchMixIn",
    ),
    _names(f"{_SDK}.context", "get_current_context"),
)
# PythonVirtualenvOperator and friends (issue 15): the 1.10, 2.x and standard-provider paths.
VENV_OPS = _names(
    f"{_SDK}.operators.python_virtualenv",
    "PythonVirtualenvOperator",
    "BranchPythonVirtualenvOperator",
    "ExternalPythonOperator",
    "BranchExternalPythonOperator",
    "is_venv_installed",
)
EMPTY_OPS = _names(f"{_SDK}.operators.empty", "EmptyOperator", "DummyOperator")
SUBDAG_OPS = _names(f"{_SDK}.operators.subdag", "SubDagOperator", "SkippedStatePropagationOptions")
TRIGGER_OPS = _names(f"{_SDK}.operators.trigger_dagrun", "TriggerDagRunOperator", "DagRunOrder")
LATEST_OPS = _names(f"{_SDK}.operators.latest_only", "LatestOnlyOperator")
BRANCH_OPS = _names(f"{_SDK}.operators.branch", "BaseBranchOperator", "BranchMixIn")
DATETIME_OPS = _names(f"{_SDK}.operators.datetime", "BranchDateTimeOperator", "target_times_as_dates")
WEEKDAY_OPS = _names(f"{_SDK}.operators.weekday", "BranchDayOfWeekOperator", "WeekDay")
SENSOR_BASE = _names(f"{_SDK}.sensors.base", "BaseSensorOperator", "PokeReturnValue", "poke_mode_only")
PYTHON_SENSOR = _names(f"{_SDK}.sensors.python", "PythonSensor")
TIME_DELTA_SENSOR = _names(
    f"{_SDK}.sensors.time_delta", "TimeDeltaSensor", "TimeDeltaSensorAsync", "WaitSensor"
)
DATE_TIME_SENSOR = _names(f"{_SDK}.sensors.date_time", "DateTimeSensor", "DateTimeSensorAsync")
TIME_SENSOR = _names(f"{_SDK}.sensors.time", "TimeSensor", "TimeSensorAsync")
FILE_SENSOR = _names(f"{_SDK}.sensors.filesystem", "FileSensor")
EXTERNAL_SENSOR = _names(f"{_SDK}.sensors.external_task", "ExternalTaskSensor", "ExternalTaskMarker")
WEEKDAY_SENSOR = _names(f"{_SDK}.sensors.weekday", "DayOfWeekSensor")
BASH_SENSOR = _names(f"{_SDK}.sensors.bash", "BashSensor")
TRIGGER_BASE = _names(
    f"{_SDK}.triggers.base",
    "BaseTrigger",
    "BaseEventTrigger",
    "TriggerEvent",
    "TaskSuccessEvent",
    "TaskFailedEvent",
    "TaskSkippedEvent",
    "StartTriggerArgs",
)
TEMPORAL_TRIGGERS = _names(f"{_SDK}.triggers.temporal", "DateTimeTrigger", "TimeDeltaTrigger")
FILE_TRIGGER = _names(f"{_SDK}.triggers.file", "FileTrigger")
EXTERNAL_TRIGGERS = _names(f"{_SDK}.triggers.external_task", "WorkflowTrigger", "DagStateTrigger")
STANDARD_EXCEPTIONS = _names(
    f"{_SDK}.exceptions",
    "AirflowExternalTaskSensorException",
    "ExternalDagNotFoundError",
    "ExternalDagDeletedError",
    "ExternalTaskNotFoundError",
    "ExternalTaskGroupNotFoundError",
    "ExternalTaskFailedError",
    "ExternalTaskGroupFailedError",
    "ExternalDagFailedError",
    "DuplicateStateError",
)
HOOK = _names(f"{_SDK}.connection", "BaseHook")
FS_HOOK = _names(f"{_SDK}.hooks.filesystem", "FSHook")
DBAPI_HOOK = _names(f"{_SDK}.hooks.dbapi", "DbApiHook", "fetch_all_handler", "fetch_one_handler")
SQL_OPS = _names(f"{_SDK}.operators.sql", "SQLExecuteQueryOperator")
POSTGRES_HOOK = _names(f"{_SDK}.hooks.postgres", "PostgresHook")
POSTGRES_OPS = _names(f"{_SDK}.operators.sql", "PostgresOperator")
SQLITE_HOOK = _names(f"{_SDK}.hooks.sqlite", "SqliteHook")
SQLITE_OPS = _names(f"{_SDK}.operators.sql", "SqliteOperator")
EMAIL_OPS = _names(f"{_SDK}.operators.email", "EmailOperator")
EMAIL_UTILS = _names(f"{_SDK}.email", "send_email", "send_mime_email", "get_email_address_list")
DECORATORS = _merge(
    _names(f"{_SDK}.decorators", "task", "dag", "task_group", "setup", "teardown"),
)
PARAMS = _names(f"{_SDK}.params", "Param", "ParamsDict")
TASK_GROUP = _names(f"{_SDK}.taskgroup", "TaskGroup", "task_group")
TASK_GROUP_MODULE = _merge(TASK_GROUP, _names(f"{_SDK}.mapped_group", "MappedTaskGroup"))
EDGES = _names(f"{_SDK}.dependencies", "Label", "EdgeModifier")
CONTEXT = _names(f"{_SDK}.context", "Context", "get_current_context")
XCOM_ARG = _names(f"{_SDK}.xcom_arg", "XComArg", "PlainXComArg", "MapXComArg", "ZipXComArg")
MODELS_BASIC = _merge(
    DAG_NAMES,
    BASEOP,
    PARAMS,
    _names(f"{_SDK}.variable", "Variable"),
    _names(f"{_SDK}.connection", "Connection"),
    _names(f"{_SDK}.xcom", "XCom"),
    _names(f"{_SDK}.taskinstance", "TaskInstance"),
    _names(f"{_SDK}.dagrun", "DagRun"),
    _names(f"{_SDK}.mapped", "MappedOperator"),
)
DAGBAG = _names("brisa.loader.dagbag", "DagBag")
STATE = _names(f"{_SDK}.state", "State", "TaskInstanceState", "DagRunState")
TIMETABLE_BASE = _names("brisa.timetables", "Timetable", "DataInterval", "TimeRestriction", "DagRunInfo")

ASSETS_3 = _names(f"{_SDK}.assets", "Asset", "AssetAlias", "AssetAll", "AssetAny", "AssetWatcher", "Metadata")
ASSET_DECORATOR = _names(f"{_SDK}.asset_decorator", "asset")
DATASETS_2 = _names(f"{_SDK}.assets", "Dataset", "DatasetAlias", "DatasetAll", "DatasetAny", "BaseDataset")
NOTIFIER = _names(f"{_SDK}.notifier", "BaseNotifier")
PARTITION_MAPPERS = _names(
    "brisa.timetables.partition_mappers",
    "AllowedKeyMapper",
    "ChainMapper",
    "FanOutMapper",
    "FixedKeyMapper",
    "IdentityMapper",
    "PartitionMapper",
    "ProductMapper",
    "RollupMapper",
    "StartOfDayMapper",
    "StartOfHourMapper",
    "StartOfMonthMapper",
    "StartOfQuarterMapper",
    "StartOfWeekMapper",
    "StartOfYearMapper",
)
PARTITION_WINDOWS = _names(
    "brisa.timetables.partition_windows",
    "DayWindow",
    "HourWindow",
    "MinimumCount",
    "MonthWindow",
    "QuarterWindow",
    "SegmentWindow",
    "WaitForAll",
    "WeekWindow",
    "Window",
    "YearWindow",
)
PARTITIONED_TIMETABLES = _names(
    "brisa.timetables.partitions",
    "CronPartitionTimetable",
    "PartitionedAssetTimetable",
    "PartitionedAtRuntime",
)
SDK = _merge(
    NOTIFIER,
    DAG_NAMES,
    _names(f"{_SDK}.dag", "dag"),
    _names(f"{_SDK}.decorators", "task", "setup", "teardown"),
    TASK_GROUP,
    PARAMS,
    _names(f"{_SDK}.variable", "Variable"),
    _names(f"{_SDK}.connection", "Connection", "BaseHook"),
    BASEOP,
    SENSOR_BASE,
    CHAIN,
    EDGES,
    CONTEXT,
    XCOM_ARG,
    _names(f"{_SDK}.trigger_rule", "TriggerRule"),
    _names(f"{_SDK}.weight_rule", "WeightRule"),
    _names(f"{_SDK}.state", "DagRunState", "TaskInstanceState"),
    _names(f"{_SDK}.helpers", "get_parsing_context"),
    _names(f"{_SDK}.mapped", "MappedOperator"),
    _names(f"{_SDK}.skipping", "SkipMixin"),
    _names(f"{_SDK}.operators.python", "BranchMixIn"),
    ASSETS_3,
    ASSET_DECORATOR,
    _names("brisa.timetables.assets", "AssetOrTimeSchedule"),
    _names(
        "brisa.timetables",
        "CronDataIntervalTimetable",
        "CronTriggerTimetable",
        "DeltaDataIntervalTimetable",
        "DeltaTriggerTimetable",
        "EventsTimetable",
        "MultipleCronTriggerTimetable",
    ),
    PARTITION_MAPPERS,
    PARTITION_WINDOWS,
    PARTITIONED_TIMETABLES,
)
PARTITIONS = "Brisa does not support this asset partition feature"
PARTITION_NAMES: tuple[str, ...] = ()
"""Airflow 3.3's ``airflow.sdk`` names of asset partitions Brisa does not implement, each
refused naming the feature: none today (custom mappers and windows, subclasses of these,
are refused when the DAG is built, brisa/timetables/partition_mappers.py)."""
SDK_UNSUPPORTED = dict.fromkeys(PARTITION_NAMES, PARTITIONS) | {
    "ObjectStoragePath": "Brisa has no object storage support",
}

STANDARD = "airflow.providers.standard"

TABLE: dict[str, ShimModule] = {
    "airflow": ShimModule(
        _merge(DAG_NAMES, _names(f"{_SDK}.helpers", "__version__"), _names(f"{_SDK}.dag", "dag")),
    ),
    # -- models ------------------------------------------------------------------------
    "airflow.models": ShimModule(_merge(MODELS_BASIC, _names(f"{_SDK}.skipping", "SkipMixin"), DAGBAG)),
    # DagBag for test suites and scripts (brisa/loader/dagbag.py); 3.1+ moved it to dag_processing.
    "airflow.models.dagbag": ShimModule(DAGBAG),
    "airflow.dag_processing": ShimModule(),
    "airflow.dag_processing.dagbag": ShimModule(DAGBAG),
    "airflow.models.dag": ShimModule(_merge(DAG_NAMES, _names(f"{_SDK}.dag", "dag"))),
    "airflow.models.baseoperator": ShimModule(_merge(BASEOP, CHAIN)),
    # Airflow 2.3+ module of the `Operator` type alias; custom operators import BaseOperator from it.
    "airflow.models.operator": ShimModule(BASEOP),
    "airflow.models.param": ShimModule(PARAMS),
    "airflow.models.variable": ShimModule(_names(f"{_SDK}.variable", "Variable")),
    "airflow.models.connection": ShimModule(_names(f"{_SDK}.connection", "Connection")),
    "airflow.models.xcom": ShimModule(_names(f"{_SDK}.xcom", "XCom", "XCOM_RETURN_KEY")),
    "airflow.models.xcom_arg": ShimModule(XCOM_ARG),
    "airflow.models.taskinstance": ShimModule(_names(f"{_SDK}.taskinstance", "TaskInstance")),
    "airflow.models.dagrun": ShimModule(_names(f"{_SDK}.dagrun", "DagRun")),
    "airflow.models.skipmixin": ShimModule(_names(f"{_SDK}.skipping", "SkipMixin")),
    "airflow.models.mappedoperator": ShimModule(_names(f"{_SDK}.mapped", "MappedOperator")),
    # -- operators (1.10 and 2.x paths) --------------------------------------------------
    # Airflow 1.10 also exported its core operators from the package itself
    # (`from airflow.operators import BashOperator`, its lazy "AirflowImporter").
    "airflow.operators": ShimModule(
        _merge(
            BASH_OP,
            _names(
                f"{_SDK}.operators.python", "PythonOperator", "BranchPythonOperator", "ShortCircuitOperator"
            ),
            _names(f"{_SDK}.operators.empty", "DummyOperator"),
            _names(f"{_SDK}.operators.trigger_dagrun", "TriggerDagRunOperator"),
            LATEST_OPS,
            EMAIL_OPS,
        )
    ),
    "airflow.operators.bash_operator": ShimModule(BASH_OP),
    "airflow.operators.bash": ShimModule(BASH_OP),
    "airflow.operators.python_operator": ShimModule(_merge(PYTHON_OPS, VENV_OPS)),
    "airflow.operators.python": ShimModule(
        _merge(PYTHON_OPS, VENV_OPS, _names(f"{_SDK}.decorators", "task"))
    ),
    "airflow.operators.dummy_operator": ShimModule(EMPTY_OPS),
    "airflow.operators.dummy": ShimModule(EMPTY_OPS),
    "airflow.operators.empty": ShimModule(EMPTY_OPS),
    "airflow.operators.trigger_dagrun": ShimModule(TRIGGER_OPS),
    "airflow.operators.dagrun_operator": ShimModule(TRIGGER_OPS),
    # SubDagOperator: 1.10 and 2.x only (Airflow 3 removed it; no standard-provider path).
    "airflow.operators.subdag_operator": ShimModule(SUBDAG_OPS),
    "airflow.operators.subdag": ShimModule(SUBDAG_OPS),
    "airflow.operators.email": ShimModule(EMAIL_OPS),
    "airflow.operators.email_operator": ShimModule(EMAIL_OPS),
    "airflow.operators.latest_only": ShimModule(LATEST_OPS),
    "airflow.operators.latest_only_operator": ShimModule(LATEST_OPS),
    "airflow.operators.branch": ShimModule(BRANCH_OPS),
    "airflow.operators.branch_operator": ShimModule(BRANCH_OPS),
    "airflow.operators.datetime": ShimModule(DATETIME_OPS),
    "airflow.operators.weekday": ShimModule(WEEKDAY_OPS),
    "airflow.operators.sensors": ShimModule(
        _merge(
            SENSOR_BASE,
            EXTERNAL_SENSOR,
            TIME_DELTA_SENSOR,
            TIME_SENSOR,
            _names(f"{_SDK}.sensors.base", "BaseSensorOperator"),
        )
    ),
    # -- sensors ---------------------------------------------------------------------------
    # 1.10's `from airflow.sensors import ExternalTaskSensor`, as for airflow.operators.
    "airflow.sensors": ShimModule(
        _merge(
            _names(f"{_SDK}.sensors.base", "BaseSensorOperator"),
            _names(f"{_SDK}.sensors.external_task", "ExternalTaskSensor"),
            _names(f"{_SDK}.sensors.time_delta", "TimeDeltaSensor"),
            _names(f"{_SDK}.sensors.time", "TimeSensor"),
        )
    ),
    "airflow.sensors.base": ShimModule(SENSOR_BASE),
    "airflow.sensors.base_sensor_operator": ShimModule(SENSOR_BASE),
    "airflow.sensors.python": ShimModule(PYTHON_SENSOR),
    "airflow.sensors.time_delta": ShimModule(TIME_DELTA_SENSOR),
    "airflow.sensors.time_delta_sensor": ShimModule(TIME_DELTA_SENSOR),
    "airflow.sensors.date_time": ShimModule(DATE_TIME_SENSOR),
    "airflow.sensors.date_time_sensor": ShimModule(DATE_TIME_SENSOR),
    "airflow.sensors.time_sensor": ShimModule(TIME_SENSOR),
    "airflow.sensors.filesystem": ShimModule(FILE_SENSOR),
    "airflow.sensors.external_task": ShimModule(EXTERNAL_SENSOR),
    "airflow.sensors.external_task_sensor": ShimModule(EXTERNAL_SENSOR),
    "airflow.sensors.weekday": ShimModule(WEEKDAY_SENSOR),
    "airflow.sensors.bash": ShimModule(BASH_SENSOR),
    # -- triggers (deferrable tasks; 2.2+ paths, then the standard provider's) ---------------
    "airflow.triggers": ShimModule(),
    "airflow.triggers.base": ShimModule(TRIGGER_BASE),
    "airflow.triggers.temporal": ShimModule(TEMPORAL_TRIGGERS),
    "airflow.triggers.file": ShimModule(FILE_TRIGGER),
    "airflow.triggers.external_task": ShimModule(EXTERNAL_TRIGGERS),
    "airflow.sdk.bases.trigger": ShimModule(TRIGGER_BASE),
    f"{STANDARD}.triggers": ShimModule(),
    f"{STANDARD}.triggers.temporal": ShimModule(TEMPORAL_TRIGGERS),
    f"{STANDARD}.triggers.file": ShimModule(FILE_TRIGGER),
    f"{STANDARD}.triggers.external_task": ShimModule(EXTERNAL_TRIGGERS),
    f"{STANDARD}.exceptions": ShimModule(STANDARD_EXCEPTIONS),
    # -- contrib (1.10): brisa/compat/contrib.py ------------------------------------------------
    **CONTRIB_MODULES,
    # -- decorators ----------------------------------------------------------------------------
    "airflow.decorators": ShimModule(DECORATORS),
    # -- Airflow 3's task SDK ----------------------------------------------------------------------
    "airflow.sdk": ShimModule(SDK, unsupported=SDK_UNSUPPORTED),
    "airflow.sdk.timezone": ShimModule(forward=f"{_SDK}.timezone"),
    "airflow.sdk.exceptions": ShimModule(EXCEPTIONS),
    "airflow.sdk.bases": ShimModule(),
    "airflow.sdk.bases.notifier": ShimModule(NOTIFIER),
    # Airflow 2.6+: notifiers for on_*_callback lists.
    "airflow.notifications": ShimModule(),
    "airflow.notifications.basenotifier": ShimModule(NOTIFIER),
    "airflow.sdk.bases.operator": ShimModule(_merge(BASEOP, CHAIN)),
    "airflow.sdk.bases.sensor": ShimModule(SENSOR_BASE),
    "airflow.sdk.bases.hook": ShimModule(HOOK),
    "airflow.sdk.bases.decorator": ShimModule(_names(f"{_SDK}.decorators.base", "task_decorator_factory")),
    "airflow.sdk.definitions": ShimModule(),
    "airflow.sdk.definitions.dag": ShimModule(_merge(DAG_NAMES, _names(f"{_SDK}.dag", "dag"))),
    "airflow.sdk.definitions.taskgroup": ShimModule(TASK_GROUP_MODULE),
    "airflow.sdk.definitions.param": ShimModule(PARAMS),
    "airflow.sdk.definitions.edges": ShimModule(EDGES),
    "airflow.sdk.definitions.xcom_arg": ShimModule(XCOM_ARG),
    "airflow.sdk.definitions.context": ShimModule(CONTEXT),
    "airflow.sdk.definitions.variable": ShimModule(_names(f"{_SDK}.variable", "Variable")),
    "airflow.sdk.definitions.connection": ShimModule(_names(f"{_SDK}.connection", "Connection")),
    "airflow.sdk.definitions.mappedoperator": ShimModule(_names(f"{_SDK}.mapped", "MappedOperator")),
    "airflow.sdk.definitions.baseoperator": ShimModule(_merge(BASEOP, CHAIN)),
    "airflow.sdk.definitions.decorators": ShimModule(
        _names(f"{_SDK}.decorators", "task", "setup", "teardown")
    ),
    "airflow.sdk.definitions.decorators.task_group": ShimModule(TASK_GROUP),
    "airflow.sdk.definitions.asset": ShimModule(
        _merge(ASSETS_3, _names(f"{_SDK}.assets", "AssetRef", "BaseAsset")),
    ),
    "airflow.sdk.definitions.asset.decorators": ShimModule(
        _merge(ASSET_DECORATOR, _names(f"{_SDK}.asset_decorator", "AssetDefinition", "MultiAssetDefinition"))
    ),
    "airflow.sdk.definitions.asset.metadata": ShimModule(_names(f"{_SDK}.assets", "Metadata")),
    # -- datasets (Airflow 2.4 to 2.10) ----------------------------------------------------------
    "airflow.datasets": ShimModule(DATASETS_2),
    "airflow.datasets.metadata": ShimModule(_names(f"{_SDK}.assets", "Metadata")),
    "airflow.timetables.datasets": ShimModule(_names("brisa.timetables.assets", "DatasetOrTimeSchedule")),
    "airflow.timetables.assets": ShimModule(_names("brisa.timetables.assets", "AssetOrTimeSchedule")),
    # -- the standard provider (Airflow 3, and 2.x with the provider installed) --------------------
    "airflow.providers": ShimModule(),
    STANDARD: ShimModule(),
    f"{STANDARD}.operators": ShimModule(),
    f"{STANDARD}.operators.bash": ShimModule(BASH_OP),
    f"{STANDARD}.operators.python": ShimModule(_merge(PYTHON_OPS, VENV_OPS)),
    f"{STANDARD}.operators.empty": ShimModule(EMPTY_OPS),
    f"{STANDARD}.operators.trigger_dagrun": ShimModule(TRIGGER_OPS),
    f"{STANDARD}.operators.latest_only": ShimModule(LATEST_OPS),
    f"{STANDARD}.operators.branch": ShimModule(BRANCH_OPS),
    f"{STANDARD}.operators.datetime": ShimModule(DATETIME_OPS),
    f"{STANDARD}.operators.weekday": ShimModule(WEEKDAY_OPS),
    f"{STANDARD}.sensors": ShimModule(),
    f"{STANDARD}.sensors.python": ShimModule(PYTHON_SENSOR),
    f"{STANDARD}.sensors.time_delta": ShimModule(TIME_DELTA_SENSOR),
    f"{STANDARD}.sensors.date_time": ShimModule(DATE_TIME_SENSOR),
    f"{STANDARD}.sensors.filesystem": ShimModule(FILE_SENSOR),
    f"{STANDARD}.sensors.external_task": ShimModule(EXTERNAL_SENSOR),
    f"{STANDARD}.sensors.time": ShimModule(TIME_SENSOR),
    f"{STANDARD}.sensors.weekday": ShimModule(WEEKDAY_SENSOR),
    f"{STANDARD}.sensors.bash": ShimModule(BASH_SENSOR),
    f"{STANDARD}.utils": ShimModule(),
    f"{STANDARD}.utils.weekday": ShimModule(_names(f"{_SDK}.operators.weekday", "WeekDay")),
    f"{STANDARD}.utils.skipmixin": ShimModule(_names(f"{_SDK}.skipping", "SkipMixin")),
    f"{STANDARD}.version_compat": STANDARD_VERSION_COMPAT,
    f"{STANDARD}.hooks": ShimModule(),
    f"{STANDARD}.hooks.filesystem": ShimModule(FS_HOOK),
    # -- the SQL providers: common.sql, postgres and sqlite (2.x and 3) ------------------------------
    "airflow.providers.common": ShimModule(),
    "airflow.providers.common.sql": ShimModule(),
    "airflow.providers.common.sql.hooks": ShimModule(),
    "airflow.providers.common.sql.hooks.sql": ShimModule(DBAPI_HOOK),
    "airflow.providers.common.sql.operators": ShimModule(),
    "airflow.providers.common.sql.operators.sql": ShimModule(SQL_OPS),
    "airflow.providers.postgres": ShimModule(),
    "airflow.providers.postgres.hooks": ShimModule(),
    "airflow.providers.postgres.hooks.postgres": ShimModule(POSTGRES_HOOK),
    "airflow.providers.postgres.operators": ShimModule(),
    "airflow.providers.postgres.operators.postgres": ShimModule(POSTGRES_OPS),
    "airflow.providers.sqlite": ShimModule(),
    "airflow.providers.sqlite.hooks": ShimModule(),
    "airflow.providers.sqlite.hooks.sqlite": ShimModule(SQLITE_HOOK),
    "airflow.providers.sqlite.operators": ShimModule(),
    "airflow.providers.sqlite.operators.sqlite": ShimModule(SQLITE_OPS),
    # -- the common.compat provider: brisa/compat/common_compat.py ----------------------------------
    **COMMON_COMPAT,
    # -- the SMTP provider: EmailOperator (Airflow 2.x providers and 3) ------------------------------
    "airflow.providers.smtp": ShimModule(),
    "airflow.providers.smtp.operators": ShimModule(),
    "airflow.providers.smtp.operators.smtp": ShimModule(EMAIL_OPS),
    # -- hooks ---------------------------------------------------------------------------------------
    "airflow.hooks": ShimModule(),
    "airflow.hooks.base": ShimModule(HOOK),
    "airflow.hooks.base_hook": ShimModule(HOOK),
    "airflow.hooks.filesystem": ShimModule(FS_HOOK),
    # 1.10's SQL hooks and operators (2.x kept them as deprecated aliases).
    "airflow.hooks.dbapi_hook": ShimModule(DBAPI_HOOK),
    "airflow.hooks.dbapi": ShimModule(DBAPI_HOOK),
    "airflow.hooks.postgres_hook": ShimModule(POSTGRES_HOOK),
    "airflow.hooks.sqlite_hook": ShimModule(SQLITE_HOOK),
    "airflow.operators.postgres_operator": ShimModule(POSTGRES_OPS),
    "airflow.operators.sqlite_operator": ShimModule(SQLITE_OPS),
    # -- utils ---------------------------------------------------------------------------------------
    "airflow.utils": ShimModule(),
    "airflow.utils.dates": ShimModule(forward=f"{_SDK}.dates"),
    "airflow.utils.dag_cycle_tester": ShimModule(_names("brisa.loader.dagbag", "check_cycle")),
    "airflow.utils.email": ShimModule(EMAIL_UTILS),
    "airflow.utils.trigger_rule": ShimModule(_names(f"{_SDK}.trigger_rule", "TriggerRule")),
    "airflow.utils.weight_rule": ShimModule(_names(f"{_SDK}.weight_rule", "WeightRule")),
    "airflow.utils.task_group": ShimModule(TASK_GROUP_MODULE),
    "airflow.utils.edgemodifier": ShimModule(EDGES),
    "airflow.utils.helpers": ShimModule(CHAIN),
    "airflow.utils.timezone": ShimModule(forward=f"{_SDK}.timezone"),
    "airflow.utils.state": ShimModule(STATE),
    "airflow.utils.context": ShimModule(CONTEXT),
    "airflow.utils.types": ShimModule(_names(f"{_SDK}.types", "DagRunType")),
    "airflow.utils.decorators": ShimModule(_names(f"{_SDK}.helpers", "apply_defaults")),
    "airflow.utils.weekday": ShimModule(_names(f"{_SDK}.operators.weekday", "WeekDay")),
    "airflow.utils.log": ShimModule(),
    "airflow.utils.log.logging_mixin": ShimModule(_names(f"{_SDK}.helpers", "LoggingMixin")),
    "airflow.utils.log.secrets_masker": ShimModule(MASKING),
    "airflow.sdk.log": ShimModule(MASKING),
    "airflow.sdk.execution_time": ShimModule(),
    "airflow.sdk.execution_time.context": ShimModule(
        _names("brisa.templating.task_state", "NEVER_EXPIRE", "TaskStateStore")
    ),
    "airflow.sdk.execution_time.secrets_masker": ShimModule(MASKING),
    "airflow.utils.dag_parsing_context": ShimModule(_names(f"{_SDK}.helpers", "get_parsing_context")),
    "airflow.exceptions": ShimModule(EXCEPTIONS),
    "airflow.configuration": ShimModule(_names(f"{_SDK}.configuration", "conf")),
    "airflow.macros": ShimModule(forward="brisa.templating.macros"),
    # -- timetables ------------------------------------------------------------------------------------
    "airflow.timetables": ShimModule(),
    "airflow.timetables.base": ShimModule(TIMETABLE_BASE),
    "airflow.timetables.interval": ShimModule(
        _names(
            "brisa.timetables",
            "CronDataIntervalTimetable",
            "DeltaDataIntervalTimetable",
            "DataIntervalTimetable",
        )
    ),
    "airflow.timetables.trigger": ShimModule(
        _names(
            "brisa.timetables",
            "CronTriggerTimetable",
            "DeltaTriggerTimetable",
            "MultipleCronTriggerTimetable",
        )
    ),
    "airflow.timetables.events": ShimModule(_names("brisa.timetables", "EventsTimetable")),
    "airflow.timetables.simple": ShimModule(
        _merge(
            _names("brisa.timetables", "NullTimetable", "OnceTimetable", "ContinuousTimetable"),
            _names("brisa.timetables.assets", "AssetTriggeredTimetable", "DatasetTriggeredTimetable"),
        )
    ),
    # -- plugins (custom timetables, macros) ---------------------------------------------------------
    "airflow.plugins_manager": ShimModule(_names("brisa.plugins", "AirflowPlugin", "AirflowPluginException")),
}
extend_table(TABLE)  # what real provider packages import (brisa/compat/provider_surface.py)

UNSUPPORTED_MODULES: dict[str, str] = {
    module: why
    for module, why in {**CONTRIB_UNSUPPORTED_MODULES, **COMMON_COMPAT_UNSUPPORTED_MODULES}.items()
    if module not in TABLE  # the provider surface provides some (provider_surface.py)
}
"""Airflow modules Brisa knows and does not provide -> the reason its import error gives."""

_TWO_ONLY_PREFIXES = (
    "airflow.operators.",
    "airflow.sensors.",
    "airflow.contrib.",
    "airflow.utils.dates",
    "airflow.utils.helpers",
    "airflow.utils.decorators",
    "airflow.models.baseoperator",
    "airflow.hooks.base_hook",
    "airflow.hooks.filesystem",
    "airflow.hooks.dbapi",
    "airflow.hooks.postgres_hook",
    "airflow.hooks.sqlite_hook",
    "airflow.datasets",
    "airflow.timetables.datasets",
)
_THREE_PREFIXES = ("airflow.sdk", "airflow.providers.standard", "airflow.timetables.assets")


def generation_of(module: str) -> str | None:
    """ "3" for modules only Airflow 3 has, "2" for 1.10/2.x-only ones, None if both."""
    if any(module == p or module.startswith(p + ".") for p in _THREE_PREFIXES):
        return "3"
    if any(module.startswith(p) for p in _TWO_ONLY_PREFIXES):
        return "2"
    return None


__all__ = ["TABLE", "UNSUPPORTED_MODULES", "ShimModule", "generation_of"]
