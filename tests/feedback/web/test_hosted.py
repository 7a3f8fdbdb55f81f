"""The hosted survey page ``/s/<token>`` without JavaScript: plain GETs and form posts, as a phone would send them."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from feedback.responses.models import Answer, Channel, Response
from feedback.web.hosted.rendering import render_preview
from surveys.db import utcnow
from surveys.delivery.links import sign_personal_link
from surveys.design.models import SurveyStatus
from surveys.design.services import create_survey, publish, set_status
from surveys.design.templates import TEMPLATES

XSS = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(2)>'
SECRET = "test-secret-key-not-for-production"


def nps_definition(**extra) -> dict:
    definition = TEMPLATES["nps_relationship"].build()
    definition["product"] = "Acme"
    return definition | extra


@pytest.fixture
def make_survey(session):
    """``make_survey(definition, status=live)``: a survey created, published (unless draft) and committed."""
    def make(definition: dict | None = None, status: SurveyStatus = SurveyStatus.LIVE, name: str = "Pulse"):
        survey = create_survey(session, name, definition or nps_definition())
        if status is not SurveyStatus.DRAFT:
            publish(session, survey, "ada@example.com")
            set_status(session, survey, status)
        session.commit()
        return survey
    return make


@pytest.fixture
def survey(make_survey):
    return make_survey()


def responses(session) -> list[Response]:
    return list(session.scalars(select(Response).order_by(Response.id)))


def answers_of(session, response: Response) -> dict[str, Answer]:
    return {a.question_id: a for a in session.scalars(select(Answer).where(Answer.response_id == response.id))}


def answer_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Answer))


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def answer(client, token: str, data: dict, **kw):
    """POST one answer; a successful one redirects (303) to the next step."""
    return client.post(f"/s/{token}", data=data, **kw)


def follow(client, response):
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    return client.get(response.headers["Location"])


def test_a_detractor_answers_the_follow_up_and_leaves_one_complete_response(client, session, survey):
    first = client.get(f"/s/{survey.token}")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "How likely are you to recommend Acme to a friend or colleague?" in html
    assert len(re.findall(r'name="score" value="\d+"', html)) == 11
    assert "Not at all likely" in html and "Extremely likely" in html

    sent = answer(client, survey.token, {"q": "nps", "score": "3"})
    assert sent.status_code == 303
    step = query(sent.headers["Location"])
    assert step["q"] == "disappointed" and re.fullmatch(r"[A-Za-z0-9_-]{22}", step["r"])
    assert f"Path=/s/{survey.token}" in sent.headers["Set-Cookie"]
    [partial] = responses(session)
    assert partial.partial and partial.channel is Channel.LINK and partial.survey_version_id == survey.latest_version_id
    assert answers_of(session, partial)["nps"].score == 3  # saved at once, before the follow-up

    follow_up = follow(client, sent).get_data(as_text=True)
    assert "What disappointed you?" in follow_up and 'maxlength="2000"' in follow_up
    done = answer(client, survey.token, {"q": "disappointed", "r": step["r"], "text": "The exports are slow."})
    assert query(done.headers["Location"])["q"] == "__thank_you__"
    thanks = follow(client, done).get_data(as_text=True)
    assert "Thank you, there!" in thanks and "Every answer is read by our team." in thanks

    [response] = responses(session)
    assert response.id == partial.id and not response.partial and response.completed_at is not None
    stored = answers_of(session, response)
    assert set(stored) == {"nps", "disappointed"}
    assert stored["nps"].nps_category == "detractor" and stored["disappointed"].text == "The exports are slow."


def test_a_promoter_never_sees_the_detractor_question(client, session, survey):
    sent = answer(client, survey.token, {"q": "nps", "score": "10"})
    html = follow(client, sent).get_data(as_text=True)
    assert "What do you value most?" in html and "What disappointed you?" not in html
    assert "Skip" in html  # the follow-up is optional
    key = query(sent.headers["Location"])["r"]
    skipped = answer(client, survey.token, {"q": "value_most", "r": key, "action": "skip"})
    assert query(skipped.headers["Location"])["q"] == "__thank_you__"
    [response] = responses(session)
    assert not response.partial and set(answers_of(session, response)) == {"nps"}
    # Asking for the detractor question by URL does not show it to a promoter.
    again = client.get(f"/s/{survey.token}?r={key}&q=disappointed").get_data(as_text=True)
    assert "What disappointed you?" not in again


def test_going_back_and_changing_the_score_updates_the_same_response(client, session, survey):
    sent = answer(client, survey.token, {"q": "nps", "score": "3"})
    key = query(sent.headers["Location"])["r"]
    follow_up = follow(client, sent).get_data(as_text=True)
    assert f"/s/{survey.token}?r={key}&amp;q=nps" in follow_up  # the Back link

    back = client.get(f"/s/{survey.token}?r={key}&q=nps").get_data(as_text=True)
    assert re.search(r'value="3" class="score is-selected"\s+aria-pressed="true"', back)
    changed = answer(client, survey.token, {"q": "nps", "r": key, "score": "9"})
    assert query(changed.headers["Location"])["q"] == "value_most"
    answer(client, survey.token, {"q": "value_most", "r": key, "text": "Speed"})

    [response] = responses(session)
    stored = answers_of(session, response)
    assert stored["nps"].score == 9 and stored["nps"].nps_category == "promoter"
    assert set(stored) == {"nps", "value_most"} and not response.partial


def test_the_cookie_resumes_an_unfinished_response(client, session, survey):
    answer(client, survey.token, {"q": "nps", "score": "5"})
    html = client.get(f"/s/{survey.token}").get_data(as_text=True)
    assert "What disappointed you?" in html  # the cookie scoped to /s/<token> carried the key
    assert len(responses(session)) == 1


def test_a_get_never_writes_and_a_preset_score_is_only_preselected(client, session, survey):
    html = client.get(f"/s/{survey.token}?score=9").get_data(as_text=True)
    assert re.search(r'value="9" class="score is-selected"', html)
    assert 'name="preset" value="9"' in html and responses(session) == []
    assert client.get(f"/s/{survey.token}?score=42").status_code == 200 and responses(session) == []
    confirmed = answer(client, survey.token, {"q": "nps", "preset": "9", "action": "next"})
    assert confirmed.status_code == 303
    assert answers_of(session, responses(session)[0])["nps"].score == 9


@pytest.mark.parametrize("score", ["11", "-1", "nine", "9.5", "", "1e3"])
def test_a_bad_score_re_renders_the_question_with_422_and_writes_nothing(client, session, survey, score):
    sent = answer(client, survey.token, {"q": "nps", "score": score})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    assert 'role="alert"' in html and ("from 0 to 10" in html or "Please answer this question." in html)
    assert "How likely are you to recommend Acme" in html
    assert responses(session) == []


CHOICES = {"product": "Acme", "questions": [
    {"id": "role", "type": "single_choice", "prompt": "Your role?", "options": ["Engineer", "Manager"],
     "allow_other": True, "required": True},
    {"id": "tools", "type": "multiple_choice", "prompt": "Which do you use?", "options": ["API", "Widget", "Email"],
     "required": False},
    {"id": "note", "type": "text", "prompt": "Anything else?", "max": 50, "required": True},
]}


def test_choices_with_other_and_multiple_choice_are_stored(client, session, make_survey):
    survey = make_survey(CHOICES)
    first = client.get(f"/s/{survey.token}").get_data(as_text=True)
    assert 'type="radio" name="choice" value="Engineer"' in first and 'value="__other__"' in first
    sent = answer(client, survey.token, {"q": "role", "choice": "__other__", "other": "Designer"})
    key = query(sent.headers["Location"])["r"]
    second = follow(client, sent).get_data(as_text=True)
    assert 'type="checkbox" name="choice" value="Widget"' in second
    answer(client, survey.token, {"q": "tools", "r": key, "choice": ["API", "Email"]})
    done = answer(client, survey.token, {"q": "note", "r": key, "text": "Fine"})
    assert query(done.headers["Location"])["q"] == "__thank_you__"
    stored = answers_of(session, responses(session)[0])
    assert stored["role"].choices == [] and stored["role"].other_text == "Designer"
    assert stored["tools"].choices == ["API", "Email"]


@pytest.mark.parametrize("data, message", [
    ({"q": "role", "choice": "Astronaut"}, "Choose one of the options shown."),
    ({"q": "role", "choice": "__other__", "other": ""}, "Tell us what"),
    ({"q": "role"}, "Please answer this question."),
    ({"q": "role", "action": "skip"}, "Please answer this question."),  # no skipping a required question
    ({"q": "nope", "choice": "Engineer"}, "not part of this survey for you"),
])
def test_bad_choices_are_422_and_write_nothing(client, session, make_survey, data, message):
    survey = make_survey(CHOICES)
    sent = answer(client, survey.token, data)
    assert sent.status_code == 422 and message in sent.get_data(as_text=True)
    assert responses(session) == []


def test_text_longer_than_allowed_is_422_and_five_megabytes_is_413(client, session, make_survey):
    survey = make_survey(CHOICES)
    sent = answer(client, survey.token, {"q": "role", "choice": "Engineer"})
    key = query(sent.headers["Location"])["r"]
    answer(client, survey.token, {"q": "tools", "r": key, "action": "skip"})
    long = answer(client, survey.token, {"q": "note", "r": key, "text": "x" * 51})
    assert long.status_code == 422 and "At most 50 characters" in long.get_data(as_text=True)
    huge = answer(client, survey.token, {"q": "note", "r": key, "text": "x" * (5 * 1024 * 1024)})
    assert huge.status_code == 413 and "too long" in huge.get_data(as_text=True)
    [response] = responses(session)
    assert response.partial and set(answers_of(session, response)) == {"role"}


def test_an_answer_to_a_question_hidden_by_logic_is_refused(client, session, survey):
    hidden = answer(client, survey.token, {"q": "disappointed", "text": "sneaky"})
    assert hidden.status_code == 422 and responses(session) == []
    sent = answer(client, survey.token, {"q": "nps", "score": "10"})
    key = query(sent.headers["Location"])["r"]
    hidden = answer(client, survey.token, {"q": "disappointed", "r": key, "text": "sneaky"})
    assert hidden.status_code == 422
    assert set(answers_of(session, responses(session)[0])) == {"nps"}


@pytest.fixture
def jane(make_account, make_contact):
    account = make_account(name="Globex", plan="enterprise", segment="mid-market", arr=Decimal(48000),
                           csm_email="sam@example.com")
    return make_contact(account=account, name="Jane Doe", email="jane@globex.test", locale="fr-CA")


FRENCH = {"fr": {"questions": {"nps": {"prompt": "Recommanderiez-vous {product} à un collègue ?",
                                       "labels": {"min": "Pas du tout", "max": "Certainement"}},
                               "disappointed": {"prompt": "Qu'est-ce qui vous a déçu ?"}},
                 "thank_you": {"title": "Merci, {contact.first_name|vous} !"}}}


def test_a_personal_link_answers_as_the_contact_with_an_account_snapshot(client, session, make_survey, jane):
    survey = make_survey(nps_definition(translations=FRENCH))
    token = sign_personal_link(SECRET, survey.id, jane.id, nonce="n1")
    page = client.get(f"/s/{token}")
    html = page.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Recommanderiez-vous Acme à un collègue ?" in html
    assert "Pas du tout" in html and "Question 1 sur 2" in html
    sent = answer(client, token, {"q": "nps", "score": "2"})
    assert "r=" not in sent.headers["Location"] and "Set-Cookie" not in sent.headers
    follow(client, sent)
    done = answer(client, token, {"q": "disappointed", "text": "Trop lent"})
    assert "Merci, Jane !" in follow(client, done).get_data(as_text=True)

    [response] = responses(session)
    assert response.contact_id == jane.id and response.account_id == jane.account_id
    assert response.account_plan == "enterprise" and response.account_segment == "mid-market"
    assert response.account_arr == Decimal(48000) and response.locale == "fr"
    assert response.client_response_id == f"link:{jane.id}:n1" and not response.partial
    # Opening the link again shows the thank-you step, with a way to change the answers.
    again = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Merci, Jane !" in again and "Modifier mes réponses" in again


def test_tampered_expired_and_erased_links_get_a_friendly_page_and_write_nothing(client, session, survey, jane):
    good = sign_personal_link(SECRET, survey.id, jane.id)
    tampered = good[:-8] + ("A" if good[-8] != "A" else "B") + good[-7:]  # in the signature, not its padding bits
    for method in (client.get, client.post):
        bad = method(f"/s/{tampered}", data={"q": "nps", "score": "9"})
        assert bad.status_code == 404 and "This survey link is not valid" in bad.get_data(as_text=True)
    expired = sign_personal_link(SECRET, survey.id, jane.id, ttl=timedelta(days=1), now=time.time() - 3 * 86400)
    gone = client.post(f"/s/{expired}", data={"q": "nps", "score": "9"})
    assert gone.status_code == 410 and "This survey link has expired" in gone.get_data(as_text=True)
    assert client.get(f"/s/{sign_personal_link(SECRET, 999_999, jane.id)}").status_code == 404
    assert client.get("/s/no-such-token").status_code == 404
    jane.erased_at = utcnow()
    session.commit()
    assert client.post(f"/s/{good}", data={"q": "nps", "score": "9"}).status_code == 410
    assert responses(session) == []


@pytest.mark.parametrize("status", [SurveyStatus.PAUSED, SurveyStatus.DRAFT, SurveyStatus.ARCHIVED])
def test_a_survey_not_taking_answers_is_a_409_page_and_no_write(client, session, make_survey, status):
    survey = make_survey(status=status)
    for response in (client.get(f"/s/{survey.token}"), answer(client, survey.token, {"q": "nps", "score": "9"})):
        assert response.status_code == 409
        assert "This survey is not taking answers right now" in response.get_data(as_text=True)
    assert responses(session) == []


def test_survey_and_answer_text_is_escaped(client, session, make_survey):
    survey = make_survey({"product": XSS, "questions": [
        {"id": "pick", "type": "single_choice", "prompt": f"Pick {XSS}", "options": [XSS_ATTR, "Fine"],
         "description": XSS_ATTR},
        {"id": "why", "type": "text", "prompt": "Why {product}?", "required": True},
    ]})
    html = client.get(f"/s/{survey.token}").get_data(as_text=True)
    assert XSS not in html and XSS_ATTR not in html
    assert "Pick &lt;script&gt;alert(1)&lt;/script&gt;" in html and "&#34;&gt;&lt;img src=x" in html
    sent = answer(client, survey.token, {"q": "pick", "choice": XSS_ATTR})
    key = query(sent.headers["Location"])["r"]
    bad = answer(client, survey.token, {"q": "why", "r": key, "text": "x" * 3000})
    assert bad.status_code == 422
    resent = answer(client, survey.token, {"q": "why", "r": key, "text": XSS + "y" * 2000})
    page = resent.get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page  # the posted text shown back, escaped
    assert answers_of(session, responses(session)[0])["pick"].choices == [XSS_ATTR]


def test_only_the_hosted_page_may_be_framed(client, survey):
    hosted = client.get(f"/s/{survey.token}")
    assert "X-Frame-Options" not in hosted.headers
    policy = hosted.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert hosted.headers["Cache-Control"] == "no-store" and hosted.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in hosted.get_data(as_text=True)  # scripts come from a file only
    assert client.get(f"/s/{survey.token}?q=nope").headers.get("X-Frame-Options") is None
    assert client.get("/s/unknown").headers.get("Content-Security-Policy", "").endswith("frame-ancestors *")
    login = client.get("/login")
    assert login.headers["X-Frame-Options"] == "DENY" and "frame-ancestors" not in login.headers.get(
        "Content-Security-Policy", "")


@pytest.mark.parametrize("headers, path, lang, prompt", [
    ({"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}, "", "fr", "Recommanderiez-vous"),
    ({"Accept-Language": "de-DE, de;q=0.9"}, "", "en", "How likely are you"),
    ({"Accept-Language": "de-DE"}, "?lang=fr", "fr", "Recommanderiez-vous"),
    ({}, "?lang=xx", "en", "How likely are you"),
])
def test_the_language_follows_lang_then_accept_language_with_fallback(client, make_survey, headers, path, lang,
                                                                       prompt):
    survey = make_survey(nps_definition(translations=FRENCH))
    html = client.get(f"/s/{survey.token}{path}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and prompt in html


def test_a_translated_choice_shows_its_label_and_stores_the_canonical_option(client, session, make_survey):
    definition = dict(CHOICES, translations={"fr": {"questions": {"role": {"options": ["Ingénieur", "Manager"]}}}})
    survey = make_survey(definition)
    html = client.get(f"/s/{survey.token}?lang=fr").get_data(as_text=True)
    assert 'value="Engineer"' in html and "Ingénieur" in html and "Suivant" in html
    sent = answer(client, survey.token, {"q": "role", "choice": "Engineer", "lang": "fr"})
    assert query(sent.headers["Location"])["lang"] == "fr"
    assert answers_of(session, responses(session)[0])["role"].choices == ["Engineer"]


def test_the_preview_renders_the_same_page_marked_preview_and_posting_nowhere(app):
    definition = TEMPLATES["nps_relationship"].build() | {"product": XSS}
    from surveys.design.definition import load_definition
    definition = load_definition(definition)
    first = render_preview(definition)
    assert "preview-ribbon" in first and "Preview" in first and 'action="#"' in first
    assert 'method="post"' not in first and "data-preview" in first
    assert "How likely are you to recommend &lt;script&gt;" in first and XSS not in first
    follow_up = render_preview(definition, question_id="disappointed")
    assert "What disappointed you?" in follow_up and "Question 2 of 2" in follow_up
    thanks = render_preview(definition, question_id="__thank_you__", product_values={"contact.first_name": "Ann"})
    assert "Thank you, Ann!" in thanks


def test_the_preview_speaks_the_asked_locale(app):
    from surveys.design.definition import load_definition
    definition = load_definition(nps_definition(translations=FRENCH))
    html = render_preview(definition, locale="fr")
    assert '<html lang="fr">' in html and "Recommanderiez-vous Acme" in html and "Aperçu" in html


def test_posts_are_rate_limited_per_address_with_a_friendly_page(client, session, survey):
    statuses = [answer(client, survey.token, {"q": "nps", "score": "nine"}).status_code for _ in range(60)]
    assert set(statuses) == {422}
    limited = answer(client, survey.token, {"q": "nps", "score": "9"})
    assert limited.status_code == 429 and "Too many answers at once" in limited.get_data(as_text=True)
    assert client.get(f"/s/{survey.token}").status_code == 200  # reading is not limited
    assert responses(session) == []


def test_changing_a_complete_response_to_reveal_a_required_follow_up_asks_it_before_saving(client, session,
                                                                                          make_survey):
    definition = nps_definition()
    definition["questions"][1]["required"] = True  # "What disappointed you?"
    survey = make_survey(definition)
    sent = answer(client, survey.token, {"q": "nps", "score": "10"})
    key = query(sent.headers["Location"])["r"]
    answer(client, survey.token, {"q": "value_most", "r": key, "action": "skip"})
    [response] = responses(session)
    assert not response.partial

    changed = answer(client, survey.token, {"q": "nps", "r": key, "score": "3"})
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "What disappointed you?" in html and 'name="carry"' in html
    assert answers_of(session, response)["nps"].score == 10  # held, not saved yet
    carry = re.search(r'name="carry" value="([^"]+)"', html).group(1).replace("&#34;", '"')
    done = answer(client, survey.token, {"q": "disappointed", "r": key, "carry": carry, "text": "Bugs"})
    assert query(done.headers["Location"])["q"] == "__thank_you__"
    [response] = responses(session)
    stored = answers_of(session, response)
    assert stored["nps"].score == 3 and stored["disappointed"].text == "Bugs" and not response.partial
