"""poll: the contact's oldest due in-app invitation that may still be shown, as a <Due>."""
from __future__ import annotations

from datetime import timedelta

from surveys.audience.services import get_contact
from surveys.db import db, utcnow
from surveys.delivery.models import InvitationState
from tests.feedback.widget.protocol import (  # noqa: F401 - fixture
    call,
    identify,
    in_app_survey,
    public_key,
)
from tests.invitation_helpers import make_invitation, reload


def poll(client, key: str, token: str, **headers: str):
    response = call(client, "poll", {"key": key, "token": token}, **headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["due"]


def test_a_due_invitation_is_handed_out(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key, "contact-42")["token"]
    invitation = make_invitation(session, contact=get_contact(db.session, "contact-42"), survey=survey,
                                 channel="in_app")
    due = poll(client, public_key, token)
    assert due["invitation"] == invitation.id
    assert due["survey"]["version"] == 1
    assert len(due["response_key"]) >= 16
    assert reload(session, invitation.id).state is InvitationState.SCHEDULED  # until the widget shows it


def test_nothing_is_due_before_its_time_or_on_another_channel(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key, "contact-42")["token"]
    contact = get_contact(db.session, "contact-42")
    make_invitation(session, contact=contact, survey=survey, channel="in_app",
                    scheduled_for=utcnow() + timedelta(hours=1))
    make_invitation(session, contact=contact, survey=in_app_survey(session, name="Other"), channel="email")
    assert poll(client, public_key, token) is None


def test_the_oldest_due_invitation_comes_first(client, session, public_key):
    first, second = in_app_survey(session, name="First"), in_app_survey(session, name="Second")
    token = identify(client, public_key, "contact-42")["token"]
    contact = get_contact(db.session, "contact-42")
    make_invitation(session, contact=contact, survey=second, channel="in_app")
    older = make_invitation(session, contact=contact, survey=first, channel="in_app",
                            scheduled_for=utcnow() - timedelta(hours=2))
    assert poll(client, public_key, token)["invitation"] == older.id


def test_a_throttled_invitation_is_skipped_with_its_reason(client, session, public_key):
    asked, waiting = in_app_survey(session, name="Asked last week"), in_app_survey(session, name="Waiting")
    token = identify(client, public_key, "contact-42")["token"]
    contact = get_contact(db.session, "contact-42")
    make_invitation(session, contact=contact, survey=asked, channel="email", state=InvitationState.SENT,
                    sent_at=utcnow() - timedelta(days=7))
    invitation = make_invitation(session, contact=contact, survey=waiting, channel="in_app")
    assert poll(client, public_key, token) is None
    skipped = reload(session, invitation.id)
    assert skipped.state is InvitationState.SKIPPED
    assert "Asked last week" in skipped.reason


def test_a_paused_surveys_invitation_is_skipped(client, session, public_key):
    from surveys.design.models import SurveyStatus
    from surveys.design.services import set_status

    survey = in_app_survey(session)
    token = identify(client, public_key, "contact-42")["token"]
    invitation = make_invitation(session, contact=get_contact(db.session, "contact-42"), survey=survey,
                                 channel="in_app")
    set_status(session, survey, SurveyStatus.PAUSED)
    session.commit()
    assert poll(client, public_key, token) is None
    assert reload(session, invitation.id).state is InvitationState.SKIPPED


def test_someone_elses_invitation_is_never_handed_out(client, session, public_key, make_contact):
    survey = in_app_survey(session)
    make_invitation(session, contact=make_contact(), survey=survey, channel="in_app")
    token = identify(client, public_key, "contact-42")["token"]
    assert poll(client, public_key, token) is None


def test_the_due_survey_speaks_the_contacts_language_with_placeholders_as_text(client, session, public_key,
                                                                             make_account):
    make_account(external_id="acme", name="<b>Acme</b>")
    definition = {"product": "Acme Cloud", "locale": "en", "questions": [
        {"id": "nps", "type": "nps", "prompt": "How likely is {account.name} to recommend {product}?"},
        {"id": "plan", "type": "single_choice", "options": ["Free", "Pro"]},
        {"id": "why", "type": "text", "placeholder": "Tell us, {contact.first_name|friend}", "max": 500},
    ], "thank_you": {"title": "Merci {contact.first_name}!", "message": "Bye"},
        "translations": {"fr": {"questions": {
            "nps": {"prompt": "{contact.first_name}, recommanderiez-vous {product} ?"},
            "plan": {"options": ["Gratuit", "Pro"]}}}},
        "triggers": [{"type": "event", "event": "x", "channels": ["in_app"]}]}
    survey = in_app_survey(session, definition)
    token = identify(client, public_key, "contact-42", {"name": "<img src=x onerror=alert(1)> Lovelace",
                                                        "locale": "fr-CA", "account_id": "acme"})["token"]
    make_invitation(session, contact=get_contact(db.session, "contact-42"), survey=survey, channel="in_app")
    shown = poll(client, public_key, token)["survey"]
    assert shown["locale"] == "fr"
    nps, plan, why = shown["questions"]
    assert nps["prompt"] == "<img, recommanderiez-vous Acme Cloud ?"  # first name: up to the first space
    assert (nps["min"], nps["max"], nps["required"]) == (0, 10, True)
    assert nps["labels"] == {"min": "Not at all likely", "max": "Extremely likely"}
    assert plan["options"] == [{"value": "Free", "label": "Gratuit"}, {"value": "Pro", "label": "Pro"}]
    assert (why["placeholder"], why["max_length"], why["options"]) == ("Tell us, <img", 500, None)
    assert shown["texts"]["next"] == "Suivant" and shown["texts"]["dismiss"] == "Plus tard"
    assert shown["thank_you"] == {"title": "Merci <img!", "message": "Bye"}


def test_the_browser_language_counts_when_the_contact_has_none(client, session, public_key):
    definition = {"questions": [{"id": "nps", "type": "nps", "prompt": "Recommend us?"}],
                  "translations": {"de": {"questions": {"nps": {"prompt": "Empfehlen?"}}}},
                  "triggers": [{"type": "event", "event": "x", "channels": ["in_app"]}]}
    survey = in_app_survey(session, definition)
    token = identify(client, public_key, "contact-42")["token"]
    make_invitation(session, contact=get_contact(db.session, "contact-42"), survey=survey, channel="in_app")
    due = poll(client, public_key, token, **{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert due["survey"]["questions"][0]["prompt"] == "Empfehlen?"


def test_survey_texts_with_markup_are_returned_verbatim(client, session, public_key):
    xss = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    definition = {"questions": [{"id": "nps", "type": "nps", "prompt": xss},
                                {"id": "c", "type": "single_choice", "options": [xss, "b"]}],
                  "thank_you": {"title": xss, "message": xss},
                  "triggers": [{"type": "event", "event": "x", "channels": ["in_app"]}]}
    survey = in_app_survey(session, definition)
    token = identify(client, public_key, "contact-42")["token"]
    make_invitation(session, contact=get_contact(db.session, "contact-42"), survey=survey, channel="in_app")
    response = call(client, "poll", {"key": public_key, "token": token})
    assert response.mimetype == "application/json"
    shown = response.get_json()["due"]["survey"]
    assert shown["questions"][0]["prompt"] == xss
    assert shown["questions"][1]["options"][0] == {"value": xss, "label": xss}
    assert shown["thank_you"] == {"title": xss, "message": xss}


def test_appearance_comes_from_the_widget_section_or_the_defaults(client, session, public_key):
    plain = in_app_survey(session, name="Plain")
    styled = in_app_survey(session, {**_questions(), "widget": {"placement": "center", "brand_color": "#FF0066"}},
                           name="Styled")
    for external_id, survey, expected in (
            ("ada", plain, {"placement": "bottom-right", "brand_color": "#4f46e5"}),
            ("bob", styled, {"placement": "center", "brand_color": "#ff0066"})):
        token = identify(client, public_key, external_id)["token"]
        make_invitation(session, contact=get_contact(db.session, external_id), survey=survey, channel="in_app")
        assert poll(client, public_key, token)["survey"]["appearance"] == expected


def _questions() -> dict:
    return {"questions": [{"id": "nps", "type": "nps"}],
            "triggers": [{"type": "event", "event": "x", "channels": ["in_app"]}]}


def test_an_anonymous_visitor_has_nothing_due(client, public_key):
    from tests.feedback.widget.protocol import visitor_token

    assert poll(client, public_key, visitor_token(client, public_key)) is None
