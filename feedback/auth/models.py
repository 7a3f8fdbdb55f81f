"""Users of the web UI and API keys of integrations."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback.auth.roles import Permission, Role, role_may
from surveys.db import Base, TimestampMixin, UTCDateTime


class User(UserMixin, TimestampMixin, Base):
    """A teammate. Invited users have no password until they accept the invitation."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, name="role", values_callable=lambda e: [m.value for m in e],
             validate_strings=True)
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    invite_nonce: Mapped[str | None] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    @property
    def pending_invite(self) -> bool:
        return self.password_hash is None

    def may(self, permission: Permission) -> bool:
        return self.active and role_may(self.role, permission)

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role.value}>"


class KeyKind(enum.StrEnum):
    SECRET = "secret"  # server-to-server, full API
    PUBLIC = "public"  # the browser widget, public endpoints only


class ApiKey(TimestampMixin, Base):
    """An API key. Only its SHA-256 digest is stored; ``prefix`` finds it without a scan."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[KeyKind] = mapped_column(
        Enum(KeyKind, native_enum=False, length=16, name="key_kind", values_callable=lambda e: [m.value for m in e],
             validate_strings=True)
    )
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    allowed_origins: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        return self.revoked_at is None
