"""JSON for requests and responses: exact decimals in, decimals and dates out."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask.json.provider import DefaultJSONProvider


class DecimalJSONProvider(DefaultJSONProvider):
    """Parses JSON numbers with a fraction as ``Decimal`` so money keeps its precision.

    ``1e400`` then stays a (too large) number that validation rejects by name,
    instead of silently becoming infinity.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_float", Decimal)
        return json.loads(s, **kwargs)

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)
        return DefaultJSONProvider.default(o)
