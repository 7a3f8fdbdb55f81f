"""Seed the demo workspace, once. Everything goes through the product's own services."""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback.auth.keys import create_key
from feedback.auth.models import KeyKind, User
from feedback.auth.roles import Role
from feedback.auth.users import create_user
from feedback.demo.data import CSMS, account_rows, contact_rows
from surveys.audience.services import upsert_accounts, upsert_contacts

ADMIN_EMAIL = "admin@demo.feedback.test"
CREDENTIALS_FILE = "demo-login.json"


@dataclass
class DemoLogin:
    email: str
    password: str
    api_key: str


def seed_demo(session: Session, today: date | None = None) -> DemoLogin | None:
    """Fill an empty workspace with demo data; returns the logins, or None if users exist already."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(9)
    admin = create_user(session, ADMIN_EMAIL, Role.ADMIN, password=password, name="Demo Admin")
    create_user(session, "morgan.lee@demo.feedback.test", Role.MANAGER, password=password, name="Morgan Lee")
    for email in CSMS:
        create_user(session, email, Role.CSM, password=password, name=email.split("@")[0].replace(".", " ").title())
    create_user(session, "vic.viewer@demo.feedback.test", Role.VIEWER, password=password, name="Vic Viewer")
    create_user(session, "new.teammate@demo.feedback.test", Role.CSM, name="New Teammate", invited_by=admin)
    upsert_accounts(session, account_rows(today or date.today()))
    upsert_contacts(session, contact_rows())
    _key, plaintext = create_key(session, "Demo CRM sync", KeyKind.SECRET, created_by=admin)
    return DemoLogin(ADMIN_EMAIL, password, plaintext)


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
