"""Who is calling, and may they? Used by every web view and API endpoint.

Web views use :func:`requires` (a Flask-Login session). API endpoints use
:func:`api_requires`, which accepts ``Authorization: Bearer <secret key>`` or a
logged-in session (then the CSRF token is required on writes, as for forms).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, g, request
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.exc import OperationalError

from feedback.auth.keys import authenticate_key
from feedback.auth.models import ApiKey, KeyKind, User
from feedback.auth.roles import SECRET_KEY_GRANTS, Permission
from feedback.extensions import login_manager
from surveys.db import db

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


login_manager.login_view = "web.login"
login_manager.login_message_category = "info"


def requires(permission: Permission):
    """Web view decorator: log in first, then 403 unless the user's role grants ``permission``."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.may(permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@dataclass(frozen=True)
class Principal:
    """The caller of an API request: a user (by session) or an integration (by key)."""

    user: User | None = None
    key: ApiKey | None = None

    @property
    def label(self) -> str:
        """Who is acting, for audit records: ``user@example.com`` or ``API key sk_1a2b…``."""
        if self.key is not None:
            return f"API key {self.key.prefix} ({self.key.name})"
        return self.user.email if self.user is not None else "anonymous"

    def may(self, permission: Permission) -> bool:
        if self.key is not None:
            return permission in SECRET_KEY_GRANTS
        return self.user is not None and self.user.may(permission)


class ApiAuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _bearer_principal(header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiAuthError(401, "Authorization header must be 'Bearer <secret key>'.")
    key = authenticate_key(db.session, token.strip())
    if key is None:
        raise ApiAuthError(401, "Invalid or revoked API key.")
    if key.kind is not KeyKind.SECRET:
        raise ApiAuthError(403, "A public key only opens the widget endpoints; use a secret key on the server.")
    if db.session.is_modified(key):
        try:
            db.session.commit()  # record last use now, whatever the request does next
        except OperationalError:
            # Last use is best effort: on SQLite a busy writer makes this read-then-write
            # transaction fail at once ("database is locked"); the request goes on.
            db.session.rollback()
    return Principal(key=key)


def current_principal() -> Principal:
    """Authenticate the current API request; raises :class:`ApiAuthError`."""
    if "principal" in g:
        return g.principal
    header = request.headers.get("Authorization")
    if header:
        principal = _bearer_principal(header)
    elif current_user.is_authenticated:
        if request.method in UNSAFE_METHODS:
            try:
                validate_csrf(request.headers.get("X-CSRFToken"))
            except CSRFError:
                raise ApiAuthError(400, "The X-CSRFToken header is missing or wrong.") from None
            except Exception as err:  # flask_wtf raises ValidationError for a bad token
                raise ApiAuthError(400, f"The X-CSRFToken header is missing or wrong: {err}.") from None
        principal = Principal(user=current_user._get_current_object())
    else:
        raise ApiAuthError(401, "Authentication required: send 'Authorization: Bearer <secret key>'.")
    g.principal = principal
    return principal


def api_requires(permission: Permission):
    """API endpoint decorator: 401 without credentials, 403 without ``permission``."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            from flask_smorest import abort as api_abort

            try:
                principal = current_principal()
            except ApiAuthError as err:
                api_abort(err.status, message=err.message)
            if not principal.may(permission):
                api_abort(403, message=f"Your role may not do this ({permission.value} is needed).")
            return view(*args, **kwargs)
        return wrapped
    return decorator
