"""Hooks for the SQL providers: a DB-API base and the PostgreSQL and SQLite hooks."""
