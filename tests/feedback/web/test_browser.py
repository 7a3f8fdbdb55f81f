"""Real Chromium through Playwright: sign in, browse the accounts, open one; screenshots to look at.

Screenshots land in ``shots_dir`` (``instance/screenshots`` unless SCREENSHOT_DIR
says otherwise), at 1280 px and on a 390 px phone.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from feedback.auth.roles import Role
from surveys.db import utcnow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

COMPANIES = ["Acme Logistics", "Globex Corporation", "Initech", "Umbrella Health", "Hooli", "Stark Renewables",
             "Wayne Analytics", "Soylent Foods", "Tyrell Robotics", "Wonka Confectionery", "Cyberdyne Systems",
             "Oscorp Labs", "Vandelay Industries", "Nakatomi Trading", "Massive Dynamic", "Aperture Science",
             "Black Mesa", "Dunder Mifflin", "Pied Piper", "Prestige Worldwide", "Sterling Cooper", "Bluth Company",
             "Gringotts", "Monarch Solutions", "Virtucon", "Spacely Sprockets", "Cogswell Cogs", "Gekko & Co",
             "Rekall", "Weyland Yutani", "Oceanic Airlines", "Los Pollos Hermanos"]
PLANS = ["enterprise", "pro", "starter"]
SEGMENTS = {"enterprise": "enterprise", "pro": "mid-market", "starter": "smb"}
INDUSTRIES = ("logistics", "software", "health")
REGIONS = ("NA", "EMEA", "APAC")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def workspace(make_user, make_account, make_contact):
    """A believable workspace: a team of four, 32 accounts, contacts on the first one."""
    admin = make_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")
    csms = [make_user(Role.CSM, email=f"{n.split()[0].lower()}@example.com", name=n)
            for n in ("Maria Lopez", "James Okafor")]
    make_user(Role.VIEWER, email="vic@example.com", name="Vic Viewer")
    today = date.today()
    accounts = []
    for n, name in enumerate(COMPANIES):
        plan = PLANS[n % 3]
        accounts.append(make_account(
            external_id=f"crm-{n + 1:03d}", name=name, plan=plan, segment=SEGMENTS[plan],
            arr=Decimal(5000 + (n * 7919) % 300000), csm_email=csms[n % 2].email,
            renewal_date=today + timedelta(days=(n * 37) % 400 - 10),
            attributes={"industry": INDUSTRIES[n % 3], "region": REGIONS[n % 3]}))
    people = [("Grace Hopper", "America/New_York", "en-US"), ("Marie Curie", "Europe/Paris", "fr-FR"),
              ("Hiro Nakamura", "Asia/Tokyo", "ja-JP")]
    for n, (person, tz, locale) in enumerate(people):
        make_contact(account=accounts[0], name=person, email=f"{person.split()[0].lower()}@acme.example",
                     timezone=tz, locale=locale, unsubscribed_at=utcnow() if n == 2 else None)
    return admin


def shot(page, path) -> None:
    """A full-page screenshot once the icon font has loaded."""
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=path, full_page=True)


def sign_in(page, base: str, email: str = "ada@example.com") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/accounts")


def row_names(page) -> list[str]:
    return page.locator("tbody tr td:first-child a").all_inner_texts()


def test_sign_in_and_browse_the_accounts(page, live_server, workspace, shots_dir):
    page.goto(f"{live_server}/accounts")
    page.wait_for_url(re.compile(r"/login\?next="))
    shot(page, shots_dir / "login-1280.png")

    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().strip() == "That email and password do not match an active account."

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/accounts")
    assert page.get_by_role("heading", level=1).inner_text() == "Accounts"
    assert len(row_names(page)) == 25
    assert "32 accounts" in page.locator(".page-header").inner_text()
    shot(page, shots_dir / "accounts-1280.png")

    # search
    page.get_by_label("Search").fill("acme")
    page.get_by_role("button", name="Apply").click()
    assert row_names(page) == ["Acme Logistics"]
    page.get_by_role("link", name="Clear").click()
    assert len(row_names(page)) == 25

    # filter by plan and CSM; the selects come from the data
    page.get_by_label("Plan").select_option("pro")
    page.get_by_label("CSM").select_option("maria@example.com")
    page.get_by_role("button", name="Apply").click()
    names = row_names(page)
    assert names and all(COMPANIES.index(n) % 3 == 1 and COMPANIES.index(n) % 2 == 0 for n in names)

    # sort by ARR, highest first, by clicking the column header
    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name=re.compile(r"^ARR")).click()
    arr = [Decimal(t.strip("$").replace(",", "")) for t in page.locator("tbody td.tabular").all_inner_texts()]
    assert arr == sorted(arr, reverse=True)
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"

    # paginate: the sort survives
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "sort=-arr" in page.url and len(row_names(page)) == 7
    page_two = [Decimal(t.strip("$").replace(",", "")) for t in page.locator("tbody td.tabular").all_inner_texts()]
    assert max(page_two) <= min(arr)

    # open an account
    page.goto(f"{live_server}/accounts")
    page.get_by_role("link", name="Acme Logistics").click()
    page.wait_for_url(f"{live_server}/accounts/crm-001")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Logistics"
    contacts = page.locator("#contacts tbody tr")
    assert contacts.count() == 3 and "Unsubscribed" in page.locator("#contacts").inner_text()
    assert "Maria Lopez" in page.locator("main").inner_text()
    shot(page, shots_dir / "account-1280.png")


def test_keyboard_users_can_skip_to_the_content(page, live_server, workspace):
    sign_in(page, live_server)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content" and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _admin_pages(page, base: str, shots_dir, suffix: str) -> None:
    page.goto(f"{base}/users")
    assert page.get_by_role("heading", level=1).inner_text() == "Team"
    shot(page, shots_dir / f"users-{suffix}.png")
    page.goto(f"{base}/keys")
    shot(page, shots_dir / f"keys-{suffix}.png")
    page.goto(f"{base}/imports")
    csv = ("external_id;name;plan;arr;renewal_date;industry\n"
           "crm-900;Zürich Präzision AG;pro;56000;2026-11-30;manufacturing\n"
           "crm-901;=HYPERLINK(\"http://x\",\"y\");starter;lots;2026-02-30;retail\n"
           "crm-902;Lumen Labs;enterprise;210000;;software\n").encode("latin-1")
    page.get_by_label("CSV file").set_input_files(files=[{"name": "crm-export.csv", "mimeType": "text/csv",
                                                          "buffer": csv}])
    page.get_by_role("button", name="Upload and preview").click()
    assert "Preview: crm-export.csv" in page.get_by_role("heading", level=1).inner_text()
    assert "line 3: arr:" in page.locator("main").inner_text()
    shot(page, shots_dir / f"import-preview-{suffix}.png")


def test_admin_screens_at_1280(page, live_server, workspace, shots_dir):
    sign_in(page, live_server)
    _admin_pages(page, live_server, shots_dir, "1280")
    page.goto(f"{live_server}/keys")
    page.get_by_label("Name").fill("Salesforce sync")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key").input_value()
    assert key.startswith("sk_")
    shot(page, shots_dir / "key-created-1280.png")
    page.goto(f"{live_server}/users")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_role("button", name="Send invitation").click()
    assert "/invite/" in page.locator("#invite-link").input_value()
    shot(page, shots_dir / "invited-1280.png")


def test_phone_layout(browser, live_server, workspace, shots_dir):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/login")
        shot(page, shots_dir / "login-390.png")
        sign_in(page, live_server)
        # the menu folds behind a button on a phone
        assert not page.get_by_role("link", name="Team").is_visible()
        page.get_by_role("button", name="Show or hide the menu").click()
        page.locator("#main-nav.collapse.show").wait_for()  # opened, transition over
        assert page.get_by_role("link", name="Team").is_visible()
        page.get_by_role("button", name="Show or hide the menu").click()
        page.get_by_role("link", name="Team").wait_for(state="hidden")
        # nothing wider than the screen but the tables, which scroll in their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, shots_dir / "accounts-390.png")
        page.get_by_role("link", name="Acme Logistics").click()
        page.wait_for_url(f"{live_server}/accounts/crm-001")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, shots_dir / "account-390.png")
        _admin_pages(page, live_server, shots_dir, "390")
    finally:
        context.close()
