"""``/api/v1/bounces``: bounces and complaints reported by your mail provider (suppress email)."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from feedback.api.args import RowList
from feedback.api.blueprint import ApiBlueprint
from feedback.api.surveys import start_write
from feedback.auth.roles import Permission
from feedback.extensions import db
from surveys.db import utcnow
from surveys.delivery.bounces import MAX_BATCH_BOUNCES, BounceRowSchema, record_bounces

blp = ApiBlueprint("Bounces", __name__, url_prefix="/api/v1/bounces",
                   description="Bounces and spam complaints reported back by your mail provider: they stop "
                               "email to the address and fail the invitation they name.")

BOUNCE_EXAMPLE = {"bounces": [
    {"message_id": "<invitation-42@feedback.example.com>", "kind": "hard", "reason": "550 5.1.1 user unknown"},
    {"email": "ana@acme.example", "kind": "soft", "reason": "452 4.2.2 mailbox full"},
]}


class BounceRows(RowList):
    """1 to 1,000 bounces, errors keyed by row index; the same address may bounce twice."""

    noun = "bounces"

    def __init__(self, inner: fields.Field, **kwargs: Any) -> None:
        super().__init__(inner, max_rows=MAX_BATCH_BOUNCES, **kwargs)

    def row_key(self, raw: Any, row: dict[str, Any] | None) -> str | None:
        return None


class BounceBatchSchema(Schema):
    """Body of ``POST /bounces``: every row is stored, or none is."""

    bounces = BounceRows(fields.Nested(BounceRowSchema), required=True, metadata={
        "description": f"1 to {MAX_BATCH_BOUNCES} bounces, each naming `email`, `message_id` or both."})


class BounceResultSchema(Schema):
    received = fields.Integer(metadata={"description": "Bounces stored."})
    suppressed = fields.Integer(metadata={"description": "Contacts whose email this call suppressed."})
    invitations_failed = fields.Integer(metadata={"description": "Invitations marked failed by a bounce."})
    unmatched = fields.Integer(metadata={
        "description": "Bounces naming no known contact or invitation (stored all the same)."})


@blp.route("")
class Bounces(MethodView):
    @blp.requires(Permission.WRITE_AUDIENCE)
    @blp.arguments(BounceBatchSchema, example=BOUNCE_EXAMPLE)
    @blp.response(200, BounceResultSchema, example={"received": 2, "suppressed": 1, "invitations_failed": 1,
                                                    "unmatched": 0})
    def post(self, body: dict[str, Any]):
        """Report up to 1,000 bounces or complaints, all or nothing

        Each row names the `email` that bounced, the `message_id` of the mail
        (our invitation mails carry `<invitation-<id>@<domain>>`), or both, and
        its `kind`: `hard`, `soft` or `complaint`. A hard bounce or a complaint
        suppresses email to every contact with that address, and so does a third
        soft bounce within 30 days; the contact can still be asked in the app or
        by link. The invitation a hard or soft bounce names is marked `failed`
        with the reason. Every row is checked first: a bad row is a 422 whose
        `errors.json.bounces.<index>` names its fields, and nothing is stored.
        """
        start_write()
        result = record_bounces(db.session, body["bounces"], now=utcnow())
        db.session.commit()
        return {"received": result.received, "suppressed": result.suppressed,
                "invitations_failed": result.invitations_failed, "unmatched": result.unmatched}
