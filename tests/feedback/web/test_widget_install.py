"""The widget's pages: the install page (snippet, keys, origins), the demo host page, the workspace's
identity verification and secret, the survey's Widget card, and public keys' origins on the keys page."""
from __future__ import annotations

import hashlib
import hmac
import html as htmllib
import json
import re

import pytest
from sqlalchemy import func, select

from feedback.auth.keys import authenticate_key, create_key, public_key_plaintext, revoke_key
from feedback.auth.models import ApiKey, KeyKind
from feedback.auth.roles import Role
from feedback.web.widget_install import QUEUE_STUB
from surveys.db import db
from surveys.design.services import create_survey, publish
from surveys.journeys.models import WorkspaceSettings
from tests.feedback.web.conftest import form_post, token_for

NPS = {"questions": [{"id": "nps", "type": "nps"}]}


def text(response) -> str:
    """The page's HTML unescaped, runs of white space as one space."""
    return re.sub(r"\s+", " ", htmllib.unescape(response.get_data(as_text=True)))


def public_key(app, origins=("https://app.example.com",), name="Product widget") -> tuple[ApiKey, str]:
    key, plaintext = create_key(db.session, name, KeyKind.PUBLIC, allowed_origins=origins,
                                derive_with=app.config["SECRET_KEY"])
    db.session.commit()
    return key, plaintext


def keys() -> list[ApiKey]:
    db.session.commit()
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))


def settings() -> WorkspaceSettings | None:
    db.session.commit()
    return db.session.get(WorkspaceSettings, 1)


# --- the install page ---------------------------------------------------------------------------

def test_the_page_shows_the_exact_snippet_with_the_whole_public_key(app, admin_client):
    key, plaintext = public_key(app)
    page = admin_client.get("/widget")
    html = text(page)
    assert page.status_code == 200
    assert (f'<script async src="{app.config["BASE_URL"]}/w/v1/widget.js" data-key="{plaintext}"></script>'
            in html)
    assert QUEUE_STUB in html and "window.feedback=window.feedback||{q:[]}" in html
    assert 'feedback.identify("CONTACT_EXTERNAL_ID"' in html
    for call in ("identify(external_id, traits, user_hash)", "track(event, properties)", "show(survey_id)",
                 "reset()", "on(event, handler)"):
        assert call in html
    assert all(f"<code>{event}</code>" in html for event in ("shown", "answered", "dismissed"))
    assert "https://app.example.com" in html and "Identity verification" in html
    assert authenticate_key(db.session, plaintext).id == key.id, "the key shown is the key that works"


def test_the_queue_stub_is_the_one_widget_js_documents():
    from pathlib import Path

    import feedback.widget

    script = (Path(feedback.widget.__file__).parent / "static" / "widget.js").read_text()
    assert QUEUE_STUB in script[:2000], "the install page and the script's own comment give the same stub"


def test_a_key_made_elsewhere_is_shown_by_its_prefix_only(admin_client):
    key, plaintext = create_key(db.session, "From the CLI", KeyKind.PUBLIC, allowed_origins=["https://a.example"])
    db.session.commit()
    html = text(admin_client.get("/widget"))
    assert f'data-key="{key.prefix}_…"' in html and plaintext not in html
    assert "was shown once" in html


def test_secret_and_revoked_keys_are_not_offered(app, admin_client, make_key):
    _secret, secret_plaintext = make_key(KeyKind.SECRET)
    revoked, revoked_plaintext = public_key(app, name="Old widget")
    revoke_key(db.session, revoked)
    db.session.commit()
    html = text(admin_client.get("/widget"))
    assert secret_plaintext not in html and revoked_plaintext not in html and "Old widget" not in html
    assert "No public key yet" in html


def test_admins_create_a_public_key_with_its_origins(admin_client):
    html = text(admin_client.get("/widget"))
    assert "No public key yet" in html and "Create public key" in html
    response = form_post(admin_client, "/widget/keys", {"name": "App", "allowed_origins":
                         "https://App.Example.com\nhttp://localhost:3000/\n\nhttps://app.example.com:443"},
                         page="/widget")
    assert response.status_code == 303 and re.search(r"/widget#key-\d+$", response.headers["Location"])
    [key] = keys()
    assert (key.kind, key.name, key.allowed_origins) == (
        KeyKind.PUBLIC, "App", ["https://app.example.com", "http://localhost:3000"])
    html = text(admin_client.get("/widget"))
    assert f'data-key="{key.prefix}_' in html and "Public key “App” created" in html


