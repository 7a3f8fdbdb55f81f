from pathlib import Path

import pytest

from feedback.app import create_app
from feedback.config import ConfigError, load_settings


def test_defaults_are_embedded_and_safe(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'feedback.db'}"
    assert settings["REDIS_URL"] is None
    assert settings["SMTP_URL"] is None
    assert settings["BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_development_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings(tmp_path, environ={})["SECRET_KEY"]
    second = load_settings(tmp_path, environ={})["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(tmp_path, environ={"FEEDBACK_ENV": "production"})
    settings = load_settings(tmp_path, environ={"FEEDBACK_ENV": "production", "SECRET_KEY": "s" * 40})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_environment_is_read_and_mapping_wins(tmp_path):
    environ = {"DATABASE_URL": "postgres://u:p@db/x", "REDIS_URL": "redis://r:6379/0",
               "SMTP_URL": "smtp://mail:25", "BASE_URL": "https://fb.example.com/", "SECRET_KEY": "k"}
    settings = load_settings(tmp_path, {"BASE_URL": "https://override.example.com"}, environ=environ)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/x"
    assert settings["REDIS_URL"] == "redis://r:6379/0"
    assert settings["SMTP_URL"] == "smtp://mail:25"
    assert settings["BASE_URL"] == "https://override.example.com"


def test_create_app_takes_a_config_mapping(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k", "REDIS_URL": "redis://nowhere:1"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["SECRET_KEY"] == "k"
    assert not Path(tmp_path / "x.db").exists(), "creating the app must not open the database"
