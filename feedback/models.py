"""Every model of the product, imported in one place so Alembic and ``create_all`` see them all."""
from feedback.auth.models import ApiKey, User
from surveys.audience.models import Account, Contact, ErasureRecord
from surveys.db import Base

__all__ = ["Account", "ApiKey", "Base", "Contact", "ErasureRecord", "User"]
