"""A campaign's body becomes paragraphs at blank lines, whatever sent it: a browser's textarea sends CRLF."""

from __future__ import annotations

import pytest

from contacts.services.campaigns.content import Content


def body_of(text: str) -> Content:
    return Content(subject="s", body=text)


@pytest.mark.parametrize("text", [
    "Bonjour,\n\nLe musée\nrouvre.",  # a file, or the API
    "Bonjour,\r\n\r\nLe musée\r\nrouvre.",  # a browser's form (HTML normalises textarea newlines to CRLF)
    "Bonjour,\r\rLe musée\rrouvre.",
    "Bonjour,\n  \t\nLe musée\nrouvre.\n\n\n",  # a line of spaces looks blank, and is
])
def test_blank_lines_separate_paragraphs_whatever_the_line_endings(text):
    assert body_of(text).paragraphs == ["Bonjour,", "Le musée rouvre."]
