"""``airflow.contrib``: Airflow 1.10's contributed operators, hooks, sensors and utilities.

Those whose class Airflow later moved into core or the standard provider, and which
Brisa provides, resolve to Brisa's objects.  Every other 1.10.15 contrib module
fails to import with a message naming it and saying where Airflow moved it (a
provider package Brisa does not provide, or machinery Brisa replaces).
"""

from __future__ import annotations

from brisa.compat.entries import PROVIDED, ShimModule, names, rejecting

CONTRIB = "airflow.contrib"
_SENSORS = "brisa.sdk.sensors"
_HOOKS = "brisa.sdk.hooks"

PROVIDERS = f"Airflow 2 moved it to a provider package; {PROVIDED}"
FAMILY_REASONS = {
    "auth.backends": "Brisa has its own users, roles and tokens (brisa users ...)",
    "executors": "Brisa has its own executors ([core] executor: local or celery)",
    "kubernetes": "Brisa does not run tasks on Kubernetes",
    "secrets": "Brisa has its own secrets backends (see docs/secrets.md)",
    "task_runner": "Brisa runs each try in its own supervised process",
}

UNSUPPORTED_BY_FAMILY: dict[str, str] = {
    "auth.backends": "github_enterprise_auth google_auth kerberos_auth ldap_auth password_auth",
    "executors": "kubernetes_executor mesos_executor",
    "hooks": (
        "aws_athena_hook aws_dynamodb_hook aws_firehose_hook aws_glue_catalog_hook aws_hook "
        "aws_lambda_hook aws_logs_hook aws_sns_hook aws_sqs_hook azure_container_instance_hook "
        "azure_container_registry_hook azure_container_volume_hook azure_cosmos_hook "
        "azure_data_lake_hook azure_fileshare_hook bigquery_hook cassandra_hook cloudant_hook "
        "databricks_hook datadog_hook datastore_hook dingding_hook discord_webhook_hook emr_hook "
        "ftp_hook gcp_api_base_hook gcp_bigtable_hook gcp_cloud_build_hook gcp_compute_hook "
        "gcp_container_hook gcp_dataflow_hook gcp_dataproc_hook gcp_dlp_hook gcp_function_hook "
        "gcp_kms_hook gcp_mlengine_hook gcp_natural_language_hook gcp_pubsub_hook gcp_spanner_hook "
        "gcp_speech_to_text_hook gcp_sql_hook gcp_text_to_speech_hook gcp_transfer_hook "
        "gcp_translate_hook gcp_video_intelligence_hook gcp_vision_hook gcs_hook gdrive_hook "
        "grpc_hook imap_hook jenkins_hook jira_hook mongo_hook openfaas_hook opsgenie_alert_hook "
        "pinot_hook qubole_check_hook qubole_hook redis_hook redshift_hook sagemaker_hook "
        "salesforce_hook segment_hook sftp_hook slack_webhook_hook snowflake_hook spark_jdbc_hook "
        "spark_jdbc_script spark_sql_hook spark_submit_hook sqoop_hook ssh_hook vertica_hook "
        "wasb_hook winrm_hook"
    ),
    "kubernetes": "kube_client pod pod_runtime_info_env refresh_config secret volume volume_mount",
    "operators": (
        "adls_list_operator adls_to_gcs aws_athena_operator aws_sqs_publish_operator "
        "awsbatch_operator azure_container_instances_operator azure_cosmos_operator "
        "bigquery_check_operator bigquery_get_data bigquery_operator bigquery_table_delete_operator "
        "bigquery_to_bigquery bigquery_to_gcs bigquery_to_mysql_operator cassandra_to_gcs "
        "databricks_operator dataflow_operator dataproc_operator datastore_export_operator "
        "datastore_import_operator dingding_operator discord_webhook_operator docker_swarm_operator "
        "druid_operator dynamodb_to_s3 ecs_operator emr_add_steps_operator "
        "emr_create_job_flow_operator emr_terminate_job_flow_operator file_to_gcs file_to_wasb "
        "gcp_bigtable_operator gcp_cloud_build_operator gcp_compute_operator gcp_container_operator "
        "gcp_dlp_operator gcp_function_operator gcp_natural_language_operator gcp_spanner_operator "
        "gcp_speech_to_text_operator gcp_sql_operator gcp_text_to_speech_operator "
        "gcp_transfer_operator gcp_translate_operator gcp_translate_speech_operator "
        "gcp_video_intelligence_operator gcp_vision_operator gcs_acl_operator gcs_delete_operator "
        "gcs_download_operator gcs_list_operator gcs_operator gcs_to_bq gcs_to_gcs "
        "gcs_to_gcs_transfer_operator gcs_to_gdrive_operator gcs_to_s3 hipchat_operator "
        "hive_to_dynamodb imap_attachment_to_s3_operator jenkins_job_trigger_operator jira_operator "
        "kubernetes_pod_operator mlengine_operator mongo_to_s3 mssql_to_gcs mysql_to_gcs "
        "opsgenie_alert_operator oracle_to_azure_data_lake_transfer oracle_to_oracle_transfer "
        "postgres_to_gcs_operator pubsub_operator qubole_check_operator qubole_operator "
        "redis_publish_operator s3_copy_object_operator s3_delete_objects_operator s3_list_operator "
        "s3_to_gcs_operator s3_to_gcs_transfer_operator s3_to_sftp_operator sagemaker_base_operator "
        "sagemaker_endpoint_config_operator sagemaker_endpoint_operator sagemaker_model_operator "
        "sagemaker_training_operator sagemaker_transform_operator sagemaker_tuning_operator "
        "segment_track_event_operator sftp_operator sftp_to_s3_operator slack_webhook_operator "
        "snowflake_operator sns_publish_operator spark_jdbc_operator spark_sql_operator "
        "spark_submit_operator sql_to_gcs sqoop_operator ssh_operator vertica_operator "
        "vertica_to_hive vertica_to_mysql wasb_delete_blob_operator winrm_operator"
    ),
    "secrets": "aws_secrets_manager aws_systems_manager azure_key_vault gcp_secrets_manager hashicorp_vault",
    "sensors": (
        "aws_athena_sensor aws_glue_catalog_partition_sensor aws_redshift_cluster_sensor "
        "aws_sqs_sensor azure_cosmos_sensor bigquery_sensor cassandra_record_sensor "
        "cassandra_table_sensor datadog_sensor emr_base_sensor emr_job_flow_sensor emr_step_sensor "
        "ftp_sensor gcp_transfer_sensor gcs_sensor hdfs_sensor imap_attachment_sensor jira_sensor "
        "mongo_sensor pubsub_sensor qubole_sensor redis_key_sensor redis_pub_sub_sensor "
        "sagemaker_base_sensor sagemaker_endpoint_sensor sagemaker_training_sensor "
        "sagemaker_transform_sensor sagemaker_tuning_sensor sftp_sensor wasb_sensor"
    ),
    "task_runner": "cgroup_task_runner",
    "utils": (
        "gcp_credentials_provider gcp_field_sanitizer gcp_field_validator mlengine_operator_utils "
        "mlengine_prediction_summary sendgrid"
    ),
}
"""Airflow 1.10.15's ``airflow.contrib`` modules Brisa does not provide, by package."""

