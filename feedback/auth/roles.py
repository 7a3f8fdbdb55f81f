"""Roles and what each may do. One table, checked on every view and endpoint."""
from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    CSM = "csm"
    VIEWER = "viewer"


class Permission(enum.StrEnum):
    READ_AUDIENCE = "read_audience"
    WRITE_AUDIENCE = "write_audience"
    ERASE_CONTACTS = "erase_contacts"
    MANAGE_USERS = "manage_users"
    MANAGE_KEYS = "manage_keys"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ_AUDIENCE}),
    Role.CSM: frozenset({Permission.READ_AUDIENCE}),
    Role.MANAGER: frozenset({Permission.READ_AUDIENCE, Permission.WRITE_AUDIENCE}),
    Role.ADMIN: frozenset(Permission),
}

# A secret API key is a server-to-server integration: it syncs the audience and
# erases on request, but it cannot create users or other keys.
SECRET_KEY_GRANTS = frozenset({Permission.READ_AUDIENCE, Permission.WRITE_AUDIENCE, Permission.ERASE_CONTACTS})


def role_may(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
