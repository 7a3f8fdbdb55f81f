"""ASKING: who we ask, what, when and how. No Flask routes, no web code.

This package never imports ``feedback`` (import-linter enforces it).
"""
