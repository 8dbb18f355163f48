"""Airflow's sensors, re-implemented for Brisa."""
