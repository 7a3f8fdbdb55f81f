"""Deterministic sampling: stable per contact, close to the rate, independent per trigger."""
from __future__ import annotations

from surveys.journeys.sampling import in_sample


def test_the_same_contact_is_always_in_or_always_out():
    first = [in_sample(c, 7, "t1", 0.3) for c in range(200)]
    assert first == [in_sample(c, 7, "t1", 0.3) for c in range(200)]


def test_the_share_is_close_to_the_rate():
    for rate in (0.05, 0.2, 0.5, 0.9):
        share = sum(in_sample(c, 3, "t1", rate) for c in range(20_000)) / 20_000
        assert abs(share - rate) < 0.015, (rate, share)


def test_a_larger_rate_keeps_everyone_a_smaller_one_had():
    small = {c for c in range(2000) if in_sample(c, 1, "t1", 0.1)}
    large = {c for c in range(2000) if in_sample(c, 1, "t1", 0.4)}
    assert small and small <= large


def test_surveys_and_triggers_sample_independently():
    a = {c for c in range(2000) if in_sample(c, 1, "t1", 0.5)}
    b = {c for c in range(2000) if in_sample(c, 2, "t1", 0.5)}
    c = {c for c in range(2000) if in_sample(c, 1, "t2", 0.5)}
    assert a != b and a != c
    assert 0.3 < len(a & b) / len(a) < 0.7


def test_edges():
    assert all(in_sample(c, 1, "t1", 1.0) for c in range(100))
    assert not any(in_sample(c, 1, "t1", 0.0) for c in range(100))
