"""The text part of a Markdown body: readable as plain text, links as numbered references listed at the end.

Headings are underlined, lists keep "- " and "1. ", quotes "> ", and line breaks stay where the author
put them. A link whose text is its address (a bare URL) is written once, without a reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

LINKS_TITLE = {"fr": "Liens\u202f:", "en": "Links:"}
_SENTINEL = re.compile("\ue000(\\d+)\ue001")


@dataclass
class _Container:
    first: str  # the prefix of its first line ("- ", "2. ", "> ")
    rest: str  # of the lines after
    used: bool = False


@dataclass
class _List:
    ordered: bool
    items: int = 0


@dataclass
class TextWriter:
    language: str
    placeholder_texts: list[str]  # what each placeholder stands for when a heading's underline is measured
    links: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    containers: list[_Container] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    tight: bool = False

    def document(self, tokens: Sequence[Token]) -> str:
        for token in tokens:
            self.block(token)
        text = "\n".join(self.lines).strip("\n")
        if self.links:
            title = LINKS_TITLE.get(self.language, LINKS_TITLE["en"])
            text += "\n\n" + title + "\n" + "\n".join(f"[{n}] {url}" for n, url in enumerate(self.links, start=1))
        return text + "\n"

    def block(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append(_List(kind == "ordered_list_open"))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            current = self.lists[-1]
            current.items += 1
            label = f"{token.info or current.items}. " if current.ordered else "- "
            self.containers.append(_Container(label, " " * len(label)))
        elif kind == "blockquote_open":
            self.containers.append(_Container("> ", "> "))
        elif kind in ("list_item_close", "blockquote_close"):
            self.containers.pop()
        elif kind == "paragraph_open":
            self.tight = token.hidden  # markdown-it hides the paragraphs of a tight list
        elif kind == "inline":
            self.emit(self.inline(token.children or []).split("\n"), hidden=self.tight and not self._list_starts())
            self.tight = False
        elif kind == "hr":
            self.emit(["-" * 40])
        elif kind in ("code_block", "fence"):
            self.emit(["    " + line for line in token.content.rstrip("\n").split("\n")])
        elif kind == "button":
            self.emit([f"→ {token.content} [{self.reference(str(token.attrs['href']))}]"])
        if kind == "heading_close":
            self.underline("=" if token.tag == "h1" else "-")

    def _list_starts(self) -> bool:
        """The first line of an outermost list: a blank line separates it from what comes before."""
        return len(self.lists) == 1 and self.lists[0].items == 1 and not self.containers[-1].used

    def emit(self, lines: list[str], hidden: bool = False) -> None:
        """Lines of one block, after a blank line unless they continue a tight list, each with its prefixes."""
        if self.lines and not hidden:
            self.lines.append("".join(c.rest for c in self.containers if c.used).rstrip())
        for line in lines:
            prefix = ""
            for container in self.containers:
                prefix += container.rest if container.used else container.first
                container.used = True
            self.lines.append(prefix + line)

    def underline(self, character: str) -> None:
        prefix = "".join(container.rest for container in self.containers)
        heading = self.lines[-1].removeprefix(prefix)
        width = len(_SENTINEL.sub(lambda found: self.placeholder_texts[int(found[1])], heading))
        self.lines.append(prefix + character * max(width, 3))

    def reference(self, url: str) -> int:
        if url not in self.links:
            self.links.append(url)
        return self.links.index(url) + 1

    def inline(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        opened: list[tuple[str, int]] = []  # a link's target, and where its text starts in `out`
        for child in children:
            if child.type in ("text", "code_inline"):
                out.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                out.append("\n")
            elif child.type == "link_open":
                opened.append((str(child.attrs["href"]), len(out)))
            elif child.type == "link_close" and opened:
                url, start = opened.pop()
                if not _names_itself("".join(out[start:]), url):
                    out.append(f" [{self.reference(url)}]")
            elif child.type == "image":
                out.append(f"[{child.content}]")
        return "".join(out)


def _names_itself(text: str, url: str) -> bool:
    """A bare URL, an autolink or a linkified address: the text already says where it goes."""
    text = text.strip()
    return text in (url, url.removeprefix("mailto:"), url.removeprefix("tel:")) or "http://" + text == url
