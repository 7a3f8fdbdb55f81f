from sqlalchemy import select

from surveys.audience.models import Account
from surveys.db import db


def test_app_builds_and_reaches_the_database(app, make_account):
    make_account(name="Acme")
    assert db.session.scalar(select(Account.name)) == "Acme"
