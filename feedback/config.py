"""Settings: every one an environment variable with a safe default (12-factor).

``create_app(config)`` accepts the same keys in a mapping, which win over the
environment; tests use that instead of touching ``os.environ``.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_KEYS = ("FEEDBACK_ENV", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SMTP_URL", "SMTP_FROM", "BASE_URL")
PRODUCTION = "production"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _secret_key(instance_path: Path, env: str) -> str:
    """In development, a key generated once and kept under ``instance/``; production must set one."""
    if env == PRODUCTION:
        raise ConfigError("SECRET_KEY must be set in production (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`).")
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _normalise_database_url(url: str) -> str:
    # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve every setting from ``overrides``, then ``environ``, then defaults; returns Flask config."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    raw = {key: environ.get(key) or None for key in ENV_KEYS}
    raw.update({k: v for k, v in overrides.items() if k in ENV_KEYS})
    env = raw["FEEDBACK_ENV"] or "development"
    database_url = _normalise_database_url(raw["DATABASE_URL"] or f"sqlite:///{instance_path / 'feedback.db'}")
    settings: dict[str, Any] = {
        "FEEDBACK_ENV": env,
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "REDIS_URL": raw["REDIS_URL"],
        "SECRET_KEY": raw["SECRET_KEY"] or _secret_key(instance_path, env),
        "SMTP_URL": raw["SMTP_URL"],
        "SMTP_FROM": raw["SMTP_FROM"] or "Feedback <feedback@localhost>",
        "OUTBOX_DIR": str(instance_path / "outbox"),
        "UPLOAD_DIR": str(instance_path / "uploads"),
        "BASE_URL": (raw["BASE_URL"] or "http://127.0.0.1:5000").rstrip("/"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == PRODUCTION,
        "REMEMBER_COOKIE_SECURE": env == PRODUCTION,
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "API_TITLE": "Feedback loop API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(raw["REDIS_URL"]),
        "RATELIMIT_HEADERS_ENABLED": True,
    }
    settings.update({k: v for k, v in overrides.items() if k not in ENV_KEYS})
    return settings


def _rate_limit_storage(redis_url: str | None) -> str:
    """Rate-limit counters live in Redis, shared by every process; the one-process
    embedded mode keeps them in memory."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def _engine_options(database_url: str) -> dict[str, Any]:
    if database_url.startswith("sqlite"):
        # The web process and the worker share the file: wait for locks instead of failing.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
