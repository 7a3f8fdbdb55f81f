from sqlalchemy import select

from feedback.auth.keys import authenticate_key
from feedback.auth.models import ApiKey, User
from feedback.auth.roles import Role


def test_users_create_makes_an_admin_who_can_log_in(app, session, login):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Boss@Example.com", "--role", "admin", "--password", "a long passphrase"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.role is Role.ADMIN
    login(user, "a long passphrase")


def test_users_create_generates_a_password_when_none_given(app, session):
    result = app.test_cli_runner().invoke(args=["users", "create", "kim@example.com", "--role", "viewer"])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].startswith("Password: ")


def test_users_create_refuses_a_duplicate(app, make_user):
    user = make_user(Role.VIEWER)
    result = app.test_cli_runner().invoke(args=["users", "create", user.email, "--role", "admin"])
    assert result.exit_code != 0
    assert "email: A user with this email already exists." in result.output


def test_keys_create_prints_the_key_alone_on_its_last_line(app, session):
    result = app.test_cli_runner().invoke(args=["keys", "create", "CRM sync", "--kind", "secret"])
    assert result.exit_code == 0, result.output
    plaintext = result.output.rstrip("\n").splitlines()[-1]
    assert plaintext.startswith("sk_") and " " not in plaintext
    assert authenticate_key(session, plaintext).name == "CRM sync"


def test_public_key_with_origins_and_revoke(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "create", "Widget", "--kind", "public", "--origin", "https://app.example.com",
                                 "--origin", "https://staging.example.com"])
    plaintext = result.output.rstrip("\n").splitlines()[-1]
    key = session.scalar(select(ApiKey))
    assert plaintext.startswith("pk_") and key.allowed_origins == ["https://app.example.com", "https://staging.example.com"]
    assert runner.invoke(args=["keys", "revoke", key.prefix]).exit_code == 0
    session.expire_all()
    assert authenticate_key(session, plaintext) is None
    listing = runner.invoke(args=["keys", "list"]).output
    assert key.prefix in listing and "revoked" in listing and plaintext not in listing


def test_keys_revoke_unknown_prefix_fails(app):
    result = app.test_cli_runner().invoke(args=["keys", "revoke", "sk_nope"])
    assert result.exit_code != 0 and "prefix" in result.output
