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
    READ_SURVEYS = "read_surveys"
    DESIGN_SURVEYS = "design_surveys"
    READ_RESPONSES = "read_responses"
    SUBMIT_RESPONSES = "submit_responses"
    TRACK_EVENTS = "track_events"  # record journey events (POST /api/v1/events); reading them is READ_AUDIENCE
    MANAGE_WORKSPACE = "manage_workspace"  # the workspace's asking rules (timezone, recontact period, limits)


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ_AUDIENCE, Permission.READ_SURVEYS, Permission.READ_RESPONSES}),
    Role.CSM: frozenset({Permission.READ_AUDIENCE, Permission.READ_SURVEYS, Permission.READ_RESPONSES}),
    Role.MANAGER: frozenset({Permission.READ_AUDIENCE, Permission.WRITE_AUDIENCE, Permission.READ_SURVEYS,
                             Permission.DESIGN_SURVEYS, Permission.READ_RESPONSES,
                             Permission.SUBMIT_RESPONSES, Permission.TRACK_EVENTS}),
    Role.ADMIN: frozenset(Permission),
}

# A secret API key is a server-to-server integration: it syncs the audience, erases
# on request, designs surveys, records responses and journey events, but it cannot
# create users or keys.
SECRET_KEY_GRANTS = frozenset({Permission.READ_AUDIENCE, Permission.WRITE_AUDIENCE, Permission.ERASE_CONTACTS,
                               Permission.READ_SURVEYS, Permission.DESIGN_SURVEYS, Permission.READ_RESPONSES,
                               Permission.SUBMIT_RESPONSES, Permission.TRACK_EVENTS})


def role_may(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
