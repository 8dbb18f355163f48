"""Roles and what each may do, with the meaning Airflow gives them.

Brisa has Airflow's four built-in roles and nests them the way both of Airflow's auth
managers do (the FAB role lists are cumulative; the simple auth manager orders its
roles): every role can do everything the roles below it can.

    Viewer  reads DAGs, runs, task instances, logs, XComs, pools and import errors;
            never secrets (variables, connections), configuration or users
    User    Viewer + pause/unpause and delete DAGs, trigger, clear, mark and delete
            DAG runs and task instances
    Op      User + variables and connections (all actions), pool writes, XCom
            deletes, configuration read
    Admin   everything, including users and the audit log

A permission is an (action, resource) pair, named after FAB's ``can_read`` / ``DAGs``
strings so that an Airflow user recognises them. :data:`MINIMUM_ROLE` is the one table:
it maps each permission to the least role that holds it. Routes declare the
:class:`Permission` they need and ask :func:`can`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from types import MappingProxyType

from brisa.errors import InvalidInputError


class Role(StrEnum):
    VIEWER = "Viewer"
    USER = "User"
    OP = "Op"
    ADMIN = "Admin"

    @property
    def rank(self) -> int:
        """Position in the nesting: a role holds every permission of a lower rank."""
        return _RANKS[self]

    @classmethod
    def parse(cls, name: str | Role) -> Role:
        """Accept ``Admin``, ``admin`` or ``ADMIN`` (Airflow's simple auth manager spelling)."""
        if isinstance(name, Role):
            return name
        for role in cls:
            if role.value.lower() == str(name).strip().lower():
                return role
        valid = ", ".join(role.value for role in cls)
        raise InvalidInputError(f"unknown role {name!r}; valid roles are {valid}")


_RANKS = {Role.VIEWER: 0, Role.USER: 1, Role.OP: 2, Role.ADMIN: 3}


class Action(StrEnum):
    READ = "can_read"
    CREATE = "can_create"
    EDIT = "can_edit"
    DELETE = "can_delete"


class Resource(StrEnum):
    DAG = "DAGs"
    DAG_CODE = "DAG Code"
    DAG_RUN = "DAG Runs"
    TASK_INSTANCE = "Task Instances"
    TASK_LOG = "Task Logs"
    XCOM = "XComs"
    IMPORT_ERROR = "ImportError"
    POOL = "Pools"
    JOB = "Jobs"
    MY_PROFILE = "My Profile"
    VARIABLE = "Variables"
    CONNECTION = "Connections"
    CONFIG = "Configurations"
    PROVIDER = "Providers"
    AUDIT_LOG = "Audit Logs"
    USER = "Users"
    ROLE = "Roles"


class Permission(Enum):
    """What a route or page needs; ``value`` is the (action, resource) pair."""

    DAG_READ = (Action.READ, Resource.DAG)
    DAG_EDIT = (Action.EDIT, Resource.DAG)
    DAG_DELETE = (Action.DELETE, Resource.DAG)
    DAG_CODE_READ = (Action.READ, Resource.DAG_CODE)
    DAG_RUN_READ = (Action.READ, Resource.DAG_RUN)
    DAG_RUN_CREATE = (Action.CREATE, Resource.DAG_RUN)
    DAG_RUN_EDIT = (Action.EDIT, Resource.DAG_RUN)
    DAG_RUN_DELETE = (Action.DELETE, Resource.DAG_RUN)
    TASK_INSTANCE_READ = (Action.READ, Resource.TASK_INSTANCE)
    TASK_INSTANCE_CREATE = (Action.CREATE, Resource.TASK_INSTANCE)
    TASK_INSTANCE_EDIT = (Action.EDIT, Resource.TASK_INSTANCE)
    TASK_INSTANCE_DELETE = (Action.DELETE, Resource.TASK_INSTANCE)
    TASK_LOG_READ = (Action.READ, Resource.TASK_LOG)
    XCOM_READ = (Action.READ, Resource.XCOM)
    XCOM_CREATE = (Action.CREATE, Resource.XCOM)
    XCOM_EDIT = (Action.EDIT, Resource.XCOM)
    XCOM_DELETE = (Action.DELETE, Resource.XCOM)
    IMPORT_ERROR_READ = (Action.READ, Resource.IMPORT_ERROR)
    POOL_READ = (Action.READ, Resource.POOL)
    POOL_CREATE = (Action.CREATE, Resource.POOL)
    POOL_EDIT = (Action.EDIT, Resource.POOL)
    POOL_DELETE = (Action.DELETE, Resource.POOL)
    JOB_READ = (Action.READ, Resource.JOB)
    MY_PROFILE_READ = (Action.READ, Resource.MY_PROFILE)
    MY_PROFILE_EDIT = (Action.EDIT, Resource.MY_PROFILE)
    VARIABLE_READ = (Action.READ, Resource.VARIABLE)
    VARIABLE_CREATE = (Action.CREATE, Resource.VARIABLE)
    VARIABLE_EDIT = (Action.EDIT, Resource.VARIABLE)
    VARIABLE_DELETE = (Action.DELETE, Resource.VARIABLE)
    CONNECTION_READ = (Action.READ, Resource.CONNECTION)
    CONNECTION_CREATE = (Action.CREATE, Resource.CONNECTION)
    CONNECTION_EDIT = (Action.EDIT, Resource.CONNECTION)
    CONNECTION_DELETE = (Action.DELETE, Resource.CONNECTION)
    CONFIG_READ = (Action.READ, Resource.CONFIG)
    PROVIDER_READ = (Action.READ, Resource.PROVIDER)
    AUDIT_LOG_READ = (Action.READ, Resource.AUDIT_LOG)
    USER_READ = (Action.READ, Resource.USER)
    USER_CREATE = (Action.CREATE, Resource.USER)
    USER_EDIT = (Action.EDIT, Resource.USER)
    USER_DELETE = (Action.DELETE, Resource.USER)
    ROLE_READ = (Action.READ, Resource.ROLE)

    @property
    def action(self) -> Action:
        return self.value[0]

    @property
    def resource(self) -> Resource:
        return self.value[1]


_P = Permission
MINIMUM_ROLE: Mapping[Permission, Role] = MappingProxyType(
    {
        # Viewer: Airflow's VIEWER_PERMISSIONS, minus the menus Brisa has no pages for.
        _P.DAG_READ: Role.VIEWER,
        _P.DAG_CODE_READ: Role.VIEWER,
        _P.DAG_RUN_READ: Role.VIEWER,
        _P.TASK_INSTANCE_READ: Role.VIEWER,
        _P.TASK_LOG_READ: Role.VIEWER,
        _P.XCOM_READ: Role.VIEWER,
        _P.IMPORT_ERROR_READ: Role.VIEWER,
        _P.POOL_READ: Role.VIEWER,
        _P.JOB_READ: Role.VIEWER,
        _P.MY_PROFILE_READ: Role.VIEWER,
        _P.MY_PROFILE_EDIT: Role.VIEWER,
        # User: pause (edit) and delete DAGs; act on runs and task instances.
        _P.DAG_EDIT: Role.USER,
        _P.DAG_DELETE: Role.USER,
        _P.DAG_RUN_CREATE: Role.USER,
        _P.DAG_RUN_EDIT: Role.USER,
        _P.DAG_RUN_DELETE: Role.USER,
        _P.TASK_INSTANCE_CREATE: Role.USER,
        _P.TASK_INSTANCE_EDIT: Role.USER,
        _P.TASK_INSTANCE_DELETE: Role.USER,
        # Op: secrets, pools, configuration.
        _P.VARIABLE_READ: Role.OP,
        _P.VARIABLE_CREATE: Role.OP,
        _P.VARIABLE_EDIT: Role.OP,
        _P.VARIABLE_DELETE: Role.OP,
        _P.CONNECTION_READ: Role.OP,
        _P.CONNECTION_CREATE: Role.OP,
        _P.CONNECTION_EDIT: Role.OP,
        _P.CONNECTION_DELETE: Role.OP,
        _P.POOL_CREATE: Role.OP,
        _P.POOL_EDIT: Role.OP,
        _P.POOL_DELETE: Role.OP,
        _P.XCOM_DELETE: Role.OP,
        _P.CONFIG_READ: Role.OP,
        _P.PROVIDER_READ: Role.OP,
        # Admin: what no FAB list grants below Admin (FAB gives Admin every permission).
        _P.XCOM_CREATE: Role.ADMIN,
        _P.XCOM_EDIT: Role.ADMIN,
        _P.AUDIT_LOG_READ: Role.ADMIN,
        _P.USER_READ: Role.ADMIN,
        _P.USER_CREATE: Role.ADMIN,
        _P.USER_EDIT: Role.ADMIN,
        _P.USER_DELETE: Role.ADMIN,
        _P.ROLE_READ: Role.ADMIN,
    }
)


def can(role: Role | str, action: Action | str, resource: Resource | str) -> bool:
    """Whether ``role`` may do ``action`` on ``resource``; unknown names are refused."""
    permission = _find_permission(action, resource)
    parsed = _parse_role_or_none(role)
    if permission is None or parsed is None:
        return False
    return parsed.rank >= MINIMUM_ROLE[permission].rank


def has_permission(role: Role | str, permission: Permission) -> bool:
    return can(role, permission.action, permission.resource)


def permissions_for(role: Role | str) -> frozenset[Permission]:
    parsed = Role.parse(role)
    return frozenset(p for p, least in MINIMUM_ROLE.items() if parsed.rank >= least.rank)


def _find_permission(action: Action | str, resource: Resource | str) -> Permission | None:
    try:
        return Permission((Action(action), Resource(resource)))
    except ValueError:
        return None


def _parse_role_or_none(role: Role | str) -> Role | None:
    try:
        return Role.parse(role)
    except InvalidInputError:
        return None


__all__ = [
    "MINIMUM_ROLE",
    "Action",
    "Permission",
    "Resource",
    "Role",
    "can",
    "has_permission",
    "permissions_for",
]
