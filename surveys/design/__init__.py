"""Survey design: question kinds, definitions, versions, logic, placeholders, templates.

A survey's *definition* is a plain JSON-able dict (see :mod:`surveys.design.definition`).
The draft is edited freely; publishing freezes a copy as an immutable
:class:`~surveys.design.models.SurveyVersion`, which responses point at.
"""
