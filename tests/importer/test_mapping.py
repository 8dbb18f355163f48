"""The pure row mappers and version detection, without any database."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet, MultiFernet

from brisa.auth.roles import Role
from brisa.errors import InvalidInputError
from brisa.importer import mapping
from brisa.importer.versions import detect

KEY = Fernet.generate_key().decode()


def recrypt() -> mapping.Recrypt:
    return mapping.Recrypt(source=MultiFernet([Fernet(KEY)]), encrypt=lambda text: f"brisa:{text}")


def test_connection_secrets_are_decrypted_then_sealed_with_brisas_key() -> None:
    token = Fernet(KEY).encrypt(b"pw").decode()
    row = {"conn_id": "c", "conn_type": None, "password": token, "is_encrypted": True, "extra": '{"a": 1}'}
    mapped = mapping.connection(row, recrypt())
    assert mapped["password"] == "brisa:pw" and mapped["extra"] == 'brisa:{"a": 1}'
    assert mapped["conn_type"] == "" and mapped["is_encrypted"] and mapped["is_extra_encrypted"]


def test_a_connection_without_password_stays_without() -> None:
    mapped = mapping.connection({"conn_id": "c", "conn_type": "http", "extra": ""}, recrypt())
    assert (mapped["password"], mapped["extra"], mapped["is_encrypted"]) == (None, None, False)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["Admin", "Viewer"], Role.ADMIN),
        (["op"], Role.OP),
        (["User"], Role.USER),
        (["Public"], Role.VIEWER),
        ([], Role.VIEWER),
    ],
)
def test_fab_users_get_their_highest_builtin_role(roles: list[str], expected: Role) -> None:
    assert mapping.fab_role(roles) == expected


def test_a_fab_user_without_password_gets_one_nothing_matches() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    user = mapping.fab_user({"username": "ldap", "password": None, "active": True}, ["Viewer"], now)
    assert user["password_hash"] == mapping.UNUSABLE_PASSWORD and user["created_at"] == now


@pytest.mark.parametrize(
    ("active", "expected"), [(True, True), (False, False), (1, True), (0, False), (None, True)]
)
def test_a_fab_users_active_flag_is_kept_as_mysql_hands_it_too(active: object, expected: bool) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert mapping.fab_user({"username": "u", "active": active}, [], now)["active"] is expected


def test_simple_auth_manager_users_spec() -> None:
    assert mapping.simple_auth_users("alice:admin, bob:viewer,carol") == {
        "alice": Role.ADMIN,
        "bob": Role.VIEWER,
        "carol": Role.VIEWER,
    }


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"run_id": "scheduled__2021", "external_trigger": False}, "scheduled"),
        ({"run_id": "manual__2021", "external_trigger": True}, "manual"),
        ({"run_id": "my-own-id", "external_trigger": True}, "manual"),
        ({"run_id": "backfill_2021"}, "backfill"),
        ({"run_type": "backfill_job", "run_id": "x"}, "backfill"),
        ({"run_type": "asset_triggered", "run_id": "x"}, "asset_triggered"),
    ],
)
def test_run_types_of_every_version(row: dict, expected: str) -> None:
    assert mapping.run_type(row) == expected


def test_unfinished_runs_are_left_for_a_later_import() -> None:
    assert mapping.dag_run({"dag_id": "d", "run_id": "r", "state": "running"}) is None
    assert mapping.dag_run({"dag_id": "d", "run_id": "r", "state": "queued"}) is None


def test_a_2x_run_keeps_dates_note_and_clear_number() -> None:
    row = {
        "dag_id": "d",
        "run_id": "r",
        "state": "success",
        "run_type": "manual",
        "execution_date": datetime(2024, 1, 1),
        "data_interval_end": datetime(2024, 1, 2),
        "clear_number": 2,
        "conf": pickle.dumps({"k": [1, 2]}),
    }
    run = mapping.dag_run(row, note="checked by ops")
    assert run["logical_date"] == datetime(2024, 1, 1, tzinfo=UTC)
    assert run["run_after"] == datetime(2024, 1, 2, tzinfo=UTC)
    assert (run["note"], run["clear_number"], run["conf"]) == ("checked by ops", 2, '{"k": [1, 2]}')


class Evil:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (print, ("pwned",))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {}),
        ('{"a": 1}', {"a": 1}),
        ({"a": 1}, {"a": 1}),
        (pickle.dumps({"a": 1}, protocol=2), {"a": 1}),
        (pickle.dumps(Evil()), {}),
        (b"not a pickle", {}),
        ("[1, 2]", {}),
    ],
)
def test_run_conf_from_json_or_plain_pickles_only(value: object, expected: dict) -> None:
    assert mapping.decode_conf(value) == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [("success", "success"), ("shutdown", "failed"), ("deferred", "failed"), (None, None), ("bogus", None)],
)
def test_task_states(state: str | None, expected: str | None) -> None:
    assert mapping.task_state(state) == expected


def test_a_1_10_task_instance_gets_its_runs_id_and_defaults() -> None:
    row = {"dag_id": "d", "task_id": "t", "state": "success", "try_number": 1, "pool": None, "hostname": None}
    ti = mapping.task_instance(row, "scheduled__x", note=None)
    assert (ti["run_id"], ti["map_index"], ti["pool"], ti["hostname"], ti["pool_slots"]) == (
        "scheduled__x",
        -1,
        "default_pool",
        "",
        1,
    )


@pytest.mark.parametrize(
    ("revisions", "family", "release"),
    [
        (["03afc6b6f902"], "1.10", "1.10.13"),
        (["5f2621c13b39"], "2", "2.10.3"),
        (["d2f4e1b3c5a7"], "3", "3.3.0"),
    ],
)
def test_versions_are_detected_from_alembic_version(revisions: list[str], family: str, release: str) -> None:
    version = detect(revisions)
    assert (version.family, version.release) == (family, release)


@pytest.mark.parametrize(
    "revisions", [[], ["ffffffffffff"], ["1507a7289a2f"]], ids=["empty", "unknown", "1.5"]
)
def test_unknown_or_too_old_revisions_are_refused(revisions: list[str]) -> None:
    with pytest.raises(InvalidInputError):
        detect(revisions)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(b'"extract"', "extract"), (pickle.dumps([1, {"a": 2}]), [1, {"a": 2}]), ({"a": 1}, {"a": 1})],
    ids=["2.x-json-bytes", "1.10-pickle", "3.x-json"],
)
def test_xcom_values_of_every_version(value: object, expected: object) -> None:
    row = {"dag_id": "d", "task_id": "t", "key": "return_value", "value": value, "map_index": None}
    mapped = mapping.xcom(row, "r", datetime(2026, 1, 1, tzinfo=UTC))
    assert mapped is not None and mapped["map_index"] == -1
    from brisa import serde

    assert serde.loads(mapped["value"]) == expected


def test_an_xcom_pickling_an_object_is_not_imported() -> None:
    row = {"dag_id": "d", "task_id": "t", "key": "k", "value": pickle.dumps(Evil())}
    assert mapping.xcom(row, "r", datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_log_paths_follow_airflows_default_templates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from brisa.importer.logs import try_log_path

    key = ("etl", "manual__2024-01-01T00:00:00+00:00", "load", -1)
    assert try_log_path(tmp_path, "2", key, 2, None) == (
        tmp_path
        / "dag_id=etl"
        / "run_id=manual__2024-01-01T00:00:00+00:00"
        / "task_id=load"
        / "attempt=2.log"
    )
    mapped = try_log_path(tmp_path, "3", (*key[:3], 4), 1, None)
    assert mapped is not None and mapped.parent.name == "map_index=4"
    when = datetime(2021, 3, 1, tzinfo=UTC)
    assert (
        try_log_path(tmp_path, "1.10", key, 1, when)
        == tmp_path / "etl" / "load" / "2021-03-01T00:00:00+00:00" / "1.log"
    )
