"""Every model of the product, imported in one place so Alembic and ``create_all`` see them all."""
from feedback.auth.models import ApiKey, User
from feedback.responses.models import Answer, Response
from surveys.audience.models import Account, Contact, ErasureRecord
from surveys.db import Base
from surveys.design.models import Survey, SurveyVersion

__all__ = ["Account", "Answer", "ApiKey", "Base", "Contact", "ErasureRecord", "Response", "Survey",
           "SurveyVersion", "User"]
