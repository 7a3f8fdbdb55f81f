"""Send windows in the contact's own timezone ("Tue–Thu 09:00–17:00 local, never at night")."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from surveys.journeys.triggers import SendWindow


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return None


def resolve_zone(contact_tz: str | None, workspace_tz: str) -> tuple[ZoneInfo, str | None]:
    """The zone to send in, and a note when the contact's (or the workspace's) zone was not usable.

    A contact without a timezone silently uses the workspace's; an invalid one is reported:
    ``"contact timezone 'Mars/Base' is not valid; used workspace timezone UTC"``.
    """
    workspace = _zone(workspace_tz) if workspace_tz else None
    fallback_note = None
    if workspace is None:
        fallback_note = f"workspace timezone {workspace_tz!r} is not valid; used UTC"
        workspace, workspace_tz = ZoneInfo("UTC"), "UTC"
    if contact_tz:
        zone = _zone(contact_tz)
        if zone is not None:
            return zone, None
        note = f"contact timezone {contact_tz!r} is not valid; used workspace timezone {workspace_tz}"
        return workspace, note if fallback_note is None else f"{note} ({fallback_note})"
    return workspace, fallback_note


def in_window(at: datetime, window: SendWindow | None, zone: ZoneInfo) -> bool:
    """Whether ``at`` (aware) falls inside the window, read in ``zone``."""
    if window is None or not window.days:
        return True
    local = at.astimezone(zone)
    return local.weekday() in window.days and window.start <= local.time().replace(tzinfo=None) < window.end


def next_send_time(at: datetime, window: SendWindow | None, zone: ZoneInfo) -> datetime:
    """The first moment at or after ``at`` inside the window, in UTC (``at`` itself when inside or no window)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware (UTC) time")
    if in_window(at, window, zone):
        return at.astimezone(UTC)
    assert window is not None
    local = at.astimezone(zone)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() not in window.days:
            continue
        # Wall-clock start of the window that day; a start inside a DST gap maps just past the gap.
        start = datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC)
        if start > at:
            return start
    raise AssertionError("a window with at least one day always has a slot within a week")
