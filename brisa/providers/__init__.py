"""Airflow's published provider packages on Brisa (docs/providers.md).

``names`` (pure) turns ``http`` or ``apache-airflow-providers-ssh>=4`` into requirements;
``plan`` (pure) decides what provider wheels need besides Airflow; ``installer`` runs pip
and records the set for deploys; ``registry`` lists installed providers and Brisa's own
with their metadata; ``surface`` holds the Airflow internals providers import, which
:mod:`brisa.compat.provider_surface` maps onto ``airflow.*`` paths.
"""
