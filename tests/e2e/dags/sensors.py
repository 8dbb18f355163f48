"""PythonSensors on a file-based condition (true at the third poke), in poke and
reschedule mode, and a sensor that times out (not retried, as in Airflow)."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.sensors.python import PythonSensor
from e2e_markers import count_pokes

with DAG("e2e_sensors", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 2}):
    PythonSensor(task_id="poking", python_callable=count_pokes("poking", 3), mode="poke", poke_interval=0.2)
    PythonSensor(
        task_id="rescheduling",
        python_callable=count_pokes("rescheduling", 3),
        mode="reschedule",
        poke_interval=0.5,
    )
    PythonSensor(
        task_id="never",
        python_callable=count_pokes("never", 1000),
        mode="reschedule",
        poke_interval=0.5,
        timeout=timedelta(seconds=1.5),
    )
