"""Public names of real Airflow modules, read from their releases (names only, no code).

``COMMON_COMPAT_1_23_0``: every public module of apache-airflow-providers-common-compat 1.23.0
(private ``_*`` modules left out) with the names it exports, including those it exports only on
Airflow 3.0+/3.3+ (``DownstreamTasksSkipped``, ``AssetLineageInfo``, the retry policies).
``CONTRIB_1_10_15``: the modules of ``airflow/contrib`` in apache-airflow 1.10.15 (example DAGs
left out).
"""

COMMON_COMPAT_1_23_0: dict[str, tuple[str, ...]] = {
    "airflow.providers.common.compat": ("__version__",),
    "airflow.providers.common.compat.assets": (
        "Asset",
        "AssetAlias",
        "AssetAliasDetails",
        "AssetAll",
        "AssetAny",
        "AssetDetails",
        "expand_alias_to_assets",
    ),
    "airflow.providers.common.compat.check": ("require_provider_version",),
    "airflow.providers.common.compat.connection": ("get_async_connection", "get_async_extra_dejson"),
    "airflow.providers.common.compat.get_provider_info": ("get_provider_info",),
    "airflow.providers.common.compat.hook": ("get_async_hook",),
    "airflow.providers.common.compat.lineage": (),
    "airflow.providers.common.compat.lineage.entities": (
        "Column",
        "File",
        "Table",
        "Tag",
        "User",
        "default_if_none",
    ),
    "airflow.providers.common.compat.lineage.hook": ("get_hook_lineage_collector",),
    "airflow.providers.common.compat.module_loading": (
        "import_string",
        "is_valid_dotpath",
        "iter_namespace",
        "qualname",
    ),
    "airflow.providers.common.compat.notifier": ("BaseNotifier",),
    "airflow.providers.common.compat.openlineage": (),
    "airflow.providers.common.compat.openlineage.check": ("require_openlineage_version",),
    "airflow.providers.common.compat.openlineage.facet": (
        "BaseFacet",
        "ColumnLineageDatasetFacet",
        "Dataset",
        "DatasetFacet",
        "DocumentationDatasetFacet",
        "Error",
        "ErrorMessageRunFacet",
        "ExternalQueryRunFacet",
        "ExtractionErrorRunFacet",
        "Fields",
        "Identifier",
        "InputDataset",
        "InputField",
        "LifecycleStateChange",
        "LifecycleStateChangeDatasetFacet",
        "OutputDataset",
        "OutputStatisticsOutputDatasetFacet",
        "PreviousIdentifier",
        "RunFacet",
        "SQLJobFacet",
        "SchemaDatasetFacet",
        "SchemaDatasetFacetFields",
        "SymlinksDatasetFacet",
    ),
    "airflow.providers.common.compat.openlineage.utils": (),
    "airflow.providers.common.compat.openlineage.utils.spark": (
        "inject_parent_job_information_into_emr_serverless_properties",
        "inject_parent_job_information_into_glue_arguments",
        "inject_parent_job_information_into_spark_properties",
        "inject_transport_information_into_emr_serverless_properties",
        "inject_transport_information_into_glue_arguments",
        "inject_transport_information_into_spark_properties",
    ),
    "airflow.providers.common.compat.openlineage.utils.sql": ("get_openlineage_facets_with_sql",),
    "airflow.providers.common.compat.openlineage.utils.utils": (
        "translate_airflow_asset",
        "translate_airflow_dataset",
    ),
    "airflow.providers.common.compat.sdk": (
        "AIRFLOW_VAR_NAME_FORMAT_MAPPING",
        "AirflowConfigException",
        "AirflowException",
        "AirflowFailException",
        "AirflowNotFoundException",
        "AirflowOptionalProviderFeatureException",
        "AirflowPlugin",
        "AirflowSensorTimeout",
        "AirflowSkipException",
        "AirflowTaskTimeout",
        "Asset",
        "AssetAlias",
        "AssetAll",
        "AssetAny",
        "AssetLineageInfo",
        "BaseBranchOperator",
        "BaseHook",
        "BaseNotifier",
        "BaseOperator",
        "BaseOperatorLink",
        "BaseSensorOperator",
        "BranchMixIn",
        "ChainRetryPolicy",
        "Connection",
        "Context",
        "DAG",
        "DagRunState",
        "DagRunTriggerException",
        "DecoratedMappedOperator",
        "DecoratedOperator",
        "DownstreamTasksSkipped",
        "EdgeModifier",
        "ExceptionRetryPolicy",
        "HookLineage",
        "HookLineageCollector",
        "HookLineageReader",
        "KeywordParameters",
        "Label",
        "MappedOperator",
        "Metadata",
        "NoOpCollector",
        "ObjectStoragePath",
        "Param",
        "ParamValidationError",
        "PokeReturnValue",
        "ResumableJobMixin",
        "RetryAction",
        "RetryDecision",
        "RetryPolicy",
        "RetryRule",
        "SET_DURING_EXECUTION",
        "SkipMixin",
        "Stats",
        "TaskDecorator",
        "TaskDeferred",
        "TaskGroup",
        "TaskInstanceKey",
        "TaskInstanceState",
        "TriggerRule",
        "Variable",
        "WeightRule",
        "XCOM_RETURN_KEY",
        "XCom",
        "XComArg",
        "XComNotFound",
        "chain",
        "chain_linear",
        "conf",
        "context_merge",
        "context_to_airflow_vars",
        "cross_downstream",
        "dag",
        "determine_kwargs",
        "get_current_context",
        "get_hook_lineage_collector",
        "get_listener_manager",
        "get_parsing_context",
        "get_unique_task_id",
        "hookimpl",
        "io",
        "literal",
        "mask_secret",
        "poke_mode_only",
        "redact",
        "setup",
        "task",
        "task_decorator_factory",
        "task_group",
        "teardown",
        "timeout",
        "timezone",
    ),
    "airflow.providers.common.compat.security": (),
    "airflow.providers.common.compat.security.access_view": (
        "AUDIT_LOGS_ALL_ACCESS_VIEW",
        "IMPORT_ERRORS_ALL_ACCESS_VIEW",
        "REPARSE_ALL_ACCESS_VIEW",
    ),
    "airflow.providers.common.compat.security.permissions": (
        "RESOURCE_ASSET",
        "RESOURCE_ASSET_ALIAS",
        "RESOURCE_BACKFILL",
        "RESOURCE_DAG_VERSION",
    ),
    "airflow.providers.common.compat.sqlalchemy": (),
    "airflow.providers.common.compat.sqlalchemy.orm": ("mapped_column",),
    "airflow.providers.common.compat.standard": (),
    "airflow.providers.common.compat.standard.operators": (
        "BaseAsyncOperator",
        "BaseBranchOperator",
        "BaseOperator",
        "BranchMixIn",
        "PythonOperator",
        "ShortCircuitOperator",
        "get_current_context",
        "is_async_callable",
    ),
    "airflow.providers.common.compat.standard.triggers": ("TimeDeltaTrigger",),
    "airflow.providers.common.compat.standard.utils": (
        "SkipMixin",
        "XCOM_SKIPMIXIN_FOLLOWED",
        "XCOM_SKIPMIXIN_KEY",
        "XCOM_SKIPMIXIN_SKIPPED",
        "prepare_virtualenv",
        "write_python_script",
    ),
    "airflow.providers.common.compat.triggers": ("BaseEventTrigger",),
    "airflow.providers.common.compat.version_compat": (
        "AIRFLOW_V_3_0_PLUS",
        "AIRFLOW_V_3_1_PLUS",
        "AIRFLOW_V_3_2_PLUS",
        "AIRFLOW_V_3_3_PLUS",
        "AIRFLOW_V_3_4_PLUS",
        "get_base_airflow_version_tuple",
    ),
}

