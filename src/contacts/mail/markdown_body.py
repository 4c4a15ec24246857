"""A campaign body: Markdown (CommonMark, parsed by markdown-it-py) made into an email's HTML and text parts.

Staff text is data, never code (REQ-50): it is parsed, never evaluated as a template. Raw HTML, link
targets other than https:, http:, mailto: and tel:, images without alt text (REQ-49) and unknown
placeholders are refused with the line and the reason. A single newline is a line break, as the author
typed it. A paragraph that is only a link whose text is in brackets, `[[Réserver]](https://…)`, is a
button. Placeholders `{first_name}`, `{last_name}`, `{title}`, `{organisation}`, each with an optional
fallback after a bar (`{first_name|cher lecteur}`), become markers that each recipient's values fill:
the Markdown is rendered once per campaign and language, never per recipient.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.mail.images import LAYOUT_WIDTH, shown_size, size_in_url
from contacts.mail.markdown_text import TextWriter
from contacts.mail.render import DEFAULT_BRAND_COLOUR, marker

PLACEHOLDERS = ("first_name", "last_name", "title", "organisation")
SCHEMES = ("https", "http", "mailto", "tel")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([^{}|\n]*))?\}")
# Placeholders wait in the parsed text as private-use characters around their number; staff text's own
# such characters are replaced first, so none of theirs can pose as one.
_OPEN, _CLOSE = "\ue000", "\ue001"
_SENTINEL = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_ENCODED_SENTINEL = "%EE%80%80"  # _OPEN as a link target's percent-encoding writes it
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")

ImageSize = Callable[[str], "tuple[int, int] | None"]


@dataclass(frozen=True)
class Placeholder:
    field: str  # one of PLACEHOLDERS
    fallback: str  # what a recipient without that value reads

    def value(self, person: Mapping[str, str | None]) -> str:
        return " ".join((person.get(self.field) or "").split()) or self.fallback


@dataclass(frozen=True)
class RenderedBody:
    """Both parts, with a marker `body_N` for each placeholder N; `values` fills them for one person."""

    html: str
    text: str
    placeholders: tuple[Placeholder, ...]

    def values(self, person: Mapping[str, str | None]) -> dict[str, str]:
        return {marker_name(number): item.value(person) for number, item in enumerate(self.placeholders)}


def marker_name(number: int) -> str:
    return f"body_{number}"


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        """Every target is parsed as a link, then checked by `_check_target`, which names its line."""
        return True


_MARKDOWN = _Parser("commonmark", {"html": True, "linkify": True, "breaks": True}).enable("linkify")


def render(source: str, *, field: str = "body", language: str = "fr", accent: str = DEFAULT_BRAND_COLOUR,
           image_size: ImageSize = size_in_url, link_target: Callable[[str], str] | None = None) -> RenderedBody:
    """Both parts of a body, or ValidationError(field, "line N: …") for the first thing refused.
    `link_target`: what each link's address becomes, once checked (counted links, contacts.mail.click_links)."""
    prepared, placeholders = _placeholders(source, field)
    tokens = _buttons(_MARKDOWN.parse(prepared))
    _check(tokens, field)
    if link_target is not None:
        _retarget(tokens, link_target)
    page = _HtmlWriter(accent, image_size).blocks(tokens)
    text = TextWriter(language, [item.fallback or item.field for item in placeholders]).document(tokens)

    def with_markers(part: str) -> str:
        return _SENTINEL.sub(lambda found: marker(marker_name(int(found[1]))), part)

    return RenderedBody(with_markers(page), with_markers(text), tuple(placeholders))


