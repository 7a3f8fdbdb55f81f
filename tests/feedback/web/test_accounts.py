"""The accounts list: search, filters, sorts, pagination, formatting; a GET form without JavaScript."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from feedback.auth.roles import Role


@pytest.fixture
def viewer_client(signed_in):
    client, _user = signed_in(Role.VIEWER)
    return client


def _names(html: str) -> list[str]:
    """Account names in table order."""
    return re.findall(r'<a class="fw-semibold" href="/accounts/[^"]+">([^<]+)</a>', html)


def _page(client, **args) -> str:
    response = client.get("/accounts", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_people_are_sent_to_login(client):
    response = client.get("/accounts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_accounts(signed_in, make_account, role):
    make_account(name="Acme")
    client, _user = signed_in(role)
    assert "Acme" in _page(client)


def test_an_empty_workspace_says_how_to_add_accounts(signed_in):
    client, _user = signed_in(Role.MANAGER)
    html = _page(client)
    assert "No accounts yet" in html and 'href="/imports"' in html
    viewer, _user = signed_in(Role.VIEWER)
    assert 'href="/imports"' not in _page(viewer)  # a viewer may not import


def test_search_matches_name_or_external_id_case_insensitively(viewer_client, make_account):
    make_account(name="Acme Corp", external_id="crm-001")
    make_account(name="Globex", external_id="crm-ACME-2")
    make_account(name="Initech", external_id="crm-003")
    assert sorted(_names(_page(viewer_client, q="acme"))) == ["Acme Corp", "Globex"]
    assert _names(_page(viewer_client, q="CRM-003")) == ["Initech"]


def test_search_treats_wildcards_as_text(viewer_client, make_account):
    make_account(name="100% Growth")
    make_account(name="Plain")
    make_account(name="under_score")
    assert _names(_page(viewer_client, q="%")) == ["100% Growth"]
    assert _names(_page(viewer_client, q="_")) == ["under_score"]


def test_filters_narrow_and_selects_offer_the_distinct_values(viewer_client, make_account, make_user):
    make_user(Role.CSM, email="sam@example.com", name="Sam Rivera")
    make_account(name="A", plan="pro", segment="smb", csm_email="sam@example.com")
    make_account(name="B", plan="pro", segment="enterprise", csm_email="lee@example.com")
    make_account(name="C", plan="starter", segment="smb")
    html = _page(viewer_client)
    assert '<option value="pro">pro</option>' in html and '<option value="starter">starter</option>' in html
    assert html.count('<option value="pro">') == 1  # distinct
    assert '<option value="sam@example.com">Sam Rivera (sam@example.com)</option>' in html
    assert _names(_page(viewer_client, plan="pro")) == ["A", "B"]
    assert _names(_page(viewer_client, segment="smb")) == ["A", "C"]
    assert _names(_page(viewer_client, csm="SAM@example.com")) == ["A"]
    assert _names(_page(viewer_client, plan="pro", segment="smb")) == ["A"]
    filtered = _page(viewer_client, plan="pro", segment="smb")
    assert '<option value="pro" selected>' in filtered and "matching your filters" in filtered


def test_no_match_says_so_and_offers_to_clear(viewer_client, make_account):
    make_account(name="Acme")
    html = _page(viewer_client, q="zzz")
    assert "No accounts match" in html and 'href="/accounts">clear the filters' in html


def test_sort_by_arr_puts_unknown_arr_last(viewer_client, make_account):
    make_account(name="Small", arr=Decimal("1000"))
    make_account(name="Unknown", arr=None)
    make_account(name="Big", arr=Decimal("250000"))
    assert _names(_page(viewer_client, sort="-arr")) == ["Big", "Small", "Unknown"]
    assert _names(_page(viewer_client, sort="arr")) == ["Small", "Big", "Unknown"]


def test_sort_by_renewal_and_name(viewer_client, make_account):
    today = date.today()
    make_account(name="beta", renewal_date=today + timedelta(days=90))
    make_account(name="Alpha", renewal_date=today + timedelta(days=5))
    make_account(name="gamma", renewal_date=None)
    assert _names(_page(viewer_client, sort="renewal")) == ["Alpha", "beta", "gamma"]
    assert _names(_page(viewer_client, sort="-renewal")) == ["beta", "Alpha", "gamma"]
    assert _names(_page(viewer_client)) == ["Alpha", "beta", "gamma"]  # by name, ignoring case
    assert _names(_page(viewer_client, sort="-name")) == ["gamma", "beta", "Alpha"]
    assert _names(_page(viewer_client, sort="drop table")) == ["Alpha", "beta", "gamma"]


def test_sortable_headers_say_how_the_table_is_sorted(viewer_client, make_account):
    make_account(name="A", arr=Decimal(5))
    html = _page(viewer_client, sort="-arr", plan="")
    assert 'aria-sort="descending"' in html
    assert 'href="/accounts?sort=arr"' in html  # a second click reverses


def test_pagination_keeps_the_filters(viewer_client, make_account):
    for n in range(30):
        make_account(name=f"Pro {n:02d}", plan="pro")
    make_account(name="Other", plan="starter")
    first = _page(viewer_client, plan="pro")
    assert len(_names(first)) == 25 and "Showing 1–25 of 30" in first
    assert 'href="/accounts?plan=pro&amp;page=2"' in first
    second = _page(viewer_client, plan="pro", page=2)
    assert _names(second) == [f"Pro {n:02d}" for n in range(25, 30)]
    assert 'aria-current="page">2<' in second and 'href="/accounts?plan=pro"' in second  # back to page 1


@pytest.mark.parametrize("page", ["abc", "-4", "0", "99999999999999999999"])
def test_odd_page_numbers_never_fail(viewer_client, make_account, page):
    make_account(name="Acme")
    response = viewer_client.get("/accounts", query_string={"page": page})
    assert response.status_code == 200


def test_past_the_last_page_offers_the_first(viewer_client, make_account):
    make_account(name="Acme")
    assert "This page is past the end of the list." in _page(viewer_client, page=7)


def test_arr_and_renewal_are_formatted(viewer_client, make_account):
    make_account(name="Soon", arr=Decimal("48000"), renewal_date=date.today() + timedelta(days=12))
    make_account(name="Cents", arr=Decimal("1234.5"), renewal_date=date.today() - timedelta(days=3))
    html = _page(viewer_client)
    assert "$48,000" in html and "in 12 days" in html
    assert "$1,234.50" in html and "3 days ago" in html
    assert "2 accounts · $49,234.50 ARR" in html


def test_the_filter_form_is_a_labelled_get_form(viewer_client, make_account):
    make_account(name="Acme")
    html = _page(viewer_client)
    form = re.search(r'<form method="get" action="/accounts"[^>]*role="search"', html)
    assert form
    for control in ("q", "plan", "segment", "csm", "sort"):
        assert f'for="{control}"' in html and f'id="{control}"' in html


def test_names_are_escaped_and_formulas_stay_text(viewer_client, make_account):
    make_account(name='<script>alert("x")</script>')
    make_account(name='=HYPERLINK("http://evil.example","click")')
    html = _page(viewer_client)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)" in html


def test_contact_counts_leave_out_erased_contacts(viewer_client, make_account, make_contact):
    account = make_account(name="Acme")
    make_contact(account=account)
    make_contact(account=account)
    from surveys.db import utcnow
    make_contact(account=account, email=None, erased_at=utcnow())
    html = _page(viewer_client)
    assert re.search(r'<td class="text-end d-none d-md-table-cell">2</td>', html)


def test_an_account_whose_id_is_a_word_of_the_ui_still_opens(admin_client, make_account):
    make_account(external_id="import", name="Import Partners")
    page = admin_client.get("/accounts/import")
    assert page.status_code == 200
    assert "Import Partners" in page.get_data(as_text=True)