@pytest.mark.parametrize("origins", ["app.example.com", "https://app.example.com/path", "ftp://files.example",
                                     "https://*.example.com", "https://user@app.example.com", "https://a.example?x"])
def test_a_bad_origin_is_a_422_naming_it_and_creates_nothing(admin_client, origins):
    response = form_post(admin_client, "/widget/keys", {"name": "App", "allowed_origins": f"https://ok.example\n{origins}"},
                         page="/widget")
    html = text(response)
    assert response.status_code == 422
    assert f"'{origins}' is not an origin; write scheme://host[:port]" in html
    assert 'id="new_allowed_origins-error"' in html and origins in html, "shown again, beside the field"
    assert keys() == []


def test_admins_edit_a_keys_origins(app, admin_client):
    key, _plaintext = public_key(app)
    url = f"/widget/keys/{key.id}/origins"
    response = form_post(admin_client, url, {"allowed_origins": "https://app.example.com\nhttps://staging.example.com"},
                         page="/widget")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/widget#key-{key.id}")
    assert keys()[0].allowed_origins == ["https://app.example.com", "https://staging.example.com"]
    assert "Allowed origins of “Product widget” saved" in text(admin_client.get("/widget"))

    response = form_post(admin_client, url, {"allowed_origins": "https://new.example\nnot an origin"}, page="/widget")
    html = text(response)
    assert response.status_code == 422 and f'id="origins-{key.id}-error"' in html
    assert "'not' is not an origin" in html and "https://new.example" in html, "the typed text is kept"
    assert keys()[0].allowed_origins == ["https://app.example.com", "https://staging.example.com"]

    assert form_post(admin_client, url, {"allowed_origins": ""}, page="/widget").status_code == 303
    assert keys()[0].allowed_origins == []
    assert "none, so every browser is refused" in text(admin_client.get("/widget"))


def test_too_many_origins_are_refused(app, admin_client):
    key, _plaintext = public_key(app)
    many = "\n".join(f"https://site{n}.example" for n in range(51))
    response = form_post(admin_client, f"/widget/keys/{key.id}/origins", {"allowed_origins": many}, page="/widget")
    assert response.status_code == 422 and "at most 50 origins" in text(response)


def test_only_active_public_keys_have_origins_here(app, admin_client, make_key):
    secret, _ = make_key(KeyKind.SECRET)
    revoked, _ = public_key(app)
    revoke_key(db.session, revoked)
    db.session.commit()
    token = token_for(admin_client, "/widget")
    for key_id in (secret.id, revoked.id, 999_999):
        response = admin_client.post(f"/widget/keys/{key_id}/origins", data={"allowed_origins": "https://x.example",
                                                                             "csrf_token": token})
        assert response.status_code == 404


def test_a_post_without_the_csrf_token_is_refused(app, admin_client):
    key, _ = public_key(app)
    assert admin_client.post("/widget/keys", data={"allowed_origins": "https://x.example"}).status_code == 400
    assert admin_client.post(f"/widget/keys/{key.id}/origins", data={"allowed_origins": ""}).status_code == 400
    assert len(keys()) == 1 and keys()[0].allowed_origins == ["https://app.example.com"]


def test_managers_read_the_page_but_only_admins_change_keys(app, signed_in, client):
    key, plaintext = public_key(app)
    manager, _user = signed_in(Role.MANAGER)
    html = text(manager.get("/widget"))
    assert plaintext in html and "https://app.example.com" in html
    assert "Save origins" not in html and "Create public key" not in html and "Admins edit the origins" in html
    assert 'href="/widget"' in html, "the navbar links to the page"
    token = token_for(manager, "/widget")
    assert manager.post("/widget/keys", data={"csrf_token": token}).status_code == 403
    assert manager.post(f"/widget/keys/{key.id}/origins", data={"allowed_origins": "", "csrf_token": token}
                        ).status_code == 403
    assert keys()[0].allowed_origins == ["https://app.example.com"]
    for role in (Role.CSM, Role.VIEWER):
        other, _ = signed_in(role)
        assert other.get("/widget").status_code == 403 and other.get("/widget/demo").status_code == 403
        assert 'href="/widget"' not in other.get("/surveys").get_data(as_text=True)
    assert client.get("/widget").status_code == 302 and client.get("/widget/demo").status_code == 302


