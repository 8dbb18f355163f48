"""Secrets: Fernet encryption, Airflow connection URIs, log masking and secret backends.

The modules are imported directly: ``fernet`` (keys, encryption), ``uri`` (Airflow's
connection URI and JSON forms), ``masking`` (``SecretsMasker``, ``mask_secret``),
``backends`` (environment, memory, chain), ``service`` (the metadata database backend
and ``SecretsService``), ``views`` (decrypted entries and their masked copies),
``rotation`` (key rotation, the start-up key check), ``files`` (import/export files) and
``probes`` (``connections test``). This package imports nothing so that
``brisa.config`` can use the masking rules without loading ``cryptography``.
See docs/secrets.md.
"""
