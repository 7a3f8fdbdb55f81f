"""The answer to "may we ask this person now?": one verdict per rule, each with its sentence."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Rules that never stop an invitation: they only move (or explain) when it goes out.
INFORMATIONAL = frozenset({"send_window", "timezone"})


@dataclass
class Verdict:
    """One rule's verdict.

    ``rule`` is one of ``survey_live``, ``contact_active``, ``unsubscribed``, ``channel``,
    ``filters``, ``sample``, ``recontact``, ``account_limit``, ``open_invitation``,
    ``send_window``, ``timezone``. ``detail`` is a sentence for a person ("throttled until
    2026-12-03 by survey 'Onboarding NPS'"); ``until`` is when a blocking rule stops
    blocking (or, for the send window, the next slot).
    """

    rule: str
    passed: bool
    detail: str
    until: datetime | None = None


@dataclass
class Trace:
    """Every verdict, in the order the rules are checked, and when the invitation would go out."""

    verdicts: list[Verdict] = field(default_factory=list)
    send_at: datetime | None = None

    @property
    def eligible(self) -> bool:
        """True when every rule passed (the informational ones always do)."""
        return all(verdict.passed for verdict in self.verdicts)

    @property
    def failed(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if not verdict.passed]

    def verdict(self, rule: str) -> Verdict | None:
        """The first verdict of ``rule`` (``filters`` may have several), or None."""
        return next((verdict for verdict in self.verdicts if verdict.rule == rule), None)
