"""Send windows in the contact's timezone; invalid zones fall back to the workspace's, saying so."""
from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from surveys.journeys.triggers import SendWindow
from surveys.journeys.windows import in_window, next_send_time, resolve_zone

TUE_THU = SendWindow(days=(1, 2, 3), start=time(9), end=time(17))
PARIS = ZoneInfo("Europe/Paris")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_no_window_sends_at_once():
    at = utc(2026, 3, 1, 3, 0)  # a Sunday, 03:00
    assert next_send_time(at, None, PARIS) == at


def test_inside_the_window_is_now():
    at = utc(2026, 3, 3, 10, 0)  # Tuesday 11:00 in Paris
    assert in_window(at, TUE_THU, PARIS)
    assert next_send_time(at, TUE_THU, PARIS) == at


def test_before_the_start_waits_for_the_start_that_day():
    at = utc(2026, 3, 3, 6, 0)  # Tuesday 07:00 Paris
    assert next_send_time(at, TUE_THU, PARIS) == utc(2026, 3, 3, 8, 0)  # 09:00 Paris


def test_after_the_end_waits_for_the_next_window_day():
    at = utc(2026, 3, 5, 16, 30)  # Thursday 17:30 Paris: the end is exclusive
    assert not in_window(utc(2026, 3, 5, 16, 0), TUE_THU, PARIS)  # 17:00 exactly is outside
    assert next_send_time(at, TUE_THU, PARIS) == utc(2026, 3, 10, 8, 0)  # next Tuesday 09:00


def test_the_contacts_day_counts_not_utcs():
    # Tuesday 23:30 UTC is already Wednesday 08:30 in Tokyo... and Tuesday 18:30 in New York.
    at = utc(2026, 3, 3, 23, 30)
    assert next_send_time(at, TUE_THU, ZoneInfo("Asia/Tokyo")) == utc(2026, 3, 4, 0, 0)  # Wed 09:00 Tokyo
    assert next_send_time(at, TUE_THU, ZoneInfo("America/New_York")) == utc(2026, 3, 4, 14, 0)  # Wed 09:00 EST


def test_across_a_dst_change():
    # Paris moves to summer time on Sunday 29 March 2026: 09:00 is then 07:00 UTC.
    at = utc(2026, 3, 26, 18, 0)  # Thursday 19:00 CET
    assert next_send_time(at, TUE_THU, PARIS) == utc(2026, 3, 31, 7, 0)


def test_a_window_starting_in_a_dst_gap_still_gives_a_time():
    window = SendWindow(days=(6,), start=time(2, 30), end=time(4, 0))
    result = next_send_time(utc(2026, 3, 28, 12, 0), window, PARIS)
    assert result == utc(2026, 3, 29, 1, 30)  # 03:30 CEST, just past the gap
    assert in_window(result, window, PARIS)


def test_results_are_utc_and_naive_times_refused():
    assert next_send_time(utc(2026, 3, 3, 6, 0), TUE_THU, PARIS).tzinfo is UTC
    with pytest.raises(ValueError):
        next_send_time(datetime(2026, 3, 3, 6, 0), TUE_THU, PARIS)


def test_resolve_zone():
    assert resolve_zone("Asia/Tokyo", "UTC") == (ZoneInfo("Asia/Tokyo"), None)
    assert resolve_zone(None, "Europe/Paris") == (PARIS, None)
    assert resolve_zone("", "Europe/Paris") == (PARIS, None)
    zone, note = resolve_zone("Mars/Base", "UTC")
    assert zone == ZoneInfo("UTC")
    assert note == "contact timezone 'Mars/Base' is not valid; used workspace timezone UTC"
    zone, note = resolve_zone("../../etc/passwd", "Europe/Paris")
    assert zone == PARIS and "not valid" in note
    zone, note = resolve_zone(None, "Nowhere/Land")
    assert zone == ZoneInfo("UTC") and "workspace timezone 'Nowhere/Land' is not valid" in note
