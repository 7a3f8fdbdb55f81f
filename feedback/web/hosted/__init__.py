"""The public hosted survey page, ``/s/<token>``: its own blueprint, the only page that may be framed."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``hosted`` blueprint."""
