"""Rendering email templates: Jinja2 with StrictUndefined, HTML autoescaped and its CSS inlined.

A campaign renders each template once per variant (language, list, whether the contact came from a
third party), with markers such as `%%unsubscribe_url%%` where a recipient's own values go. Each
recipient's message is then the variant with the markers replaced: string work, not template work.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import css_inline
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)
from markupsafe import Markup

from contacts.errors import ValidationError
from contacts.i18n import N_, Phrase
from contacts.mail.images import LOGO_WIDTH, shown_size, size_in_url
from contacts.mail.wording import Words
from contacts.templating import install, localised
from contacts.typography import french, french_html

if TYPE_CHECKING:
    from contacts.settings import Settings

# What differs from one recipient to the next; templates receive these as markers. `view_url` differs by
# language only: the composer fills it once per variant.
RECIPIENT_FIELDS = (
    "greeting", "unsubscribe_url", "objection_url", "preferences_url", "third_party_source",
    "rsvp_accept_url", "rsvp_decline_url", "view_url",
)
# Markers carry a nonce drawn per process, so that text written by staff (a body, a list name) can never
# contain one by chance or on purpose; `%%anything%%` of their own is left as it is.
_NONCE = secrets.token_hex(6)
_MARKER = re.compile(rf"%%{_NONCE}\.([a-z0-9_]+)%%")
LAYOUTS = frozenset({"base"})
DEFAULT_BRAND_COLOUR = "#1a3d7c"


def marker(field: str) -> str:
    return f"%%{_NONCE}.{field}%%"


@dataclass(frozen=True)
class RenderedParts:
    text: str
    html: str


def escaped(values: Mapping[str, str]) -> dict[str, str]:
    """The values as the HTML part takes them."""
    return {name: html.escape(value, quote=True) for name, value in values.items()}


def filled_once(parts: RenderedParts, values: Mapping[str, str]) -> RenderedParts:
    """The parts with these markers filled for every recipient at once (the same value for all of them)."""
    text, page = parts.text, parts.html
    for field, value in values.items():
        text, page = text.replace(marker(field), value), page.replace(marker(field), html.escape(value, quote=True))
    return RenderedParts(text=text, html=page)


def has_markers(text: str) -> bool:
    return _MARKER.search(text) is not None


def as_format(text: str) -> str:
    """The text as a `str.format_map` template, each marker a field: filling it is then one call in C,
    where a substitution per marker costs a Python call each."""
    return _MARKER.sub(r"{\1}", text.replace("{", "{{").replace("}", "}}"))


class TemplateLibrary:
    def __init__(self, templates_dir: Path, *, brand_colour: str = DEFAULT_BRAND_COLOUR, logo_url: str = "") -> None:
        self.folder = templates_dir / "emails"
        logo_size = size_in_url(logo_url)
        self.layout = {  # the layout's look, from settings
            "brand_colour": brand_colour, "logo_url": logo_url,
            "logo_size": shown_size(logo_size, LOGO_WIDTH) if logo_size else (LOGO_WIDTH, None),
        }
        self.environment = Environment(
            loader=FileSystemLoader(self.folder),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            keep_trailing_newline=True,
            trim_blocks=False,
        )
        install(self.environment)  # `{% trans %}` and `_()`, with the render's language's catalogue
        self.inliner = css_inline.CSSInliner(keep_style_tags=False, keep_at_rules=True, load_remote_stylesheets=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> TemplateLibrary:
        return cls(settings.templates_dir, brand_colour=settings.brand_colour, logo_url=settings.logo_url)

    def names(self) -> list[str]:
        """Templates that have both a text and an HTML part."""
        html_names = {p.stem for p in self.folder.glob("*.html")}
        return sorted(name for name in html_names if (self.folder / f"{name}.txt").is_file() and name not in LAYOUTS)

    def render(self, name: str, context: Mapping[str, object]) -> RenderedParts:
        if name not in self.names():
            raise ValidationError("template", N_("no template %(name)r; available: %(names)s"), name=name,
                                  names=", ".join(self.names()))
        full = localised({"t": Words(str(context.get("lang", "fr"))), **self.layout, **context})
        try:
            text = self.environment.get_template(f"{name}.txt").render(full)
            page = self.environment.get_template(f"{name}.html").render(full)
        except UndefinedError as error:
            raise ValidationError("template", N_("%(name)s: %(problem)s"), name=name, problem=error.message) from None
        except TemplateNotFound as error:
            raise ValidationError("template", N_("%(name)s: includes a missing template %(missing)r"), name=name,
                                  missing=error.name) from None
        if full["lang"] == "fr":  # once per variant: French typography, before the recipients' values go in
            text, page = french(text), french_html(page)
        return RenderedParts(text=_tidy_text(text), html=self.inliner.inline(page))

    def check_marketing(self, name: str) -> None:
        """REQ-5: a marketing template names the sender and carries the unsubscribe link, in both parts."""
        canary_sender = "Sender-Canary-7f3a"
        parts = self.render(name, sample_context(organisation=canary_sender))
        for label, content in ((N_("text"), parts.text), (N_("HTML"), parts.html)):
            part = Phrase(label)
            if canary_sender not in content:
                raise ValidationError("template", N_("%(name)s: the %(part)s part does not name the sender"),
                                      name=name, part=part)
            if marker("unsubscribe_url") not in content:
                raise ValidationError("template", N_("%(name)s: the %(part)s part has no unsubscribe link"),
                                      name=name, part=part)
            if marker("view_url") not in content:  # issue 20, item 8
                raise ValidationError("template", N_('%(name)s: the %(part)s part has no "view in your browser" link'),
                                      name=name, part=part)
        if f'href="{marker("unsubscribe_url")}"' not in parts.html:
            raise ValidationError("template", N_("%(name)s: the unsubscribe link in the HTML part is not a link"),
                                  name=name)


def recipient_markers(third_party: bool, rsvp: bool = False) -> dict[str, str | None]:
    """The context entries a campaign variant leaves to each recipient (invitations add their RSVP links)."""
    markers: dict[str, str | None] = {
        field: marker(field) for field in RECIPIENT_FIELDS if rsvp or not field.startswith("rsvp_")
    }
    markers["third_party_source"] = marker("third_party_source") if third_party else None
    return markers


def sample_context(**overrides: object) -> dict[str, object]:
    """A full marketing context with markers for the recipient's values: for checks and previews."""
    context: dict[str, object] = {
        "lang": "fr",
        "organisation": "Rmn - Musée du Luxembourg",
        "subject": "Sample",
        "list_name": "Journalists",
        "purpose_name": "Communications newsletter",
        "basis_words": "notre intérêt légitime",
        "body_html": Markup("<p>Sample paragraph.</p>"),
        "body_text": "Sample paragraph.",
        **recipient_markers(third_party=True),
    }
    context.update(overrides)
    return context


def _tidy_text(text: str) -> str:
    """Template logic leaves runs of blank lines in the text part; keep at most one."""
    return re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"
