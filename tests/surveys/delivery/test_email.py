"""The invitation email: headers (RFC 8058), text and HTML parts, answerable scores, escaping, locales."""
from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

import pytest

from surveys.delivery.compose import message_domain, message_id_for
from surveys.delivery.email import build_invitation_email, default_subject
from surveys.design.definition import load_definition
from surveys.design.placeholders import values_for

BASE = "https://feedback.example.com"
TOKEN = "tok.en"


def scores(low: int, high: int) -> dict[int, str]:
    return {n: f"{BASE}/e/{TOKEN}/{n}" for n in range(low, high + 1)}


def built(definition: dict, *, locale: str | None = None, name: str | None = "Ada Lovelace",
          score_urls: dict[int, str] | None = None, reply_to: str | None = "csm@acme.example", **overrides):
    loaded = load_definition(definition)
    values = values_for(loaded.get("product"), name, "Acme")
    kwargs = {"to": "Ada Lovelace <ada@acme.example>", "sender": "Feedback <feedback@example.com>",
              "reply_to": reply_to, "subject": default_subject(loaded, locale, values), "definition": loaded,
              "locale": locale, "placeholder_values": values,
              "score_urls": scores(0, 10) if score_urls is None else score_urls,
              "survey_url": f"{BASE}/s/{TOKEN}", "unsubscribe_url": f"{BASE}/u/unsub",
              "one_click_url": f"{BASE}/u/unsub", "message_id": "<invitation-7@feedback.example.com>"}
    return build_invitation_email(**(kwargs | overrides))


def build(definition: dict, **kwargs):
    """What a receiving server parses from the bytes on the wire."""
    return BytesParser(policy=policy.default).parsebytes(built(definition, **kwargs).as_bytes(policy=policy.SMTP))


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


NPS = {"product": "Acme Cloud", "questions": [{"id": "nps", "type": "nps"},
                                             {"id": "why", "type": "text", "show_if": {"question": "nps",
                                                                                       "in": [0, 1, 2]}}]}


def test_headers_carry_one_click_unsubscribe_reply_to_and_a_stable_message_id():
    message = build(NPS)
    assert message["Subject"] == "A quick question about Acme Cloud"
    assert message["To"] == "Ada Lovelace <ada@acme.example>"
    assert message["From"] == "Feedback <feedback@example.com>"
    assert message["Reply-To"] == "csm@acme.example"
    assert message["Message-ID"] == "<invitation-7@feedback.example.com>"
    assert message["List-Unsubscribe"].strip() == f"<{BASE}/u/unsub>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058, exactly
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_no_csm_means_no_reply_to_and_a_mailto_joins_the_one_click_url():
    message = build(NPS, reply_to=None, unsubscribe_mailto="unsubscribe@example.com")
    assert message["Reply-To"] is None
    assert message["List-Unsubscribe"].strip() == f"<{BASE}/u/unsub>, <mailto:unsubscribe@example.com>"


def test_a_long_unsubscribe_url_is_folded_whole_never_encoded():
    url = f"{BASE}/u/" + "x" * 120
    raw = built(NPS, one_click_url=url).as_bytes(policy=policy.SMTP)
    assert b"=?utf-8?" not in raw
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert message["List-Unsubscribe"].strip() == f"<{url}>"


def test_nps_is_answerable_in_the_mail_with_eleven_score_links():
    text, html = parts(build(NPS))
    links = re.findall(r'href="([^"]+)"', html)
    assert [u for u in links if "/e/" in u] == [f"{BASE}/e/{TOKEN}/{n}" for n in range(11)]
    assert f"{BASE}/s/{TOKEN}" in links, "the web link is there for clients that hide buttons"
    assert f"{BASE}/u/unsub" in links, "the footer links to the unsubscribe page"
    assert "How likely are you to recommend Acme Cloud" in html
    assert "Not at all likely" in html and "Extremely likely" in html
    assert 'aria-label="7 out of 10"' in html
    for n in range(11):
        assert f"{BASE}/e/{TOKEN}/{n}" in text
    assert "Hi Ada," in text and "Unsubscribe" in text and f"{BASE}/u/unsub" in text


def test_csat_gets_five_buttons_from_one_to_five():
    _text, html = parts(build({"questions": [{"id": "csat", "type": "csat"}]}, score_urls=scores(1, 5)))
    assert [u.rsplit("/", 1)[1] for u in re.findall(r'href="([^"]+/e/[^"]+)"', html)] == ["1", "2", "3", "4", "5"]


def test_a_first_question_that_is_not_a_score_gets_one_button_to_the_survey():
    definition = {"questions": [{"id": "area", "type": "single_choice", "options": ["Reports", "Alerts"]}]}
    text, html = parts(build(definition, score_urls={}))
    assert "/e/" not in html and "/e/" not in text
    assert f'href="{BASE}/s/{TOKEN}"' in html and "Answer the survey" in html
    assert f"Answer the survey: {BASE}/s/{TOKEN}" in text


def test_survey_texts_and_names_are_escaped_and_headers_stay_on_one_line():
    definition = {"product": "<script>alert(1)</script>", "questions": [
        {"id": "nps", "type": "nps", "description": "<img src=x onerror=alert(2)> & more"}]}
    message = build(definition, name="<b>Bob</b>\nBcc: victim@example.com")
    text, html = parts(message)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt; &amp; more" in html
    assert "Hi &lt;b&gt;Bob&lt;/b&gt;," in html
    assert "<script>alert(1)</script>" in text, "plain text shows the text as it is"
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]


def test_header_values_cannot_smuggle_headers():
    message = build(NPS, subject="Hello\r\nBcc: victim@example.com")
    assert message["Bcc"] is None
    assert message["Subject"] == "Hello Bcc: victim@example.com"


def test_no_external_assets_scripts_or_images():
    _text, html = parts(build(NPS))
    assert not re.search(r"<(script|img|link|iframe)\b", html)
    assert "src=" not in html
    assert 'style="' in html and "max-width:560px" in html, "inline styles, narrow-client friendly"


def test_the_contacts_locale_picks_the_translation_and_the_mails_own_words():
    definition = {"product": "Acme", "questions": [{"id": "nps", "type": "nps"}], "translations": {
        "fr": {"questions": {"nps": {"prompt": "Recommanderiez-vous {product} ?",
                                     "labels": {"min": "Pas du tout", "max": "Certainement"}}}}}}
    message = build(definition, locale="fr-CA")
    text, html = parts(message)
    assert message["Subject"] == "Une petite question sur Acme"
    assert message["Content-Language"] == "fr"
    assert "Recommanderiez-vous Acme ?" in html and "Pas du tout" in html
    assert "Bonjour Ada," in text and "Se désabonner" in html
    assert '<html lang="fr">' in html


def test_an_unknown_locale_falls_back_to_the_surveys_language():
    message = build(NPS, locale="ja")
    assert message["Subject"] == "A quick question about Acme Cloud"


def test_a_contact_without_a_name_is_greeted_without_one():
    text, _html = parts(build(NPS, name=None))
    assert text.startswith("Hi there,")


@pytest.mark.parametrize(("base_url", "expected"), [
    ("https://feedback.example.com", "<invitation-42@feedback.example.com>"),
    ("http://localhost:5000", "<invitation-42@localhost>"),
    ("http://127.0.0.1:5000", "<invitation-42@feedback.local>"),
    ("", "<invitation-42@feedback.local>"),
])
def test_message_ids_are_a_function_of_the_invitation(base_url, expected):
    assert message_id_for(42, base_url) == expected
    assert message_domain(base_url) == expected.split("@")[1][:-1]