# 1.10's lazy package-level imports (``from airflow.contrib.operators import SSHOperator``).
OLD_OPERATOR_NAMES = (
    "SSHOperator WinRMOperator VerticaOperator VerticaToHiveTransfer QuboleOperator SparkSubmitOperator "
    "FileToWasbOperator HiveToDynamoDBTransferOperator"
)
OLD_HOOK_NAMES = (
    "DockerHook FTPHook FTPSHook VerticaHook SSHHook WinRMHook SFTPHook BigQueryHook QuboleHook "
    "GoogleCloudStorageHook DatastoreHook CloudMLHook RedshiftHook DataProcHook DataFlowHook "
    "SparkSubmitOperator CloudantHook WasbHook PubSubHook JenkinsHook AwsDynamoDBHook "
    "AzureDataLakeHook AzureFileShareHook"
)


def _package(old_names: str = "") -> ShimModule:
    return ShimModule(unsupported=rejecting(PROVIDERS, *old_names.split()))


CONTRIB_MODULES: dict[str, ShimModule] = {
    CONTRIB: ShimModule(),
    f"{CONTRIB}.operators": _package(OLD_OPERATOR_NAMES),
    f"{CONTRIB}.hooks": ShimModule(
        names(f"{_HOOKS}.filesystem", "FSHook"), unsupported=rejecting(PROVIDERS, *OLD_HOOK_NAMES.split())
    ),
    f"{CONTRIB}.hooks.fs_hook": ShimModule(names(f"{_HOOKS}.filesystem", "FSHook")),
    f"{CONTRIB}.sensors": ShimModule(),
    f"{CONTRIB}.sensors.file_sensor": ShimModule(names(f"{_SENSORS}.filesystem", "FileSensor")),
    f"{CONTRIB}.sensors.python_sensor": ShimModule(names(f"{_SENSORS}.python", "PythonSensor")),
    f"{CONTRIB}.sensors.weekday_sensor": ShimModule(names(f"{_SENSORS}.weekday", "DayOfWeekSensor")),
    f"{CONTRIB}.sensors.bash_sensor": ShimModule(names(f"{_SENSORS}.bash", "BashSensor")),
    f"{CONTRIB}.utils": ShimModule(),
    f"{CONTRIB}.utils.weekday": ShimModule(names("brisa.sdk.operators.weekday", "WeekDay")),
    **{f"{CONTRIB}.{family}": ShimModule() for family in FAMILY_REASONS},
    f"{CONTRIB}.auth": ShimModule(),
}


def _unsupported_modules() -> dict[str, str]:
    return {
        f"{CONTRIB}.{family}.{module}": FAMILY_REASONS.get(family, PROVIDERS)
        for family, modules in UNSUPPORTED_BY_FAMILY.items()
        for module in modules.split()
    }


CONTRIB_UNSUPPORTED_MODULES = _unsupported_modules()
"""Module path -> why Brisa does not provide it."""

__all__ = ["CONTRIB_MODULES", "CONTRIB_UNSUPPORTED_MODULES"]
