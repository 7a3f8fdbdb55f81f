"""Responses and answers: one store for every channel (API, hosted page, email, widget)."""
