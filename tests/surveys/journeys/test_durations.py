"""ISO 8601 durations: parsing, the canonical text, words; months and years refused."""
from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.journeys.durations import describe_offset, format_duration, humanize_duration, parse_duration


@pytest.mark.parametrize(("text", "expected"), [
    ("P3D", timedelta(days=3)),
    ("p3d", timedelta(days=3)),
    ("-P60D", timedelta(days=-60)),
    ("+P1D", timedelta(days=1)),
    ("PT12H", timedelta(hours=12)),
    ("P2W", timedelta(days=14)),
    ("P1DT6H30M15S", timedelta(days=1, hours=6, minutes=30, seconds=15)),
    ("PT90M", timedelta(minutes=90)),
    ("P0D", timedelta(0)),
    (" P5D ", timedelta(days=5)),
])
def test_parses_fixed_length_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P1M", "P1Y", "-P2M", "P1Y2M3D", "P1MT2H"])
def test_months_and_years_are_refused_saying_use_days(text):
    with pytest.raises(ValueError, match="use days"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "hint"), [("3 days", "'P3D'"), ("-3 days", "'-P3D'"), ("12 hours", "'PT12H'"),
                                            ("1 week", "'P1W'")])
def test_words_get_the_iso_spelling_as_a_hint(text, hint):
    with pytest.raises(ValueError, match=hint):
        parse_duration(text)


@pytest.mark.parametrize("text", ["", "P", "PT", "3", "P3", "P-3D", "P3.5D", "P3DT", "T3H", "PT3D", "P3H", "xyz",
                                  "P99999999D", None, 3])
def test_garbage_is_a_readable_error(text):
    with pytest.raises(ValueError) as error:
        parse_duration(text)
    assert "P3D" in str(error.value) or "days" in str(error.value)


@pytest.mark.parametrize(("duration", "text"), [
    (timedelta(days=3), "P3D"), (timedelta(days=-60), "-P60D"), (timedelta(hours=12), "PT12H"),
    (timedelta(0), "P0D"), (timedelta(days=14), "P14D"), (timedelta(days=1, hours=6, minutes=30), "P1DT6H30M"),
    (timedelta(seconds=5), "PT5S"), (-timedelta(hours=1), "-PT1H"),
])
def test_canonical_text(duration, text):
    assert format_duration(duration) == text
    assert parse_duration(text) == duration


def test_canonical_text_round_trips_every_input_spelling():
    for text in ("P2W", "PT36H", "P1DT12H", "-P0D", "PT0S"):
        canonical = format_duration(parse_duration(text))
        assert format_duration(parse_duration(canonical)) == canonical
    assert format_duration(parse_duration("PT36H")) == "P1DT12H"
    assert format_duration(parse_duration("-P0D")) == "P0D"


@pytest.mark.parametrize(("duration", "words"), [
    (timedelta(days=3), "3 days"), (timedelta(days=1), "1 day"), (timedelta(hours=12), "12 hours"),
    (timedelta(days=1, hours=6), "1 day 6 hours"), (timedelta(0), "0 days"), (timedelta(days=-60), "-60 days"),
    (timedelta(minutes=1), "1 minute"),
])
def test_words(duration, words):
    assert humanize_duration(duration) == words


def test_offsets_in_words():
    assert describe_offset(timedelta(days=-60)) == "60 days before"
    assert describe_offset(timedelta(days=30)) == "30 days after"
    assert describe_offset(timedelta(0)) == "on the day"
