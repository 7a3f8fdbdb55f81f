"""Small helpers the resource modules share: the path id, its check against the body, errors."""
from __future__ import annotations

from typing import Any, NoReturn

from flask_smorest import abort
from marshmallow import ValidationError

from surveys.audience.schemas import ExternalId

EXTERNAL_ID_PARAMETER = {
    "in": "path",
    "name": "external_id",
    "description": "The record's id in your system (URL-encoded; may contain '/').",
}
PAGINATION = {"page": 1, "page_size": 50, "max_page_size": 500}

_path_id = ExternalId()


def unprocessable(location: str, field: str, message: str) -> NoReturn:
    """Abort with a 422 naming ``field`` in ``location`` ('json', 'path' or 'query')."""
    abort(422, message=f"{field}: {message}", errors={location: {field: [message]}})


def id_for_put(path_value: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with ``external_id`` set from the URL; 422 when the two disagree."""
    try:
        external_id = _path_id.deserialize(path_value)
    except ValidationError as err:
        unprocessable("path", "external_id", " ".join(err.messages))
    if "external_id" in body and body["external_id"] != external_id:
        unprocessable("json", "external_id", f"Must be the id in the URL ({external_id[:80]!r}) or be left out.")
    return {**body, "external_id": external_id}


def lookup_id(path_value: str) -> str | None:
    """The id to look a record up by, or None when no record can have it.

    Checked before any query because PostgreSQL refuses NUL bytes with an error.
    """
    try:
        return _path_id.deserialize(path_value)
    except ValidationError:
        return None


def not_found(kind: str, external_id: str) -> NoReturn:
    abort(404, message=f"No {kind} with external_id {external_id[:200]!r}.")
