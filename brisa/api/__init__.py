"""The HTTP API: ``/api/v2`` compatible with Airflow 3's stable REST API, and ``/auth``."""
