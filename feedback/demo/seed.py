"""Seed the demo workspace, once: teammates, customers, surveys and half a year of responses.

Everything goes through the product's own services.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback.auth.keys import create_key, normalize_origin
from feedback.auth.models import KeyKind, User
from feedback.auth.roles import Role
from feedback.auth.users import create_user
from feedback.demo.data import CSMS, account_rows, contact_rows
from feedback.demo.journeys import seed_journeys
from feedback.demo.responses import seed_responses
from feedback.demo.surveys import seed_surveys
from surveys.audience.services import upsert_accounts, upsert_contacts

ADMIN_EMAIL = "admin@demo.feedback.test"
MANAGER_EMAIL = "morgan.lee@demo.feedback.test"
CREDENTIALS_FILE = "demo-login.json"
# The origins of the one-command run: the widget demo page (/widget/demo) is served from there.
WIDGET_ORIGINS = ("http://127.0.0.1:5000", "http://localhost:5000")


@dataclass
class DemoLogin:
    email: str
    password: str
    api_key: str


def seed_demo(session: Session, today: date | None = None) -> DemoLogin | None:
    """Fill an empty workspace with demo data; returns the logins, or None if users exist already.

    ``today`` (tests) puts "now" at noon of that day; by default it is the present moment.
    """
    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(9)
    admin = create_user(session, ADMIN_EMAIL, Role.ADMIN, password=password, name="Demo Admin")
    _teammate(session, admin, MANAGER_EMAIL, Role.MANAGER, "Morgan Lee")
    for email in CSMS:
        _teammate(session, admin, email, Role.CSM, email.split("@")[0].replace(".", " ").title())
    _teammate(session, admin, "vic.viewer@demo.feedback.test", Role.VIEWER, "Vic Viewer")
    create_user(session, "new.teammate@demo.feedback.test", Role.CSM, name="New Teammate", invited_by=admin)
    now = datetime.combine(today, time(12), UTC) if today else datetime.now(UTC)
    upsert_accounts(session, account_rows(now.date()))
    upsert_contacts(session, contact_rows())
    surveys, milestones = seed_surveys(session, now, MANAGER_EMAIL)
    seed_responses(session, surveys, milestones, now)
    seed_journeys(session, now)
    _key, plaintext = create_key(session, "Demo CRM sync", KeyKind.SECRET, created_by=admin)
    _demo_widget_key(session, admin)
    return DemoLogin(ADMIN_EMAIL, password, plaintext)


def _demo_widget_key(session: Session, admin: User) -> None:
    """A public key for the widget demo page; made from the app's secret key, so the install page shows it."""
    origins, derive_with = list(WIDGET_ORIGINS), None
    if has_app_context():
        derive_with = current_app.config["SECRET_KEY"]
        base = urlsplit(current_app.config.get("BASE_URL") or "")
        try:
            origins.append(normalize_origin(f"{base.scheme}://{base.netloc}"))  # where this install is served
        except ValueError:
            pass
    create_key(session, "Demo widget", KeyKind.PUBLIC, created_by=admin, allowed_origins=origins,
               derive_with=derive_with)


def _teammate(session: Session, admin: User, email: str, role: Role, name: str) -> User:
    """A teammate who logs in with the admin's demo password.

    The password is shared, so its Argon2 hash is too: hashing it once per
    teammate took about a second and a half of the seed.
    """
    user = create_user(session, email, role, name=name)
    user.password_hash, user.invite_nonce = admin.password_hash, None
    session.flush()
    return user


def save_login(instance_path: Path, login: DemoLogin) -> None:
    """Keep the demo logins under instance/ so every later run can print them again."""
    path = instance_path / CREDENTIALS_FILE
    path.write_text(json.dumps(asdict(login), indent=2))
    path.chmod(0o600)


def load_login(instance_path: Path) -> DemoLogin | None:
    path = instance_path / CREDENTIALS_FILE
    if not path.exists():
        return None
    return DemoLogin(**json.loads(path.read_text()))