def as_plain(source: str) -> str:
    """Markdown that shows this text as it is, with its line breaks: every ASCII punctuation mark escaped."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", source)


def check(source: str, field: str = "body") -> None:
    """Refuses a body that breaks a rule, naming the line (REQ-49, REQ-50)."""
    render(source, field=field)


def _placeholders(source: str, field: str) -> tuple[str, list[Placeholder]]:
    source = source.replace("\r\n", "\n").replace("\r", "\n").replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd")
    found: list[Placeholder] = []
    lines = []
    for number, line in enumerate(source.split("\n"), start=1):
        def replace(match: re.Match[str], number: int = number) -> str:
            name, fallback = match[1], " ".join((match[2] or "").split())
            if name not in PLACEHOLDERS:
                raise ValidationError(field, N_("line %(line)s: unknown placeholder %(name)s; the placeholders are "
                                                "%(names)s"), line=number, name="{" + name + "}",
                                      names=", ".join(f"{{{item}}}" for item in PLACEHOLDERS))
            item = Placeholder(name, fallback)
            if item not in found:
                found.append(item)
            return f"{_OPEN}{found.index(item)}{_CLOSE}"
        lines.append(_PLACEHOLDER.sub(replace, line))
    return "\n".join(lines), found


def _buttons(tokens: list[Token]) -> list[Token]:
    """A paragraph that is only a link whose whole text is in brackets becomes a `button` token."""
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "paragraph_open" and index + 2 < len(tokens) and _is_button(tokens[index + 1]):
            children = tokens[index + 1].children or []
            button = Token("button", "", 0, attrs={"href": str(children[0].attrs["href"])}, map=token.map,
                           content=children[1].content[1:-1].strip())
            button.hidden = token.hidden
            result.append(button)
            index += 3
            continue
        result.append(token)
        index += 1
    return result


def _is_button(inline: Token) -> bool:
    children = inline.children or []
    return (len(children) == 3 and children[0].type == "link_open" and children[2].type == "link_close"
            and children[1].type == "text" and len(children[1].content) > 2
            and children[1].content.startswith("[") and children[1].content.endswith("]"))


def _check(tokens: Sequence[Token], field: str) -> None:
    for token in tokens:
        first_line = (token.map[0] + 1) if token.map else 1
        if token.type == "html_block":
            raise ValidationError(field, N_("line %(line)s: raw HTML is not allowed (%(html)s); write Markdown"),
                                  line=first_line, html=repr(token.content.strip()[:40]))
        if token.type == "button":
            _check_target(str(token.attrs["href"]), field, first_line)
        line = first_line
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                raise ValidationError(field, N_("line %(line)s: raw HTML is not allowed (%(html)s); write Markdown"),
                                      line=line, html=repr(child.content[:40]))
            elif child.type == "link_open":
                _check_target(str(child.attrs["href"]), field, line)
            elif child.type == "image":
                _check_target(str(child.attrs["src"]), field, line)
                if not _SENTINEL.sub("", child.content).strip():
                    raise ValidationError(field, N_("line %(line)s: the image %(address)s has no alt text; write "
                                                    "what it shows: ![a description](address)"),
                                          line=line, address=child.attrs["src"])


def _retarget(tokens: Sequence[Token], link_target: Callable[[str], str]) -> None:
    """Every link's address as `link_target` says; the text part then lists the new address, and a bare
    URL still shows what staff wrote."""
    for token in tokens:
        if token.type == "button":
            token.attrs["href"] = link_target(str(token.attrs["href"]))
        for child in token.children or []:
            if child.type == "link_open":
                child.attrs["href"] = link_target(str(child.attrs["href"]))


def _check_target(target: str, field: str, line: int) -> None:
    if _OPEN in target or _ENCODED_SENTINEL in target:
        raise ValidationError(field, N_("line %(line)s: a placeholder cannot be part of a link or image address"),
                              line=line)
    scheme = _SCHEME.match(target)
    if scheme is None:
        raise ValidationError(field, N_("line %(line)s: the link %(target)s is not a full address; links start "
                                        "with https:, http:, mailto: or tel:"), line=line, target=repr(target))
    if scheme[1].lower() not in SCHEMES:
        raise ValidationError(field, N_("line %(line)s: %(scheme)s: links are not allowed; only https:, http:, "
                                        "mailto: and tel:"), line=line, scheme=scheme[1].lower())


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)


class _HtmlWriter:
    """markdown-it's own HTML for the usual constructs; images and buttons as mail clients need them."""

    def __init__(self, accent: str, image_size: ImageSize) -> None:
        self.accent = accent
        self.image_size = image_size

    def blocks(self, tokens: list[Token]) -> str:
        parts: list[str] = []
        plain: list[Token] = []
        for token in tokens:
            if token.type == "button":
                parts.append(_MARKDOWN.renderer.render(plain, _MARKDOWN.options, {"writer": self}))
                plain = []
                parts.append(self.button(token))
            else:
                plain.append(token)
        parts.append(_MARKDOWN.renderer.render(plain, _MARKDOWN.options, {"writer": self}))
        return "".join(parts)

    def button(self, token: Token) -> str:
        """A table-based ("bulletproof") button: the colour is on the cell, so clients that drop padding on
        links still show it."""
        colour = _attribute(self.accent)
        return (
            '<table role="presentation" class="button" border="0" cellspacing="0" cellpadding="0"><tr>'
            f'<td align="center" bgcolor="{colour}" style="background-color:{colour};border-radius:4px;">'
            f'<a class="button-link" href="{_attribute(str(token.attrs["href"]))}" style="display:inline-block;'
            'padding:12px 24px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;'
            'line-height:20px;color:#ffffff;text-decoration:none;border-radius:4px;">'
            f"{html.escape(token.content, quote=False)}</a></td></tr></table>\n"
        )

    def image(self, tokens: Sequence[Token], index: int, options: object, env: object) -> str:
        token = tokens[index]
        src = str(token.attrs["src"])
        alt = _attribute("".join(child.content for child in token.children or []) or token.content)
        title = f' title="{_attribute(str(token.attrs["title"]))}"' if token.attrs.get("title") else ""
        size = self.image_size(src)
        if size:
            width, height = shown_size(size, LAYOUT_WIDTH)
            dimensions = f'width="{width}" height="{height}" style="display:block;width:100%;max-width:{width}px;height:auto;border:0;"'
        else:
            dimensions = f'width="100%" style="display:block;width:100%;max-width:{LAYOUT_WIDTH}px;height:auto;border:0;"'
        return f'<img src="{_attribute(src)}" alt="{alt}"{title} {dimensions}>'


def _install_image_rule() -> None:
    """Images are written by whichever `_HtmlWriter` renders: the rule reads it from the environment."""
    def rule(renderer: object, tokens: Sequence[Token], index: int, options: object, env: dict) -> str:
        writer = env.get("writer") or _HtmlWriter(DEFAULT_BRAND_COLOUR, size_in_url)
        return writer.image(tokens, index, options, env)
    _MARKDOWN.add_render_rule("image", rule)


_install_image_rule()
