"""The flask-smorest Blueprint every API resource uses.

It reads bodies with :class:`~feedback.api.parser.ApiParser` and offers
:meth:`ApiBlueprint.requires`, which guards an endpoint with a permission and
documents the 401/403 answers in the OpenAPI spec.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint

from feedback.api.parser import ApiParser
from feedback.auth.access import api_requires
from feedback.auth.roles import Permission


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()

    def requires(self, permission: Permission) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Guard a view with ``api_requires(permission)``; put it above the other decorators.

        Credentials are checked before the body is parsed, so an anonymous
        caller learns nothing about validation.
        """
        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            documented = self.alt_response(401, response="UNAUTHORIZED",
                                           description="No, wrong or revoked credentials.")(view)
            documented = self.alt_response(403, response="FORBIDDEN",
                                           description=f"The caller lacks the {permission.value} permission.")(documented)
            return api_requires(permission)(documented)
        return decorator
