"""Personal links: signed, expiring, tamper-evident tokens carrying survey and contact."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from surveys.delivery.links import (
    MAX_TTL, LinkError, PersonalLink, is_personal_token, read_personal_link, sign_personal_link,
)
from surveys.design.models import new_token

SECRET = "a-secret-key-for-tests"
NOW = 1_750_000_000.0


def test_a_signed_link_reads_back():
    token = sign_personal_link(SECRET, 7, 42, nonce="abc", now=NOW)
    link = read_personal_link(SECRET, token, now=NOW + 60)
    assert link == PersonalLink(survey_id=7, contact_id=42, nonce="abc")
    assert link.client_response_id == "link:42:abc"


def test_each_link_gets_its_own_nonce():
    first = read_personal_link(SECRET, sign_personal_link(SECRET, 7, 42))
    second = read_personal_link(SECRET, sign_personal_link(SECRET, 7, 42))
    assert first.nonce != second.nonce and first.client_response_id != second.client_response_id


def test_personal_tokens_are_told_apart_from_anonymous_ones():
    assert is_personal_token(sign_personal_link(SECRET, 1, 2))
    assert not any(is_personal_token(new_token()) for _ in range(200))


def flip(token: str, index: int) -> str:
    # "A"-"D" differ only in the low bits a final base64 character may leave unused.
    replacement = "Z" if token[index] in "ABCD" else "A"
    return token[:index] + replacement + token[index + 1:]


@pytest.mark.parametrize("where", [0, 5, -1, -5])
def test_an_altered_token_is_refused(where):
    token = sign_personal_link(SECRET, 7, 42, now=NOW)
    altered = flip(token, where % len(token))
    assert altered != token
    with pytest.raises(LinkError) as caught:
        read_personal_link(SECRET, altered, now=NOW)
    assert not caught.value.expired and str(caught.value) == "This survey link is not valid."


def test_a_token_signed_with_another_key_is_refused():
    with pytest.raises(LinkError, match="not valid"):
        read_personal_link(SECRET, sign_personal_link("another-key", 7, 42), now=NOW)


@pytest.mark.parametrize("token", ["", "nonsense", "a.b", "x" * 5000])
def test_garbage_is_refused(token):
    with pytest.raises(LinkError, match="not valid"):
        read_personal_link(SECRET, token)


def test_a_signed_payload_of_the_wrong_shape_is_refused():
    from surveys.delivery.links import _serializer

    for payload in ([7, 42], {"s": "7", "c": 42, "n": "x", "e": int(NOW) + 60}, {"s": 7, "c": 42, "e": 1}):
        with pytest.raises(LinkError, match="not valid"):
            read_personal_link(SECRET, _serializer(SECRET).dumps(payload), now=NOW)


def test_an_expired_link_says_so():
    token = sign_personal_link(SECRET, 7, 42, ttl=timedelta(days=1), now=NOW)
    assert read_personal_link(SECRET, token, now=NOW + 86_399).survey_id == 7
    with pytest.raises(LinkError) as caught:
        read_personal_link(SECRET, token, now=NOW + 86_401)
    assert caught.value.expired and str(caught.value) == "This survey link has expired."


def test_the_default_ttl_is_thirty_days():
    token = sign_personal_link(SECRET, 7, 42)
    assert read_personal_link(SECRET, token, now=time.time() + 29 * 86_400).contact_id == 42
    with pytest.raises(LinkError):
        read_personal_link(SECRET, token, now=time.time() + 31 * 86_400)


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(seconds=-1), MAX_TTL + timedelta(seconds=1)])
def test_ttl_bounds(ttl):
    with pytest.raises(ValueError, match="between a second and 365 days"):
        sign_personal_link(SECRET, 7, 42, ttl=ttl)


def test_the_longest_ttl_is_a_year():
    token = sign_personal_link(SECRET, 7, 42, ttl=MAX_TTL, now=NOW)
    assert read_personal_link(SECRET, token, now=NOW + MAX_TTL.total_seconds() - 1).survey_id == 7
