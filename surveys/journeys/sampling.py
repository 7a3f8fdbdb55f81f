"""Deterministic sampling: the same contact is always in (or out of) a trigger's sample."""
from __future__ import annotations

import hashlib


def in_sample(contact_id: int, survey_id: int, trigger_key: str, rate: float) -> bool:
    """True when this contact falls in the first ``rate`` of the hash space (sha256 of the three ids)."""
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{survey_id}:{trigger_key}:{contact_id}".encode()).digest()
    # 8 bytes → a uniform fraction in [0, 1).
    return int.from_bytes(digest[:8], "big") / 2**64 < rate
