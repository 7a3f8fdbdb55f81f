"""Fixtures of the response tests: a live survey with score-band logic, and a contact at an account."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from surveys.design.services import create_survey, publish

DEFINITION = {"questions": [
    {"id": "nps", "type": "nps"},
    {"id": "why", "type": "text", "prompt": "What disappointed you?",
     "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}},
    {"id": "best", "type": "text", "prompt": "What do you value most?", "show_if": {"question": "nps", "in": [9, 10]}},
    {"id": "area", "type": "multiple_choice", "options": ["Reports", "Alerts"], "allow_other": True},
]}


@pytest.fixture
def live_survey(session):
    survey = create_survey(session, "Quarterly NPS", DEFINITION)
    publish(session, survey)
    session.commit()
    return survey


@pytest.fixture
def customer(make_account, make_contact):
    account = make_account(external_id="acme", name="Acme", plan="pro", segment="mid-market",
                           arr=Decimal("48000.00"), csm_email="csm@example.com", renewal_date=date(2030, 1, 31))
    return make_contact(external_id="ada", name="Ada Lovelace", account_id=account.id)
