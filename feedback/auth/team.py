"""Rules for changing a teammate's role or access, so the workspace never locks itself out.

Each flushes; the caller commits.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback.auth.models import User
from feedback.auth.roles import Role
from feedback.auth.users import UserError


def _other_active_admins(session: Session, user: User) -> int:
    """Active admins other than ``user`` who can sign in (a pending invite cannot)."""
    query = select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active, User.password_hash.is_not(None), User.id != user.id)
    return session.scalar(query) or 0


def change_role(session: Session, actor: User, user: User, role: Role) -> bool:
    """Give ``user`` ``role``; True when it changed. Nobody changes their own role."""
    if user.role is role:
        return False
    if user.id == actor.id:
        raise UserError("role", "You cannot change your own role; ask another admin.")
    if user.role is Role.ADMIN and user.active and _other_active_admins(session, user) == 0:
        raise UserError("role", "This is the last active admin; make someone else an admin first.")
    user.role = role
    session.flush()
    return True


def set_active(session: Session, actor: User, user: User, active: bool) -> bool:
    """Deactivate (sign out, refuse logins) or reactivate ``user``; True when it changed."""
    if user.active is active:
        return False
    if user.id == actor.id:
        raise UserError("active", "You cannot deactivate yourself.")
    if not active and user.role is Role.ADMIN and _other_active_admins(session, user) == 0:
        raise UserError("active", "This is the last active admin; make someone else an admin first.")
    user.active = active
    session.flush()
    return True


def list_team(session: Session) -> list[User]:
    """Everyone, active first, then by email."""
    return list(session.scalars(select(User).order_by(User.active.desc(), User.email)))
