"""Alembic migrations of the metadata database.

``HEAD`` names the newest revision so start-up can tell whether the schema is current
with one query, without importing Alembic (tests check it matches the scripts).
"""

HEAD = "0009"
