"""How API request bodies are read: strict JSON, bounded depth, exact decimals.

Contract: a body endpoint gets a parsed JSON value, or the client gets a 400
naming ``json`` when the body is absent, not sent as ``application/json``,
malformed, uses ``NaN``/``Infinity``, or nests deeper than
:data:`MAX_JSON_DEPTH` levels. Validation of the value itself is the schemas'
job (422 naming fields). No input reaches the app as a 500.
"""
from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Request, current_app
from flask_smorest import abort
from webargs.flaskparser import FlaskParser, is_json_request

# Deep enough that a 100-level ``attributes`` reaches its schema and is rejected
# by name; shallow enough that recursive code downstream (validators, json.dumps)
# stays far from Python's recursion limit.
MAX_JSON_DEPTH = 200


def _no_constants(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity, which are not JSON and not storable.
    raise ValueError(f"{name} is not valid JSON")


def _deeper_than(value: Any, limit: int) -> bool:
    """True when ``value`` nests more than ``limit`` containers; iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _bad_body(message: str) -> NoReturn:
    abort(400, message=message, errors={"json": [message]})


def read_json_body(req: Request) -> Any:
    """The request's JSON body, parsed with the app's JSON provider (decimals kept exact)."""
    body = req.get_data(cache=True)
    if not is_json_request(req):
        _bad_body("Send the body as JSON with the header 'Content-Type: application/json'.")
    if not body.strip():
        _bad_body("A JSON body is required.")
    try:
        value = current_app.json.loads(body, parse_constant=_no_constants)
    except RecursionError:
        _bad_body(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
    except json.JSONDecodeError as err:
        _bad_body(f"Invalid JSON body: {err.msg} at line {err.lineno} column {err.colno}.")
    except (UnicodeDecodeError, ValueError) as err:
        _bad_body(f"Invalid JSON body: {err}.")
    if isinstance(value, (dict, list)) and _deeper_than(value, MAX_JSON_DEPTH):
        _bad_body(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")
    return value


class ApiParser(FlaskParser):
    """webargs parser whose JSON location is :func:`read_json_body`."""

    def load_json(self, req: Request, schema) -> Any:
        return read_json_body(req)
