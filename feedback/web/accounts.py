"""Accounts: the searchable list, one account's page, and erasing one of its contacts."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web import account_queries as queries
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from surveys.audience.erasure import erase_contact
from surveys.audience.models import Account, Contact
from surveys.audience.services import get_account
from surveys.db import db

CONTACTS_PER_PAGE = 50
# The sections of an account page, in order. Later features (survey history,
# cases) add their own template here rather than editing the page.
ACCOUNT_SECTIONS = ("web/accounts/_details.html", "web/accounts/_responses.html", "web/accounts/_contacts.html")


def _page_number(name: str = "page") -> int:
    page = request.args.get(name, 1, type=int)
    return min(max(page, 1), queries.MAX_PAGE)


@bp.get("/accounts")
@requires(Permission.READ_AUDIENCE)
def accounts():
    filters = queries.AccountFilters.from_args(request.args)
    pagination = db.paginate(queries.ordered_accounts(filters), page=_page_number(),
                             per_page=queries.PER_PAGE, error_out=False, count=True)
    ids = [a.id for a in pagination.items]
    count, total_arr = queries.summary(db.session, filters)
    return render_template(
        "web/accounts/index.html", filters=filters, pagination=pagination, sorts=queries.SORTS,
        options=queries.filter_options(db.session), contact_counts=queries.contact_counts(db.session, ids),
        csm_names=queries.csm_names(db.session, [a.csm_email for a in pagination.items]),
        count=count, total_arr=total_arr, workspace_empty=count == 0 and not filters.active,
    )


def _account_or_404(external_id: str) -> Account:
    account = get_account(db.session, external_id)
    if account is None:
        raise NotFound()
    return account


@bp.get("/accounts/<path:external_id>")
@requires(Permission.READ_AUDIENCE)
def account(external_id: str):
    account = _account_or_404(external_id)
    # People by name, the erased (who have none) last.
    by_name = func.lower(func.coalesce(Contact.name, Contact.email, ""))
    contacts = db.paginate(
        select(Contact).where(Contact.account_id == account.id)
        .order_by(Contact.erased_at.is_not(None), by_name, Contact.id),
        page=_page_number("contacts_page"), per_page=CONTACTS_PER_PAGE, error_out=False)
    csm_name = queries.csm_names(db.session, [account.csm_email or ""]).get((account.csm_email or "").lower())
    people = queries.contact_counts(db.session, [account.id]).get(account.id, 0)
    return render_template("web/accounts/show.html", account=account, contacts=contacts, csm_name=csm_name,
                           people=people, erased=contacts.total - people, sections=ACCOUNT_SECTIONS)


@bp.get("/contacts/<int:contact_id>/erase")
@requires(Permission.ERASE_CONTACTS)
def confirm_erase_contact(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    return render_template("web/contacts/erase.html", contact=contact, form=ConfirmForm())


@bp.post("/contacts/<int:contact_id>/erase", endpoint="erase_contact")
@requires(Permission.ERASE_CONTACTS)
def erase_contact_view(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    account = contact.account
    if contact.erased_at is None:
        erase_contact(db.session, contact, current_app.extensions.get("erasers", []),
                      requested_by=current_user.email)
        db.session.commit()
        flash("The contact's personal data is erased everywhere it was held. "
              "Their past answers still count in the account's scores, anonymously.", "success")
    target = url_for("web.account", external_id=account.external_id) if account else url_for("web.accounts")
    return redirect(target, code=303)
