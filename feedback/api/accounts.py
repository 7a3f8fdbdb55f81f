"""``/api/v1/accounts``: upsert, read, list and batch-upsert accounts."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from feedback.api.args import AccountBatchSchema, AccountListArgs, AccountPutSchema
from feedback.api.blueprint import ApiBlueprint
from feedback.api.common import EXTERNAL_ID_PARAMETER, PAGINATION, id_for_put, lookup_id, not_found
from surveys.audience.queries import accounts_query, page
from feedback.api.schemas import AccountSchema, BatchResultSchema
from feedback.auth.roles import Permission
from feedback.extensions import db
from surveys.audience.services import get_account, upsert_accounts

blp = ApiBlueprint("Accounts", __name__, url_prefix="/api/v1/accounts",
                   description="Customer companies, keyed by the id your CRM gives them.")


@blp.route("")
class Accounts(MethodView):
    @blp.requires(Permission.READ_AUDIENCE)
    @blp.arguments(AccountListArgs, location="query", as_kwargs=True)
    @blp.response(200, AccountSchema(many=True))
    @blp.paginate(**PAGINATION)
    def get(self, pagination_parameters, **filters: Any):
        """List accounts

        Filters combine with AND. Pagination metadata (total, pages) is in the
        `X-Pagination` response header.
        """
        rows, pagination_parameters.item_count = page(
            db.session, accounts_query(**filters),
            number=pagination_parameters.page, size=pagination_parameters.page_size)
        return rows


@blp.route("/<path:external_id>", parameters=[EXTERNAL_ID_PARAMETER])
class AccountItem(MethodView):
    @blp.requires(Permission.READ_AUDIENCE)
    @blp.response(200, AccountSchema)
    def get(self, external_id: str):
        """Get one account"""
        key = lookup_id(external_id)
        account = get_account(db.session, key) if key is not None else None
        if account is None:
            not_found("account", external_id)
        return account

    @blp.requires(Permission.WRITE_AUDIENCE)
    @blp.arguments(AccountPutSchema)
    @blp.response(200, AccountSchema, description="The account existed; it is updated or was already equal.")
    @blp.alt_response(201, schema=AccountSchema, description="The account was created.", success=True)
    def put(self, body: dict[str, Any], external_id: str):
        """Create or update an account

        Idempotent: fields sent overwrite, fields left out keep their value,
        `attributes` merge key by key (a null value removes the key). Sending the
        same body twice changes nothing, not even `updated_at`.
        """
        result = upsert_accounts(db.session, [id_for_put(external_id, body)], keep_records=True)
        db.session.commit()
        account = result.records[0]
        if result.created:
            return account, 201, {"Location": url_for(".AccountItem", external_id=account.external_id)}
        return account


@blp.route("/batch")
class AccountBatch(MethodView):
    @blp.requires(Permission.WRITE_AUDIENCE)
    @blp.arguments(AccountBatchSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, body: dict[str, Any]):
        """Create or update up to 1,000 accounts, all or nothing

        Every row is validated before anything is written. When any row is bad
        the answer is a 422 whose `errors.json.accounts` maps each bad row's
        index (as a string) to its field errors, and nothing is written.
        """
        rows = body["accounts"]
        result = upsert_accounts(db.session, rows)
        db.session.commit()
        return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "external_ids": [row["external_id"] for row in rows]}
