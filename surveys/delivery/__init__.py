"""Delivery: getting a message to a person (email transports today; invitations later)."""
