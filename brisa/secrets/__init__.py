"""Secrets: Fernet encryption, Airflow connection URIs, log masking and secret backends.

The modules are imported directly (``brisa.secrets.fernet``, ``brisa.secrets.uri``,
``brisa.secrets.masking``, ``brisa.secrets.backends``); this package imports nothing so
that ``brisa.config`` can use the masking rules without loading ``cryptography``.
"""
