"""The workspace settings page: admins only, every field validated by name, nothing half saved."""
from __future__ import annotations

import pytest

from feedback.auth.roles import Role
from surveys.db import db
from surveys.journeys.models import WorkspaceSettings
from tests.conftest import PASSWORD
from tests.feedback.web.conftest import form_post

GOOD = {"timezone": "Europe/Paris", "recontact_days": "45", "account_limit": "2", "account_period_days": "60",
        "window_enabled": "y", "window_days": ["tue", "wed", "thu"], "window_start": "09:00", "window_end": "17:30"}


def stored() -> WorkspaceSettings | None:
    db.session.commit()  # end the test's read, so that it sees what the requests wrote
    return db.session.get(WorkspaceSettings, 1)


def test_admins_save_the_asking_rules(admin_client):
    page = admin_client.get("/settings")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="UTC"' in html and 'value="30"' in html
    assert '<option value="Europe/Paris">' in html, "the timezone field suggests every zone"
    assert 'href="/settings"' in html, "the user menu links to the page"
    assert stored() is None, "showing the page writes nothing"
    response = form_post(admin_client, "/settings", GOOD)
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings")
    settings = stored()
    assert (settings.timezone, settings.recontact_days, settings.account_limit, settings.account_period_days) == (
        "Europe/Paris", 45, 2, 60)
    assert settings.send_window == {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:30"}
    html = admin_client.get("/settings").get_data(as_text=True)
    assert "Workspace settings saved" in html and 'value="Europe/Paris"' in html and "checked" in html


def test_the_window_can_be_turned_off(admin_client):
    form_post(admin_client, "/settings", GOOD)
    response = form_post(admin_client, "/settings", {**GOOD, "window_enabled": ""})
    assert response.status_code == 303 and stored().send_window is None


@pytest.mark.parametrize(("changes", "label", "message"), [
    ({"timezone": "Mars/Base"}, "Workspace timezone", "'Mars/Base' is not a timezone"),
    ({"timezone": ""}, "Workspace timezone", "Choose a timezone."),
    ({"recontact_days": "0"}, "Recontact period (days)", "Between 1 and 3650 days."),
    ({"recontact_days": "ten"}, "Recontact period (days)", "Not a valid integer value."),
    ({"account_limit": "-1"}, "Invitations per account", "Between 0 and 1000."),
    ({"account_period_days": "99999"}, "Per period of (days)", "Between 1 and 3650 days."),
    ({"window_end": "08:00"}, "Until", "The window must end after it starts"),
    ({"window_start": "25:00"}, "From", "A time of day as HH:MM"),
    ({"window_days": []}, "Days", "At least one day."),
    ({"window_days": ["funday"]}, "Days", "not a valid choice"),
])
def test_a_bad_value_is_a_422_naming_the_field_and_saves_nothing(admin_client, changes, label, message):
    form_post(admin_client, "/settings", GOOD)
    response = form_post(admin_client, "/settings", {**GOOD, **changes, "recontact_days": changes.get(
        "recontact_days", "90")})
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422
    assert f"Not saved: {label}: " in html and message in html
    assert stored().recontact_days == 45, "nothing of the bad post is saved"


def test_only_admins_may(signed_in, client):
    for role in (Role.MANAGER, Role.CSM, Role.VIEWER):
        other, _user = signed_in(role)
        assert other.get("/settings").status_code == 403
        assert 'href="/settings"' not in other.get("/accounts").get_data(as_text=True)
    assert client.get("/settings").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(admin_client):
    response = admin_client.post("/settings", data=GOOD)
    assert response.status_code == 400 and stored() is None


def test_the_settings_in_chromium(page, live_server, make_user, shots_dir):
    admin = make_user(Role.ADMIN, name="Alex Admin")
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#user-menu").click()
    page.get_by_role("link", name="Workspace settings").click()
    page.get_by_role("heading", name="Workspace settings").wait_for()
    page.get_by_label("Workspace timezone").fill("Mars/Base")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("'Mars/Base' is not a timezone").first.wait_for()
    page.get_by_label("Workspace timezone").fill("Europe/Paris")
    page.get_by_label("Only send inside a window").check()
    page.locator("label[for=window-day-fri]").click()
    page.get_by_label("Until").fill("16:00")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Workspace settings saved").wait_for()
    settings = stored()
    assert settings.timezone == "Europe/Paris"
    assert settings.send_window == {"days": ["tue", "wed", "thu", "fri"], "start": "09:00", "end": "16:00"}
    page.screenshot(path=str(shots_dir / "workspace-settings.png"), full_page=True)