# --- the keys page ------------------------------------------------------------------------------

def test_the_keys_page_asks_a_public_key_for_its_origins_and_lists_them(admin_client):
    response = form_post(admin_client, "/keys", {"name": "Widget", "kind": "public",
                                                 "allowed_origins": "https://app.example.com\nhttp://127.0.0.1:5000"})
    html = text(response)
    assert response.status_code == 201 and "https://app.example.com" in html and "Install the widget" in html
    [key] = keys()
    assert key.allowed_origins == ["https://app.example.com", "http://127.0.0.1:5000"]
    shown = re.search(r'id="new-key"[^>]*value="(pk_[^"]+)"', html).group(1)
    assert public_key_plaintext(key, admin_client.application.config["SECRET_KEY"]) == shown
    listing = text(admin_client.get("/keys"))
    assert "Allowed origins" in listing and "http://127.0.0.1:5000" in listing


def test_the_keys_page_refuses_a_bad_origin_by_name(admin_client):
    response = form_post(admin_client, "/keys", {"name": "Widget", "kind": "public",
                                                 "allowed_origins": "https://app.example.com/login"})
    html = text(response)
    assert response.status_code == 422 and 'id="allowed_origins-error"' in html
    assert "'https://app.example.com/login' is not an origin" in html and keys() == []


def test_a_secret_key_ignores_origins(admin_client):
    response = form_post(admin_client, "/keys", {"name": "CRM", "kind": "secret", "allowed_origins": "whatever"})
    assert response.status_code == 201 and keys()[0].allowed_origins == []


# --- the demo host page ---------------------------------------------------------------------------

def test_the_demo_page_embeds_the_snippet_and_identifies_a_contact(app, signed_in, make_account, make_contact,
                                                                   session):
    account = make_account(external_id="acme", plan="pro")
    make_contact(external_id="ada-1", name="Ada </script><b>", account_id=account.id)
    live = create_survey(session, "Live NPS", NPS)
    publish(session, live)
    session.commit()
    _other, _ = public_key(app, origins=["https://elsewhere.example"], name="Elsewhere")
    key, plaintext = public_key(app, origins=["http://localhost"], name="Local")
    manager, _ = signed_in(Role.MANAGER)
    html = manager.get("/widget/demo").get_data(as_text=True)
    assert f'src="http://localhost/w/v1/widget.js" data-key="{plaintext}"' in html, "the key that allows this origin"
    assert QUEUE_STUB in html
    call = re.findall(r"feedback\.identify\((.*)\);\n", html)[-1]  # the script, not the listing
    assert "</script><b>" not in call and "<\\/script>" in call, "a name cannot close the script"
    external_id, traits = json.loads(f"[{call}]")  # "<\\/" is a JSON escape of "</"
    assert external_id == "ada-1" and traits["account_id"] == "acme" and traits["plan"] == "pro"
    assert f'data-show="{live.id}"' in html and "does not allow this page's origin" not in html


def test_the_demo_page_signs_the_identity_when_verification_is_on(app, admin_client, make_contact):
    make_contact(external_id="bob-2")
    public_key(app, origins=["http://localhost"])
    form_post(admin_client, "/settings/widget", {"verify_identity": "1"}, page="/settings")
    secret = settings().widget_secret
    html = admin_client.get("/widget/demo").get_data(as_text=True)
    expected = hmac.new(secret.encode(), b"bob-2", hashlib.sha256).hexdigest()
    assert f'"{expected}");' in html and "with a user_hash" in html


def test_the_demo_page_says_when_no_key_allows_it(app, admin_client):
    html = text(admin_client.get("/widget/demo"))
    assert "No public key to embed" in html and "http://localhost" in html
    public_key(app, origins=["https://app.example.com"])
    html = text(admin_client.get("/widget/demo"))
    assert "does not allow this page's origin, <code>http://localhost</code>" in html


# --- the API and the demo seed --------------------------------------------------------------------

