"""``/api/v1/events``: record journey events in batches, and read a contact's or account's journey."""
from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView
from marshmallow import ValidationError
from sqlalchemy import and_, or_, select

from feedback.api.blueprint import ApiBlueprint
from feedback.api.event_schemas import (
    EVENT_BATCH_EXAMPLE,
    EventBatchResultSchema,
    EventBatchSchema,
    EventCursor,
    EventListArgs,
    EventRecord,
    EventSchema,
    encode_event_cursor,
)
from feedback.api.surveys import invalid, start_write
from feedback.auth.roles import Permission
from feedback.extensions import db
from surveys.audience.models import Account, Contact
from surveys.audience.services import UnknownAccount
from surveys.db import utcnow
from surveys.journeys.events import store_events
from surveys.journeys.models import Event

blp = ApiBlueprint("Events", __name__, url_prefix="/api/v1/events",
                   description="What happens to your customers (signed up, onboarding completed, ticket closed...): "
                               "the journey that survey triggers react to.")

_PAGE_HEADERS = {
    "X-Next-Cursor": {"description": "Pass as `cursor` for the next page; absent on the last page.",
                      "schema": {"type": "string"}},
    "Link": {"description": "The next page's URL with `rel=\"next\"`; absent on the last page.",
             "schema": {"type": "string"}},
}


@blp.route("")
class Events(MethodView):
    @blp.requires(Permission.TRACK_EVENTS)
    @blp.arguments(EventBatchSchema, example=EVENT_BATCH_EXAMPLE)
    @blp.response(200, EventBatchResultSchema, example={
        "created": 1, "duplicates": 1, "contacts_created": 1, "ids": [41, 17]})
    def post(self, body: dict[str, Any]):
        """Record up to 1,000 events, all or nothing

        Each event names its contact by `contact_external_id`. An unknown contact
        is created when the row carries `email` and/or `account_external_id` (an
        account that must already exist) and optionally `contact_name`; without
        either the row is refused. For a known contact these three fields are
        ignored: update contacts through `/contacts`.

        `occurred_at` (default: now) must be from 2000-01-01 to a day from now;
        `properties` is an object of at most 100 keys and 16 KB. Every row is
        checked before anything is stored: when any row is bad the answer is a 422
        whose `errors.json.events.<index>` names each bad row's fields, and
        nothing is stored.

        `idempotency_key` makes a retry safe: a key seen before (in this batch, an
        earlier one, or a concurrent one) is counted in `duplicates` and returns the
        stored event's id. After the batch is stored, its events are matched against
        the live surveys' triggers in the background, which schedules invitations.
        """
        start_write()
        try:
            result = store_events(db.session, body["events"], now=utcnow())
        except ValidationError as err:
            invalid(err)
        except UnknownAccount as err:  # an account deleted between validation and the upsert
            invalid(ValidationError({"events": [str(err)]}))
        db.session.commit()
        return {"created": result.created, "duplicates": result.duplicates,
                "contacts_created": result.contacts_created, "ids": result.ids}

    @blp.requires(Permission.READ_AUDIENCE)
    @blp.arguments(EventListArgs, location="query", as_kwargs=True)
    @blp.response(200, EventSchema(many=True), headers=_PAGE_HEADERS)
    def get(self, limit: int, contact: str | None = None, account: str | None = None, name: str | None = None,
            cursor: EventCursor | None = None):
        """List events, latest first, a page at a time

        Filters combine with AND: `contact` and `account` take external ids (an
        unknown one lists nothing). Ordered by `occurred_at`, newest first. When
        more events follow, the `X-Next-Cursor` header holds the value to pass as
        `cursor` for the next page (and `Link` its URL); the last page has neither.
        """
        stmt = (select(Event, Contact.external_id, Contact.erased_at, Account.external_id)
                .join(Contact, Contact.id == Event.contact_id)
                .outerjoin(Account, Account.id == Event.account_id))
        if contact is not None:
            stmt = stmt.where(Contact.external_id == contact, Contact.erased_at.is_(None))
        if account is not None:
            stmt = stmt.where(Account.external_id == account)
        if name is not None:
            stmt = stmt.where(Event.name == name)
        if cursor is not None:
            stmt = stmt.where(or_(Event.occurred_at < cursor.occurred_at,
                                  and_(Event.occurred_at == cursor.occurred_at, Event.id < cursor.event_id)))
        rows = db.session.execute(stmt.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit + 1)).all()
        records = [EventRecord(e.id, e.name, None if erased_at else contact_id, account_id, e.occurred_at,
                               e.received_at, e.properties or {}, e.idempotency_key, e.matched_at)
                   for e, contact_id, erased_at, account_id in rows]
        if len(records) <= limit:
            return records, 200, {}
        last = records[limit - 1]
        next_cursor = encode_event_cursor(last.occurred_at, last.id)
        args = request.args.to_dict() | {"cursor": next_cursor}
        link = url_for(".Events", _external=True, **args)
        return records[:limit], 200, {"X-Next-Cursor": next_cursor, "Link": f'<{link}>; rel="next"'}
