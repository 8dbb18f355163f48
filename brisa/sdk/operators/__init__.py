"""Airflow's standard operators, re-implemented for Brisa."""
