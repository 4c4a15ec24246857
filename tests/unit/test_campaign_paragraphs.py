"""A campaign's body becomes paragraphs at blank lines, whatever sent it: a browser's textarea sends CRLF."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contacts.services.campaigns.core import CampaignInfo


def body_of(text: str) -> CampaignInfo:
    return CampaignInfo(id=1, subject="s", template="t", body=text, purpose=None, lists=(), status="draft",
                        rate=None, created_by="test", created_at=datetime.now(UTC), started_at=None, finished_at=None)


@pytest.mark.parametrize("text", [
    "Bonjour,\n\nLe musée\nrouvre.",  # a file, or the API
    "Bonjour,\r\n\r\nLe musée\r\nrouvre.",  # a browser's form (HTML normalises textarea newlines to CRLF)
    "Bonjour,\r\rLe musée\rrouvre.",
    "Bonjour,\n  \t\nLe musée\nrouvre.\n\n\n",  # a line of spaces looks blank, and is
])
def test_blank_lines_separate_paragraphs_whatever_the_line_endings(text):
    assert body_of(text).paragraphs == ["Bonjour,", "Le musée rouvre."]
