import pytest

from brisa.auth.roles import (
    MINIMUM_ROLE,
    Action,
    Permission,
    Resource,
    Role,
    can,
    has_permission,
    permissions_for,
)
from brisa.errors import InvalidInputError

SECRETS_AND_ADMIN = [
    (Action.READ, Resource.VARIABLE),
    (Action.READ, Resource.CONNECTION),
    (Action.READ, Resource.CONFIG),
    (Action.READ, Resource.USER),
    (Action.READ, Resource.AUDIT_LOG),
]


def test_every_permission_has_a_minimum_role():
    assert set(MINIMUM_ROLE) == set(Permission)


def test_roles_nest_viewer_user_op_admin():
    viewer, user, op, admin = (permissions_for(r) for r in (Role.VIEWER, Role.USER, Role.OP, Role.ADMIN))
    assert viewer < user < op < admin
    assert admin == frozenset(Permission)


@pytest.mark.parametrize(
    "resource",
    [
        Resource.DAG,
        Resource.DAG_CODE,
        Resource.DAG_RUN,
        Resource.TASK_INSTANCE,
        Resource.TASK_LOG,
        Resource.XCOM,
        Resource.POOL,
        Resource.IMPORT_ERROR,
    ],
)
def test_viewer_reads_the_operational_resources(resource):
    assert can(Role.VIEWER, Action.READ, resource)


@pytest.mark.parametrize(("action", "resource"), SECRETS_AND_ADMIN)
def test_viewer_and_user_never_read_secrets_config_users_or_audit(action, resource):
    assert not can(Role.VIEWER, action, resource)
    assert not can(Role.USER, action, resource)


def test_viewer_cannot_change_anything():
    viewer = permissions_for(Role.VIEWER)
    changes = {p for p in viewer if p.action is not Action.READ}
    assert changes == {Permission.MY_PROFILE_EDIT}


@pytest.mark.parametrize(
    "permission",
    [
        Permission.DAG_EDIT,  # pause / unpause
        Permission.DAG_RUN_CREATE,  # trigger
        Permission.DAG_RUN_EDIT,  # mark, clear
        Permission.TASK_INSTANCE_EDIT,
        Permission.DAG_RUN_DELETE,
    ],
)
def test_user_acts_on_dags_runs_and_task_instances(permission):
    assert has_permission(Role.USER, permission)
    assert not has_permission(Role.VIEWER, permission)


@pytest.mark.parametrize(
    "permission",
    [
        Permission.VARIABLE_READ,
        Permission.VARIABLE_EDIT,
        Permission.CONNECTION_CREATE,
        Permission.CONNECTION_DELETE,
        Permission.POOL_CREATE,
        Permission.CONFIG_READ,
        Permission.XCOM_DELETE,
    ],
)
def test_op_manages_secrets_pools_and_reads_config(permission):
    assert has_permission(Role.OP, permission)
    assert not has_permission(Role.USER, permission)


@pytest.mark.parametrize(
    "permission",
    [Permission.USER_CREATE, Permission.USER_READ, Permission.AUDIT_LOG_READ, Permission.ROLE_READ],
)
def test_only_admin_manages_users_and_reads_the_audit_log(permission):
    assert has_permission(Role.ADMIN, permission)
    assert not has_permission(Role.OP, permission)


def test_can_takes_fab_strings_and_any_role_spelling():
    assert can("admin", "can_read", "Users")
    assert can("ADMIN", "can_delete", "Connections")
    assert can(" Op ", "can_read", "Configurations")
    assert not can("viewer", "can_create", "DAG Runs")


def test_unknown_names_are_refused_not_errors():
    assert not can("Superuser", Action.READ, Resource.DAG)
    assert not can(Role.ADMIN, "can_fly", Resource.DAG)
    assert not can(Role.ADMIN, Action.READ, "Spaceships")
    assert not can(Role.ADMIN, Action.CREATE, Resource.IMPORT_ERROR)  # a pair nobody holds


def test_parse_role_lists_the_valid_roles():
    assert Role.parse("user") is Role.USER
    with pytest.raises(InvalidInputError, match="valid roles are Viewer, User, Op, Admin"):
        Role.parse("Public")


def test_permission_exposes_its_action_and_resource():
    assert Permission.DAG_RUN_CREATE.action is Action.CREATE
    assert Permission.DAG_RUN_CREATE.resource is Resource.DAG_RUN
    assert Permission.DAG_RUN_CREATE.value == ("can_create", "DAG Runs")
