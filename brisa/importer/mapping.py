"""Pure mapping from an Airflow metadata database's rows to Brisa's rows.

Each function takes one source row (a dict of column -> value, as read from Airflow 1.10,
2.x or 3.x) and returns the row for Brisa's table, or ``None`` when the row is not
imported. No I/O here: secrets go through the :class:`Recrypt` handed in.
"""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet

from brisa import serde
from brisa.auth.roles import Role
from brisa.auth.users import username_key
from brisa.errors import SecretsError
from brisa.states import RunState, TaskState

Row = Mapping[str, Any]

UNUSABLE_PASSWORD = "!no-password-imported"
"""Stored for users Airflow kept no password for (LDAP, OAuth): no password matches it."""
FINISHED_RUN_STATES = frozenset({RunState.SUCCESS.value, RunState.FAILED.value})
_TASK_STATES = {state.value for state in TaskState}
_TASK_STATE_ALIASES = {"shutdown": TaskState.FAILED.value, "deferred": TaskState.FAILED.value}
_ROLE_ORDER = (Role.ADMIN, Role.OP, Role.USER, Role.VIEWER)


@dataclass(frozen=True)
class Recrypt:
    """Decrypts with the source's Fernet key(s), encrypts with Brisa's."""

    source: MultiFernet | None
    encrypt: Any  # Callable[[str], str]: Brisa's FernetCodec.encrypt

    def reveal(self, token: str, what: str) -> str:
        if self.source is None:
            raise SecretsError(
                f"{what} is encrypted in the source: pass the source's fernet key with --fernet-key "
                "(Airflow's [core] fernet_key / AIRFLOW__CORE__FERNET_KEY)"
            )
        try:
            return self.source.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretsError(
                f"cannot decrypt {what} with the given --fernet-key(s): pass the key the source "
                "Airflow uses (all of them, if it rotates keys); nothing was imported"
            ) from None

    def reseal(self, value: str | None, encrypted: bool, what: str) -> str | None:
        if value is None:
            return None
        plain = self.reveal(value, what) if encrypted else value
        return self.encrypt(plain)


def connection(row: Row, recrypt: Recrypt) -> dict[str, Any]:
    conn_id = row["conn_id"]
    password = recrypt.reseal(row.get("password"), bool(row.get("is_encrypted")), f"connection {conn_id!r}")
    extra = row.get("extra")
    extra = recrypt.reseal(
        extra or None, bool(row.get("is_extra_encrypted")), f"connection {conn_id!r} extra"
    )
    return {
        "conn_id": conn_id,
        "conn_type": row.get("conn_type") or "",
        "description": row.get("description"),
        "host": row.get("host"),
        "schema": row.get("schema"),
        "login": row.get("login"),
        "password": password,
        "port": row.get("port"),
        "extra": extra,
        "is_encrypted": password is not None,
        "is_extra_encrypted": extra is not None,
    }


def variable(row: Row, recrypt: Recrypt) -> dict[str, Any]:
    key = row["key"]
    val = recrypt.reseal(row.get("val"), bool(row.get("is_encrypted")), f"variable {key!r}")
    return {"key": key, "val": val, "description": row.get("description"), "is_encrypted": val is not None}


def pool(row: Row) -> dict[str, Any]:
    return {"pool": row["pool"], "slots": int(row["slots"] or 0), "description": row.get("description")}


def fab_role(role_names: Iterable[str]) -> Role:
    """The highest of Airflow's built-in roles a FAB user has; custom roles count as Viewer."""
    names = {name.casefold() for name in role_names}
    for role in _ROLE_ORDER:
        if role.value.casefold() in names:
            return role
    return Role.VIEWER


def fab_user(row: Row, role_names: Iterable[str], now: datetime) -> dict[str, Any]:
    return user_row(
        username=row["username"],
        email=row.get("email") or "",
        first_name=row.get("first_name") or "",
        last_name=row.get("last_name") or "",
        role=fab_role(role_names),
        password_hash=row.get("password") or UNUSABLE_PASSWORD,
        active=row.get("active") is None or bool(row["active"]),  # MySQL hands 0 and 1
        created_at=_aware(row.get("created_on")) or now,
    )


def password_auth_user(row: Row, now: datetime) -> dict[str, Any]:
    """An Airflow 1.10 ``password_auth`` user (bcrypt hash): Admin, as that backend made everyone
    a superuser whatever the ``superuser`` column said."""
    return user_row(
        username=row["username"],
        email=row.get("email") or "",
        role=Role.ADMIN,
        password_hash=row.get("password") or UNUSABLE_PASSWORD,
        created_at=now,
    )


def simple_auth_users(spec: str) -> dict[str, Role]:
    """Airflow 3's ``[core] simple_auth_manager_users`` (``alice:admin,bob:viewer``) -> roles."""
    users: dict[str, Role] = {}
    for item in (part.strip() for part in spec.split(",")):
        if item:
            name, _, role = item.partition(":")
            users[name.strip()] = Role.parse(role.strip() or "viewer")
    return users


def user_row(**values: Any) -> dict[str, Any]:
    values["role"] = Role(values["role"]).value
    values.setdefault("first_name", "")
    values.setdefault("last_name", "")
    values.setdefault("active", True)
    return values


def user_key(username: str) -> str:
    return username_key(username)


def dag(row: Row) -> dict[str, Any]:
    """A DAG row keeping Airflow's pause state; inactive until Brisa parses its file."""
    return {
        "dag_id": row["dag_id"],
        "fileloc": row.get("fileloc") or "",
        "is_paused": bool(row.get("is_paused")),
        "is_active": False,
        "owners": row.get("owners") or "",
        "description": row.get("description"),
    }


