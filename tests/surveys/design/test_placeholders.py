"""Placeholders: values, fallbacks, and plain text back (escaping is the template's job)."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from surveys.design.placeholders import VALUE_MAX, check_placeholders, render, values_for


def test_values_replace_placeholders():
    values = values_for("Acme CRM", "Ada Lovelace", "Analytical Engines Ltd")
    text = "Hi {contact.first_name}: would {contact.name} at {account.name} recommend {product}?"
    assert render(text, values) == ("Hi Ada: would Ada Lovelace at Analytical Engines Ltd "
                                    "recommend Acme CRM?")


def test_missing_values_use_our_fallbacks():
    assert render("Hi {contact.name}, {account.name} and {product}", values_for(None)) == (
        "Hi there, your team and our product")


def test_a_placeholder_may_carry_its_own_fallback():
    assert render("Hi {contact.name|friend}!", values_for("X")) == "Hi friend!"
    assert render("Hi {contact.name| dear customer }!", values_for("X")) == "Hi dear customer!"
    assert render("Hi {contact.name|friend}!", values_for("X", "Grace Hopper")) == "Hi Grace Hopper!"
    assert render("Hi{contact.first_name|}!", values_for("X")) == "Hi!", "an empty fallback removes it"


def test_blank_values_count_as_missing():
    values = values_for("  ", "   ", "")
    assert values["contact.first_name"] is None
    assert render("{product} {contact.name} {account.name}", values) == "our product there your team"


def test_values_are_trimmed_and_capped():
    long_name = "A" * 500
    assert render("{account.name}", values_for(None, None, long_name)) == "A" * VALUE_MAX
    assert render("[{product}]", {"product": "  Acme  "}) == "[Acme]"


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{product}"])
def test_markup_values_come_back_verbatim_as_text(value):
    # Rendering returns plain text: Jinja's autoescape makes it harmless where it is shown.
    assert render("Hi {contact.name}!", values_for("X", value)) == f"Hi {value}!"


def test_a_value_is_not_expanded_again():
    assert render("{contact.name} uses {product}", values_for("Acme", "{product}")) == "{product} uses Acme"


def test_unknown_placeholders_stay_as_written():
    assert render("{contact.phone} and {product}", values_for("Acme")) == "{contact.phone} and Acme"


def test_text_without_placeholders_is_unchanged():
    assert render("Plain { braces } and {Upper}", values_for("Acme")) == "Plain { braces } and {Upper}"


def test_check_placeholders():
    check_placeholders("Hi {contact.first_name|there} at {account.name}")
    with pytest.raises(ValidationError, match=r"Unknown placeholder \{contact\.phone\}"):
        check_placeholders("Call {contact.phone}")
