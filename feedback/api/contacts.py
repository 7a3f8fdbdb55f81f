"""``/api/v1/contacts``: upsert, read, list, batch-upsert and erase contacts."""
from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from feedback.api.args import ContactBatchSchema, ContactListArgs, ContactPutSchema
from feedback.api.blueprint import ApiBlueprint
from feedback.api.common import (
    EXTERNAL_ID_PARAMETER,
    PAGINATION,
    id_for_put,
    lookup_id,
    not_found,
    unprocessable,
)
from surveys.audience.queries import contacts_query, page
from feedback.api.schemas import BatchResultSchema, ContactSchema
from feedback.auth.access import current_principal
from feedback.auth.roles import Permission
from feedback.extensions import db
from surveys.audience.erasure import TOMBSTONE_PREFIX, erase_contact
from surveys.audience.models import Contact
from surveys.audience.services import UnknownAccount, get_contact, upsert_contacts

blp = ApiBlueprint("Contacts", __name__, url_prefix="/api/v1/contacts",
                   description="People who may be surveyed, keyed by the id your product gives them.")


def _live_contact(external_id: str) -> Contact:
    """The contact with this id, or a 404; erased contacts are gone for the API."""
    key = lookup_id(external_id)
    contact = get_contact(db.session, key) if key is not None else None
    if contact is None or contact.erased_at is not None:
        not_found("contact", external_id)
    return contact


@blp.route("")
class Contacts(MethodView):
    @blp.requires(Permission.READ_AUDIENCE)
    @blp.arguments(ContactListArgs, location="query", as_kwargs=True)
    @blp.response(200, ContactSchema(many=True))
    @blp.paginate(**PAGINATION)
    def get(self, pagination_parameters, **filters: Any):
        """List contacts

        Filters combine with AND; erased contacts are never listed. Pagination
        metadata (total, pages) is in the `X-Pagination` response header.
        """
        rows, pagination_parameters.item_count = page(
            db.session, contacts_query(**filters),
            number=pagination_parameters.page, size=pagination_parameters.page_size)
        return rows


@blp.route("/<path:external_id>", parameters=[EXTERNAL_ID_PARAMETER])
class ContactItem(MethodView):
    @blp.requires(Permission.READ_AUDIENCE)
    @blp.response(200, ContactSchema)
    def get(self, external_id: str):
        """Get one contact"""
        return _live_contact(external_id)

    @blp.requires(Permission.WRITE_AUDIENCE)
    @blp.arguments(ContactPutSchema)
    @blp.response(200, ContactSchema, description="The contact existed; it is updated or was already equal.")
    @blp.alt_response(201, schema=ContactSchema, description="The contact was created.", success=True)
    def put(self, body: dict[str, Any], external_id: str):
        """Create or update a contact

        Idempotent, like accounts. `account_external_id` must name an existing
        account (422 otherwise); null detaches the contact. `unsubscribed: true`
        unsubscribes from every survey, keeping the first time it was set.
        """
        row = id_for_put(external_id, body)
        if row["external_id"].startswith(TOMBSTONE_PREFIX):
            unprocessable("path", "external_id", f"Ids starting with {TOMBSTONE_PREFIX!r} are reserved.")
        try:
            result = upsert_contacts(db.session, [row], keep_records=True)
        except UnknownAccount as err:
            db.session.rollback()
            unprocessable("json", "account_external_id", str(err))
        db.session.commit()
        contact = result.records[0]
        if result.created:
            return contact, 201, {"Location": url_for(".ContactItem", external_id=contact.external_id)}
        return contact

    @blp.requires(Permission.ERASE_CONTACTS)
    @blp.response(204, description="The contact's personal data is erased everywhere it was held.")
    @blp.alt_response(404, response="NOT_FOUND", description="No such contact (or already erased).")
    def delete(self, external_id: str):
        """Erase a contact (right to erasure)

        Clears every personal field here and in every package that holds data
        about the person, in one transaction. The row stays, anonymous, so the
        account's aggregates (response counts, NPS) stay true. The external_id
        no longer answers: GET, PUT and DELETE on it then behave as for an
        unknown id (a PUT creates a new, unrelated contact).
        """
        contact = _live_contact(external_id)
        erase_contact(db.session, contact, current_app.extensions.get("erasers", []),
                      requested_by=current_principal().label)
        db.session.commit()
        return None


@blp.route("/batch")
class ContactBatch(MethodView):
    @blp.requires(Permission.WRITE_AUDIENCE)
    @blp.arguments(ContactBatchSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, body: dict[str, Any]):
        """Create or update up to 1,000 contacts, all or nothing

        Every row is validated before anything is written, including that its
        account exists and that no external_id repeats. When any row is bad the
        answer is a 422 whose `errors.json.contacts` maps each bad row's index
        (as a string) to its field errors, and nothing is written.
        """
        rows = body["contacts"]
        try:
            result = upsert_contacts(db.session, rows)
        except UnknownAccount as err:  # an account deleted since validation
            db.session.rollback()
            unprocessable("json", "contacts", str(err))
        db.session.commit()
        return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "external_ids": [row["external_id"] for row in rows]}
