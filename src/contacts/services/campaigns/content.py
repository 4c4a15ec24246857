"""A campaign's content: a subject, a preheader (the inbox's preview line) and a body in each language.

A language has a version when its subject is set; a preheader or a body without a subject is refused.
Recipients whose language has no version get the other language (`missing_language` = other) or are
skipped with the reason no_translation (skip); without a choice, such a campaign does not start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contacts.domain import MissingLanguage, parse_enum
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.mail import markdown_body
from contacts.words import FieldName

CONTENT_LANGUAGES = ("fr", "en")
CONTENT_FIELDS = tuple(f"{part}_{language}" for language in CONTENT_LANGUAGES for part in ("subject", "preheader", "body"))
SUBJECT_LIMIT = 300
PREHEADER_LIMIT = 300


@dataclass(frozen=True)
class Content:
    """One language's version."""

    subject: str
    preheader: str = ""
    body: str = ""  # Markdown (mail/markdown_body.py)



def other_language(language: str) -> str:
    return "en" if language == "fr" else "fr"


def contents_from(fields: Mapping[str, str | None]) -> dict[str, Content]:
    """The versions given by fields named subject_fr, preheader_fr, body_fr, subject_en, …: checked, each
    error naming its field. At least one language needs a subject."""
    contents: dict[str, Content] = {}
    for language in CONTENT_LANGUAGES:
        subject = " ".join((fields.get(f"subject_{language}") or "").split())
        preheader = " ".join((fields.get(f"preheader_{language}") or "").split())
        body = fields.get(f"body_{language}") or ""
        if len(subject) > SUBJECT_LIMIT:
            raise ValidationError(f"subject_{language}", N_("is %(length)s characters long; at most %(limit)s"),
                                  length=len(subject), limit=SUBJECT_LIMIT)
        if len(preheader) > PREHEADER_LIMIT:
            raise ValidationError(f"preheader_{language}", N_("is %(length)s characters long; at most %(limit)s"),
                                  length=len(preheader), limit=PREHEADER_LIMIT)
        if not subject:
            given = next((name for name, value in ((f"body_{language}", body.strip()),
                                                    (f"preheader_{language}", preheader)) if value), None)
            if given:
                raise ValidationError(f"subject_{language}", N_("is empty while %(given)s is given: a version "
                                                                "needs its subject"), given=FieldName(given))
            continue
        markdown_body.check(body, field=f"body_{language}")  # REQ-49, REQ-50: refused with its line
        contents[language] = Content(subject=subject, preheader=preheader, body=body)
    if not contents:
        raise ValidationError("subject_fr", N_("is empty: give the subject of at least one language (subject_fr "
                                                "or subject_en)"))
    return contents


def missing_language_from(value: str | None) -> MissingLanguage | None:
    """None or an empty value: not chosen."""
    if value is None or not value.strip():
        return None
    return parse_enum(MissingLanguage, "missing_language", value)


def columns_of(contents: Mapping[str, Content]) -> dict[str, str]:
    """The table's columns for these versions: a language without a version has them empty."""
    columns: dict[str, str] = {}
    for language in CONTENT_LANGUAGES:
        content = contents.get(language, Content(subject=""))
        columns |= {f"subject_{language}": content.subject, f"preheader_{language}": content.preheader,
                    f"body_{language}": content.body}
    return columns


def contents_of(row: Mapping[str, str]) -> dict[str, Content]:
    """The versions a campaign row holds."""
    return {language: Content(row[f"subject_{language}"], row[f"preheader_{language}"], row[f"body_{language}"])
            for language in CONTENT_LANGUAGES if row[f"subject_{language}"]}
