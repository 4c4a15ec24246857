"""Charts drawn on the server as SVG, for staff pages without JavaScript (issue 24).

pygal, the maintained SVG charting library on the package index, styles its charts with a `<style>` element
and loads its tooltips' script from elsewhere: the staff pages' Content-Security-Policy (no inline style, no
script) would leave them unstyled. These are small and drawn with presentation attributes only: a chart is
`role="img"` with a title and a description, scales to its container through its viewBox, and always sits
beside a table of its figures (in the template), which screen readers and copying use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Colour-blind-safe, each at least 3:1 against white (WCAG 1.4.11).
COLOURS = ("#1f4e9c", "#c0561b", "#2e7d32", "#7b3f98", "#8a6d00", "#00707a")
_TEXT = "#222222"
_GRID = "#d0d0d0"
_FONT = "system-ui, sans-serif"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def _nice_top(value: float) -> float:
    """The scale's top, at least `value`, whose quarters (the grid lines) are whole: 4, 8, 12, 16, then 1.2,
    1.6, 2, 2.4, 3.2, 4, 6, 8 or 10 times a power of ten."""
    if value <= 16:
        return next(top for top in (4, 8, 12, 16) if top >= value)
    power = 1.0
    while power * 10 < value:
        power *= 10
    return next(step * power for step in (1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10) if step * power >= value)


def _number(value: float, language: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") if language == "fr" else text


def _frame(width: int, height: int, title: str, description: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{_FONT}" font-size="12" fill="{_TEXT}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title><desc>{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def bars(title: str, description: str, labels: Sequence[str], series: Sequence[Series], *,
         language: str = "fr", width: int = 640) -> Markup:
    """Horizontal bars, one group per label and a bar per series: for figures named by long labels."""
    label_width, row, gap = 240, 16 * max(1, len(series)), 10
    height = 30 + len(labels) * (row + gap) + (20 if len(series) > 1 else 0)
    top = _nice_top(max((value for item in series for value in item.values), default=0))
    span = width - label_width - 60
    body = [_legend(series, 10, height - 8)] if len(series) > 1 else []
    for tick in range(5):
        x = label_width + span * tick / 4
        body.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - (28 if len(series) > 1 else 8)}" '
                    f'stroke="{_GRID}" stroke-width="1"/>'
                    f'<text x="{x:.1f}" y="14" text-anchor="middle">{_number(top * tick / 4, language)}</text>')
    for index, label in enumerate(labels):
        y = 24 + index * (row + gap)
        shown = label if len(label) <= 34 else label[:33] + "…"  # about 6.6 px a character at 12 px
        body.append(f'<text x="{label_width - 6}" y="{y + row / 2 + 4:.1f}" text-anchor="end">{escape(shown)}</text>')
        for number, item in enumerate(series):
            value = item.values[index]
            length = span * value / top
            body.append(f'<rect x="{label_width}" y="{y + number * 16}" width="{length:.1f}" height="14" '
                        f'fill="{COLOURS[number % len(COLOURS)]}"/>'
                        f'<text x="{label_width + length + 4:.1f}" y="{y + number * 16 + 11}">'
                        f'{_number(value, language)}</text>')
    return _frame(width, height, title, description, body)


def columns(title: str, description: str, labels: Sequence[str], series: Sequence[Series], *,
            language: str = "fr", lines: bool = False, width: int = 640, height: int = 260) -> Markup:
    """Columns (or lines) over an ordered axis, such as hours or weeks: a group per label, one per series."""
    left, bottom, top_margin = 48, 48 + (18 if len(series) > 1 else 0), 12
    plot_width, plot_height = width - left - 10, height - bottom - top_margin
    top = _nice_top(max((value for item in series for value in item.values), default=0))
    body = [_legend(series, left, height - 6)] if len(series) > 1 else []
    for tick in range(5):
        y = top_margin + plot_height * (1 - tick / 4)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{_GRID}" '
                    f'stroke-width="1"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{_number(top * tick / 4, language)}</text>')
    count = max(1, len(labels))
    slot = plot_width / count
    every = max(1, -(-count * 60 // plot_width))  # a label every so many slots, so that they do not overlap
    for index, label in enumerate(labels):
        if index % every == 0:
            x = left + slot * (index + 0.5)
            body.append(f'<text x="{x:.1f}" y="{top_margin + plot_height + 16}" text-anchor="middle">'
                        f'{escape(label)}</text>')
    for number, item in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = []
        for index, value in enumerate(item.values):
            y = top_margin + plot_height * (1 - value / top)
            if lines:
                points.append(f"{left + slot * (index + 0.5):.1f},{y:.1f}")
                continue
            bar = slot * 0.8 / len(series)
            x = left + slot * index + slot * 0.1 + bar * number
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar - 1, 1):.1f}" '
                        f'height="{top_margin + plot_height - y:.1f}" fill="{colour}"/>')
        if lines and points:
            body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
            body.extend(f'<circle cx="{point.split(",")[0]}" cy="{point.split(",")[1]}" r="3" fill="{colour}"/>'
                        for point in points)
    return _frame(width, height, title, description, body)


def _legend(series: Sequence[Series], x: float, y: float) -> str:
    parts = []
    for number, item in enumerate(series):
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" '
                     f'fill="{COLOURS[number % len(COLOURS)]}"/><text x="{x + 16:.1f}" y="{y:.1f}">'
                     f'{escape(item.name)}</text>')
        x += 24 + 7 * len(item.name)
    return "".join(parts)