_CONTRIB_1_10_15 = """
auth.backends.github_enterprise_auth auth.backends.google_auth auth.backends.kerberos_auth
auth.backends.ldap_auth auth.backends.password_auth executors.kubernetes_executor
executors.mesos_executor hooks.aws_athena_hook hooks.aws_dynamodb_hook hooks.aws_firehose_hook
hooks.aws_glue_catalog_hook hooks.aws_hook hooks.aws_lambda_hook hooks.aws_logs_hook
hooks.aws_sns_hook hooks.aws_sqs_hook hooks.azure_container_instance_hook
hooks.azure_container_registry_hook hooks.azure_container_volume_hook hooks.azure_cosmos_hook
hooks.azure_data_lake_hook hooks.azure_fileshare_hook hooks.bigquery_hook hooks.cassandra_hook
hooks.cloudant_hook hooks.databricks_hook hooks.datadog_hook hooks.datastore_hook
hooks.dingding_hook hooks.discord_webhook_hook hooks.emr_hook hooks.fs_hook hooks.ftp_hook
hooks.gcp_api_base_hook hooks.gcp_bigtable_hook hooks.gcp_cloud_build_hook hooks.gcp_compute_hook
hooks.gcp_container_hook hooks.gcp_dataflow_hook hooks.gcp_dataproc_hook hooks.gcp_dlp_hook
hooks.gcp_function_hook hooks.gcp_kms_hook hooks.gcp_mlengine_hook hooks.gcp_natural_language_hook
hooks.gcp_pubsub_hook hooks.gcp_spanner_hook hooks.gcp_speech_to_text_hook hooks.gcp_sql_hook
hooks.gcp_text_to_speech_hook hooks.gcp_transfer_hook hooks.gcp_translate_hook
hooks.gcp_video_intelligence_hook hooks.gcp_vision_hook hooks.gcs_hook hooks.gdrive_hook
hooks.grpc_hook hooks.imap_hook hooks.jenkins_hook hooks.jira_hook hooks.mongo_hook
hooks.openfaas_hook hooks.opsgenie_alert_hook hooks.pinot_hook hooks.qubole_check_hook
hooks.qubole_hook hooks.redis_hook hooks.redshift_hook hooks.sagemaker_hook hooks.salesforce_hook
hooks.segment_hook hooks.sftp_hook hooks.slack_webhook_hook hooks.snowflake_hook
hooks.spark_jdbc_hook hooks.spark_jdbc_script hooks.spark_sql_hook hooks.spark_submit_hook
hooks.sqoop_hook hooks.ssh_hook hooks.vertica_hook hooks.wasb_hook hooks.winrm_hook
kubernetes.kube_client kubernetes.pod kubernetes.pod_runtime_info_env kubernetes.refresh_config
kubernetes.secret kubernetes.volume kubernetes.volume_mount operators.adls_list_operator
operators.adls_to_gcs operators.aws_athena_operator operators.aws_sqs_publish_operator
operators.awsbatch_operator operators.azure_container_instances_operator
operators.azure_cosmos_operator operators.bigquery_check_operator operators.bigquery_get_data
operators.bigquery_operator operators.bigquery_table_delete_operator operators.bigquery_to_bigquery
operators.bigquery_to_gcs operators.bigquery_to_mysql_operator operators.cassandra_to_gcs
operators.databricks_operator operators.dataflow_operator operators.dataproc_operator
operators.datastore_export_operator operators.datastore_import_operator operators.dingding_operator
operators.discord_webhook_operator operators.docker_swarm_operator operators.druid_operator
operators.dynamodb_to_s3 operators.ecs_operator operators.emr_add_steps_operator
operators.emr_create_job_flow_operator operators.emr_terminate_job_flow_operator
operators.file_to_gcs operators.file_to_wasb operators.gcp_bigtable_operator
operators.gcp_cloud_build_operator operators.gcp_compute_operator operators.gcp_container_operator
operators.gcp_dlp_operator operators.gcp_function_operator operators.gcp_natural_language_operator
operators.gcp_spanner_operator operators.gcp_speech_to_text_operator operators.gcp_sql_operator
operators.gcp_text_to_speech_operator operators.gcp_transfer_operator
operators.gcp_translate_operator operators.gcp_translate_speech_operator
operators.gcp_video_intelligence_operator operators.gcp_vision_operator operators.gcs_acl_operator
operators.gcs_delete_operator operators.gcs_download_operator operators.gcs_list_operator
operators.gcs_operator operators.gcs_to_bq operators.gcs_to_gcs
operators.gcs_to_gcs_transfer_operator operators.gcs_to_gdrive_operator operators.gcs_to_s3
operators.hipchat_operator operators.hive_to_dynamodb operators.imap_attachment_to_s3_operator
operators.jenkins_job_trigger_operator operators.jira_operator operators.kubernetes_pod_operator
operators.mlengine_operator operators.mongo_to_s3 operators.mssql_to_gcs operators.mysql_to_gcs
operators.opsgenie_alert_operator operators.oracle_to_azure_data_lake_transfer
operators.oracle_to_oracle_transfer operators.postgres_to_gcs_operator operators.pubsub_operator
operators.qubole_check_operator operators.qubole_operator operators.redis_publish_operator
operators.s3_copy_object_operator operators.s3_delete_objects_operator operators.s3_list_operator
operators.s3_to_gcs_operator operators.s3_to_gcs_transfer_operator operators.s3_to_sftp_operator
operators.sagemaker_base_operator operators.sagemaker_endpoint_config_operator
operators.sagemaker_endpoint_operator operators.sagemaker_model_operator
operators.sagemaker_training_operator operators.sagemaker_transform_operator
operators.sagemaker_tuning_operator operators.segment_track_event_operator operators.sftp_operator
operators.sftp_to_s3_operator operators.slack_webhook_operator operators.snowflake_operator
operators.sns_publish_operator operators.spark_jdbc_operator operators.spark_sql_operator
operators.spark_submit_operator operators.sql_to_gcs operators.sqoop_operator operators.ssh_operator
operators.vertica_operator operators.vertica_to_hive operators.vertica_to_mysql
operators.wasb_delete_blob_operator operators.winrm_operator secrets.aws_secrets_manager
secrets.aws_systems_manager secrets.azure_key_vault secrets.gcp_secrets_manager
secrets.hashicorp_vault sensors.aws_athena_sensor sensors.aws_glue_catalog_partition_sensor
sensors.aws_redshift_cluster_sensor sensors.aws_sqs_sensor sensors.azure_cosmos_sensor
sensors.bash_sensor sensors.bigquery_sensor sensors.cassandra_record_sensor
sensors.cassandra_table_sensor sensors.datadog_sensor sensors.emr_base_sensor
sensors.emr_job_flow_sensor sensors.emr_step_sensor sensors.file_sensor sensors.ftp_sensor
sensors.gcp_transfer_sensor sensors.gcs_sensor sensors.hdfs_sensor sensors.imap_attachment_sensor
sensors.jira_sensor sensors.mongo_sensor sensors.pubsub_sensor sensors.python_sensor
sensors.qubole_sensor sensors.redis_key_sensor sensors.redis_pub_sub_sensor
sensors.sagemaker_base_sensor sensors.sagemaker_endpoint_sensor sensors.sagemaker_training_sensor
sensors.sagemaker_transform_sensor sensors.sagemaker_tuning_sensor sensors.sftp_sensor
sensors.wasb_sensor sensors.weekday_sensor task_runner.cgroup_task_runner
utils.gcp_credentials_provider utils.gcp_field_sanitizer utils.gcp_field_validator
utils.mlengine_operator_utils utils.mlengine_prediction_summary utils.sendgrid utils.weekday
"""

CONTRIB_1_10_15: tuple[str, ...] = tuple(f"airflow.contrib.{module}" for module in _CONTRIB_1_10_15.split())
