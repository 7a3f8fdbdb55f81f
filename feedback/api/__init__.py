"""The REST API under /api/v1 (flask-smorest: marshmallow schemas become OpenAPI)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
