"""Every model of the product, imported in one place so Alembic and ``create_all`` see them all."""
from feedback.auth.models import ApiKey, User
from feedback.responses.models import Answer, Response
from surveys.audience.models import Account, Contact, ErasureRecord
from surveys.db import Base
from surveys.delivery.models import EmailBounce, Invitation
from surveys.design.models import Survey, SurveyVersion
from surveys.journeys.models import Event, WorkspaceSettings

__all__ = ["Account", "Answer", "ApiKey", "Base", "Contact", "EmailBounce", "ErasureRecord", "Event",
           "Invitation", "Response", "Survey", "SurveyVersion", "User", "WorkspaceSettings"]
