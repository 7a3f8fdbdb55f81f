"""Responses in the web UI: a survey's stored answers, and the account page's survey history."""
from __future__ import annotations