def test_the_api_names_a_bad_widget_setting(client, api_headers):
    response = client.post("/api/v1/surveys", json={"name": "X", "widget": {"brand_color": "blue"}},
                           headers=api_headers)
    assert response.status_code == 422
    assert "brand_color" in response.get_json()["errors"]["json"]["widget"]
    created = client.post("/api/v1/surveys", json={"name": "Y", "widget": {"placement": "bottom-left"}},
                          headers=api_headers)
    assert created.status_code == 201 and created.get_json()["draft"]["widget"]["placement"] == "bottom-left"
    spec = json.loads(client.get("/api/v1/openapi.json").get_data())
    schemas = spec["components"]["schemas"]
    ref = next(item["$ref"] for item in schemas["SurveyPatch"]["properties"]["widget"]["anyOf"] if "$ref" in item)
    widget = schemas[ref.rsplit("/", 1)[1]]["properties"]
    assert widget["placement"]["enum"] == ["bottom-right", "bottom-left", "center"]
    assert widget["brand_color"]["pattern"] == "^#[0-9a-fA-F]{6}$" and widget["anonymous"]["type"] == "boolean"


def test_the_demo_has_a_public_key_for_its_own_origin(app, session):
    from feedback.demo.seed import seed_demo

    seed_demo(session)
    session.commit()
    key = session.scalar(select(ApiKey).where(ApiKey.kind == KeyKind.PUBLIC))
    assert {"http://127.0.0.1:5000", "http://localhost:5000"} <= set(key.allowed_origins)
    assert public_key_plaintext(key, app.config["SECRET_KEY"]) is not None
    assert session.scalar(select(func.count()).select_from(ApiKey)) == 2


# --- in Chromium ------------------------------------------------------------------------------------

@pytest.mark.browser
def test_the_install_page_in_chromium(page, live_server, make_user, shots_dir):
    from tests.conftest import PASSWORD

    admin = make_user(Role.ADMIN, name="Alex Admin")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Widget", exact=True).click()
    page.get_by_role("heading", name="Install the widget").wait_for()
    page.get_by_text("No public key yet").wait_for()

    page.get_by_label("Allowed origins").fill("https://app.example.com/dashboard")
    page.get_by_role("button", name="Create public key").click()
    page.get_by_text("'https://app.example.com/dashboard' is not an origin").wait_for()
    page.get_by_label("Allowed origins").fill("https://app.example.com\nhttp://localhost:3000")
    page.get_by_role("button", name="Create public key").click()
    page.get_by_text("Public key “Product widget” created").wait_for()

    [key] = keys()
    snippet = page.locator(f"#snippet-{key.id}").input_value()
    assert snippet.startswith('<script async src="') and f'data-key="{key.prefix}_' in snippet
    page.get_by_role("button", name="Copy snippet").click()
    page.get_by_text("Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == snippet

    origins = page.get_by_label("Allowed origins of Product widget")
    assert origins.input_value() == "https://app.example.com\nhttp://localhost:3000"
    origins.fill("https://app.example.com\nhttps://staging.example.com")
    page.get_by_role("button", name="Save origins").click()
    page.get_by_text("Allowed origins of “Product widget” saved").wait_for()
    assert keys()[0].allowed_origins == ["https://app.example.com", "https://staging.example.com"]
    page.screenshot(path=str(shots_dir / "widget-install.png"), full_page=True)

    page.goto(f"{live_server}/settings#widget")
    page.get_by_label("Verify identity").check()
    page.locator("#widget").get_by_role("button", name="Save").click()
    page.get_by_text("with a new widget secret").wait_for()
    assert page.locator("#widget-secret").input_value() == settings().widget_secret
    page.screenshot(path=str(shots_dir / "widget-workspace-settings.png"), full_page=True)


@pytest.mark.browser
def test_the_demo_page_shows_the_widget_alive(app, page, live_server, make_user, make_account, make_contact, session,
                                              shots_dir):
    from tests.conftest import PASSWORD

    account = make_account(external_id="acme", plan="pro", name="Acme")
    make_contact(external_id="ada-1", name="Ada Lovelace", account_id=account.id)
    survey = create_survey(session, "In-app NPS", {**NPS, "widget": {"placement": "bottom-left"}})
    publish(session, survey)
    session.commit()
    public_key(app, origins=[live_server])
    manager = make_user(Role.MANAGER)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/widget/demo")
    page.get_by_role("button", name="In-app NPS").click()
    page.locator("#demo-log").get_by_text(f'shown {{"survey":{survey.id}').wait_for()
    page.screenshot(path=str(shots_dir / "widget-demo.png"))
