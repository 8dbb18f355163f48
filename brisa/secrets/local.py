"""Variables and connections for DAG code run by hand: ``dags test``, ``tasks test``,
``dags list --local``, a test suite's ``DagBag``.

The configured backends (environment and metadata database) when the database answers
with a current schema; else the environment alone, so that these work with no database
at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from brisa.errors import BrisaError
from brisa.secrets.backends import EnvironmentBackend
from brisa.secrets.fernet import FernetCodec, generate_key
from brisa.secrets.service import SecretsService
from brisa.store import migrate
from brisa.store.connect import open_store
from brisa.store.memory import memory_store

log = logging.getLogger(__name__)


def local_secrets(settings: Any, environ: Mapping[str, str]) -> SecretsService:
    """The configured secrets (env + metadata DB) if the DB answers; else env only."""
    try:
        store = open_store(settings)
        if migrate.is_current(store):
            return SecretsService.from_settings(settings, store, dict(environ))
    except BrisaError as exc:
        log.info("metadata database not used for variables/connections: %s", exc)
    return SecretsService(memory_store(), FernetCodec([generate_key()]), [EnvironmentBackend(dict(environ))])


__all__ = ["local_secrets"]
