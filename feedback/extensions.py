"""Extensions, created unbound here and bound to an app in ``create_app``."""
from __future__ import annotations

from flask_bootstrap import Bootstrap5
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

__all__ = ["api", "bootstrap", "csrf", "db", "login_manager", "migrate"]
