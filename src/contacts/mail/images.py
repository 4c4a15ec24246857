"""Image sizes in messages: every image gets an explicit width and height when they are known."""

from __future__ import annotations

import re

LAYOUT_WIDTH = 600  # px: the layout's content width
LOGO_WIDTH = 200  # px: the logo atop every message
# A media library URL carries the image's size in its name: …-1200x800.jpg
_SIZE_IN_URL = re.compile(r"[-_.](\d{1,5})x(\d{1,5})\.(?:jpe?g|png|gif|webp)(?:[?#]|$)", re.IGNORECASE)


def size_in_url(url: str) -> tuple[int, int] | None:
    """The (width, height) a URL's file name gives, if it gives one."""
    found = _SIZE_IN_URL.search(url)
    if not found or not int(found[1]) or not int(found[2]):
        return None
    return int(found[1]), int(found[2])


def shown_size(size: tuple[int, int], at_most: int) -> tuple[int, int]:
    """The size an image is shown at: its own, scaled down to `at_most` pixels wide."""
    width = min(size[0], at_most)
    return width, max(1, round(size[1] * width / size[0]))
