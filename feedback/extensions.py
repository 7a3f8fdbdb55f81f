"""Extensions, created unbound here and bound to an app in ``create_app``."""
from __future__ import annotations

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf import CSRFProtect

from surveys.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
api = Api()
bootstrap = Bootstrap5()
# No default limits: each limited view says its own. Storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)

__all__ = ["api", "bootstrap", "csrf", "db", "limiter", "login_manager", "migrate"]
