"""Variables, connections, pools, import errors and the audit log (event logs).

The response models redact secrets themselves, so no route can leak one by mistake:
a connection's password is always ``***``, and sensitive keys in connection extras and
in variable values (or the whole value of a variable with a sensitive key) are masked.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from pydantic import Field, JsonValue, ValidationInfo, field_validator, model_validator

from brisa.api.schemas.base import MASK, RequestModel, ResponseModel, masker_from, redact
from brisa.api.schemas.query import DB_INT_MAX

# --- Variables and connections ---------------------------------------------------------------


class VariableResponse(ResponseModel):
    key: str
    value: str
    description: str | None
    is_encrypted: bool

    @model_validator(mode="after")
    def _redact_value(self, info: ValidationInfo) -> VariableResponse:
        # As Airflow: JSON values are redacted key by key and re-serialised.
        masker = masker_from(info)
        try:
            decoded = json.loads(self.value)
        except ValueError:
            self.value = str(redact(self.value, self.key, masker=masker))
        else:
            self.value = json.dumps(redact(decoded, self.key, masker=masker))
        return self


class VariableCollectionResponse(ResponseModel):
    variables: list[VariableResponse]
    total_entries: int


class VariableBody(RequestModel):
    key: str = Field(max_length=250)
    value: JsonValue
    description: str | None = None

    def stored_value(self) -> str:
        """What Variable.get returns later: strings as sent, anything else as JSON text."""
        return self.value if isinstance(self.value, str) else json.dumps(self.value)


class ConnectionResponse(ResponseModel):
    connection_id: str
    conn_type: str
    description: str | None
    host: str | None
    login: str | None
    schema_: str | None = Field(alias="schema")
    port: int | None
    password: str | None
    """Never the password: ``***`` when one is set."""
    extra: str | None

    @field_validator("password", mode="after")
    @classmethod
    def _mask_password(cls, value: str | None) -> str | None:
        return None if value is None else MASK

    @field_validator("extra", mode="after")
    @classmethod
    def _redact_extra(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        masker = masker_from(info)
        try:
            decoded = json.loads(value)
        except ValueError:
            # Unstructured: no keys to judge by, only registered secrets can be masked.
            return redact(value, masker=masker)
        return json.dumps(redact(decoded, masker=masker))


class ConnectionCollectionResponse(ResponseModel):
    connections: list[ConnectionResponse]
    total_entries: int


class ConnectionBody(RequestModel):
    connection_id: str = Field(max_length=200, pattern=r"^[\w.-]+$")
    conn_type: str = Field(max_length=500)
    description: str | None = None
    host: str | None = Field(default=None, max_length=500)
    login: str | None = None
    schema_: str | None = Field(default=None, alias="schema", max_length=500)
    port: int | None = Field(default=None, ge=-DB_INT_MAX, le=DB_INT_MAX)
    password: str | None = None
    """Write-only: accepted here, never returned."""
    extra: str | None = None

    @field_validator("extra")
    @classmethod
    def _extra_is_object(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value == "":
            return "{}"  # Airflow's backward compatibility for an empty extra
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            raise ValueError("The `extra` field must be a valid JSON object (e.g., {'key': 'value'})")
        return value


# --- Pools and import errors ---------------------------------------------------------------

PoolSlots = Annotated[int, Field(ge=-1, le=DB_INT_MAX, description="Number of slots. Use -1 for unlimited.")]


class PoolResponse(ResponseModel):
    name: str
    slots: PoolSlots
    description: str | None
    include_deferred: bool
    occupied_slots: int
    running_slots: int
    queued_slots: int
    scheduled_slots: int
    open_slots: int
    """-1 for an unlimited pool."""
    deferred_slots: int


class PoolCollectionResponse(ResponseModel):
    pools: list[PoolResponse]
    total_entries: int


class PoolBody(RequestModel):
    name: str = Field(max_length=256)
    slots: PoolSlots
    description: str | None = None
    include_deferred: bool = False


class PoolPatchBody(RequestModel):
    pool: str | None = None
    """The pool's name; Airflow calls it ``pool`` here and ``name`` everywhere else."""
    slots: PoolSlots | None = None
    description: str | None = None
    include_deferred: bool | None = None


class ImportErrorResponse(ResponseModel):
    import_error_id: int
    timestamp: datetime
    filename: str
    bundle_name: str | None
    stack_trace: str


class ImportErrorCollectionResponse(ResponseModel):
    import_errors: list[ImportErrorResponse]
    total_entries: int


# --- Event logs (Brisa's audit log) -------------------------------------------------------


class EventLogResponse(ResponseModel):
    """One audit-log row; ``logical_date`` is that of the run it names (see docs/api.md)."""

    event_log_id: int
    when: datetime
    dag_id: str | None
    task_id: str | None
    run_id: str | None
    map_index: int | None
    try_number: int | None
    event: str
    logical_date: datetime | None
    owner: str | None
    extra: str | None
    dag_display_name: str | None = None


class EventLogCollectionResponse(ResponseModel):
    event_logs: list[EventLogResponse]
    total_entries: int


__all__ = [
    "ConnectionBody",
    "ConnectionCollectionResponse",
    "ConnectionResponse",
    "EventLogCollectionResponse",
    "EventLogResponse",
    "ImportErrorCollectionResponse",
    "ImportErrorResponse",
    "PoolBody",
    "PoolCollectionResponse",
    "PoolPatchBody",
    "PoolResponse",
    "VariableBody",
    "VariableCollectionResponse",
    "VariableResponse",
]