def run_logical_date(row: Row) -> datetime | None:
    return _aware(row.get("logical_date", row.get("execution_date")))


def run_type(row: Row) -> str:
    """Airflow 2/3's ``run_type``; 1.10 had none and used run_id prefixes and external_trigger."""
    if row.get("run_type"):
        kind = str(row["run_type"])
        return "backfill" if kind.startswith("backfill") else kind
    run_id = row.get("run_id") or ""
    if run_id.startswith("scheduled__"):
        return "scheduled"
    if run_id.startswith("backfill"):
        return "backfill"
    return "manual" if row.get("external_trigger") or run_id.startswith("manual__") else "scheduled"


def dag_run(row: Row, note: str | None = None) -> dict[str, Any] | None:
    """A finished run; ``None`` for one still queued or running (import it once it ends)."""
    state = row.get("state")
    if state not in FINISHED_RUN_STATES:
        return None
    logical_date = run_logical_date(row)
    start, end = _aware(row.get("start_date")), _aware(row.get("end_date"))
    interval_end = _aware(row.get("data_interval_end"))
    run_after = _aware(row.get("run_after")) or interval_end or logical_date or start or end
    return {
        "dag_id": row["dag_id"],
        "run_id": row.get("run_id") or _run_id(row, logical_date),
        "run_type": run_type(row),
        "state": state,
        "logical_date": logical_date,
        "data_interval_start": _aware(row.get("data_interval_start")),
        "data_interval_end": interval_end,
        "run_after": run_after or datetime(1970, 1, 1, tzinfo=UTC),
        "queued_at": _aware(row.get("queued_at")),
        "start_date": start,
        "end_date": end,
        "conf": json.dumps(decode_conf(row.get("conf"))),
        "triggered_by": row.get("triggered_by"),
        "triggering_user": row.get("triggering_user_name"),
        "note": note if note is not None else row.get("note"),
        "clear_number": int(row.get("clear_number") or 0),
    }


def _run_id(row: Row, logical_date: datetime | None) -> str:
    stamp = logical_date.isoformat() if logical_date else "unknown"
    return f"{run_type(row)}__{stamp}"


def task_state(state: str | None) -> str | None:
    if state is None:
        return None
    state = _TASK_STATE_ALIASES.get(state, state)
    return state if state in _TASK_STATES else None


def task_instance(row: Row, run_id: str, note: str | None = None) -> dict[str, Any]:
    return {
        "dag_id": row["dag_id"],
        "run_id": run_id,
        "task_id": row["task_id"],
        "map_index": int(row.get("map_index", -1) if row.get("map_index") is not None else -1),
        "state": task_state(row.get("state")),
        "try_number": int(row.get("try_number") or 0),
        "max_tries": int(row.get("max_tries") or 0),
        "start_date": _aware(row.get("start_date")),
        "end_date": _aware(row.get("end_date")),
        "duration": row.get("duration"),
        "hostname": row.get("hostname") or "",
        "pid": row.get("pid"),
        "operator": row.get("operator"),
        "pool": row.get("pool") or "default_pool",
        "pool_slots": int(row.get("pool_slots") or 1),
        "queue": row.get("queue") or "default",
        "priority_weight": int(row.get("priority_weight") or 1),
        "queued_dttm": _aware(row.get("queued_dttm")),
        "note": note if note is not None else row.get("note"),
    }


def xcom(row: Row, run_id: str, now: datetime) -> dict[str, Any] | None:
    """An XCom whose value is JSON or a plain pickle (1.10's default); ``None`` otherwise."""
    value = xcom_value(row.get("value"))
    if value is _UNREADABLE:
        return None
    return {
        "dag_id": row["dag_id"],
        "run_id": run_id,
        "task_id": row["task_id"],
        "map_index": int(row["map_index"]) if row.get("map_index") is not None else -1,
        "key": row["key"],
        "value": serde.dumps(value),
        "timestamp": _aware(row.get("timestamp")) or now,
    }


_UNREADABLE = object()


def xcom_value(value: Any) -> Any:
    """Airflow 3 hands back decoded JSON; 1.10 and 2.x bytes of JSON or of a pickle."""
    if not isinstance(value, bytes | bytearray | memoryview):
        return value
    raw = bytes(value)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        pass
    try:
        return _PlainUnpickler(io.BytesIO(raw)).load()
    except Exception:
        return _UNREADABLE


def decode_conf(value: Any) -> dict[str, Any]:
    """A run's conf: JSON (3.x) or a pickle (1.10, 2.x) of plain values; anything else -> {}.

    Pickles are read with an unpickler that builds no object of any class (no code runs).
    """
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return _json_dict(value)
    raw = bytes(value)
    try:
        decoded = _PlainUnpickler(io.BytesIO(raw)).load()
    except Exception:
        return _json_dict(raw.decode("utf-8", "replace"))
    return decoded if isinstance(decoded, dict) else {}


def _json_dict(text: str) -> dict[str, Any]:
    try:
        decoded = json.loads(text)
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a pickled conf")


def _aware(value: Any) -> datetime | None:
    """Airflow stores UTC; SQLite hands naive datetimes or ISO text back."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace(" ", "T"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


__all__ = [
    "FINISHED_RUN_STATES",
    "UNUSABLE_PASSWORD",
    "Recrypt",
    "connection",
    "dag",
    "dag_run",
    "decode_conf",
    "fab_role",
    "fab_user",
    "password_auth_user",
    "pool",
    "run_logical_date",
    "run_type",
    "simple_auth_users",
    "task_instance",
    "task_state",
    "user_key",
    "user_row",
    "variable",
    "xcom",
    "xcom_value",
]
