"""Audience: accounts, contacts, their upserts, CSV import and erasure."""
