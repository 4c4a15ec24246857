"""The export's three forms (REQ-17): JSON against its documented schema, CSV in UTF-8, and a readable
HTML summary in the person's language. All three carry the same data."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from contacts import csv_files
from contacts.services.rights.export import words
from contacts.settings import get_settings
from contacts.typography import french_html

SCHEMA_PATH = "schemas/subject-export.schema.json"  # inside the contacts package, so the wheel ships it
SUMMARY_TEMPLATE = "public/export_summary.html"


def schema() -> dict[str, Any]:
    return json.loads(resources.files("contacts").joinpath(SCHEMA_PATH).read_text(encoding="utf-8"))


def as_json(export: dict[str, Any]) -> str:
    return json.dumps(export, ensure_ascii=False, indent=2) + "\n"


def _flatten(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [pair for name, inner in value.items()
                for pair in _flatten(inner, f"{prefix}.{name}" if prefix else name)]
    if isinstance(value, list):
        return [pair for number, inner in enumerate(value, start=1)
                for pair in _flatten(inner, f"{prefix}.{number}" if prefix else str(number))]
    return [(prefix or "value", value)]


def csv_rows(export: dict[str, Any]) -> list[list[Any]]:
    """One row per value: section, item (numbered from 1 in a list section), field, value. An empty section
    still has its row, so that every section can be seen to be there. Made formula-safe as they are written."""
    rows = [["section", "item", "field", "value"]]
    for section, content in export.items():
        if not isinstance(content, (dict, list)):
            rows.append(["export", "1", section, content])
            continue
        items = content if isinstance(content, list) else [content]
        if not items:
            rows.append([section, "", "", ""])
        for number, item in enumerate(items, start=1):
            for field, value in _flatten(item, ""):
                rows.append([section, str(number), field, value])
    return rows


def as_csv(export: dict[str, Any]) -> str:
    out = io.StringIO()
    csv_files.writer(out, lineterminator="\r\n").writerows(csv_rows(export))
    return out.getvalue()


def as_csv_bytes(export: dict[str, Any]) -> bytes:
    """UTF-8 with a byte-order mark, by which spreadsheets (Excel above all) know the file is UTF-8."""
    return as_csv(export).encode("utf-8-sig")


def _environment(templates_dir: Path) -> Environment:
    return Environment(loader=FileSystemLoader(templates_dir / "web"), autoescape=True, undefined=StrictUndefined)


def as_html(export: dict[str, Any], *, templates_dir: Path | None = None) -> str:
    """The readable summary, in the export's language: a page of its own that needs nothing else to be read."""
    language = export["language"]
    template = _environment(templates_dir or get_settings().templates_dir).get_template(SUMMARY_TEMPLATE)
    page = template.render(export=export, lang=language, w=words.SUMMARY[language],
                           labels=words.FIELD_LABELS[language], values_fr=words.VALUES["fr"],
                           organisation=export["controller"]["name"])
    return str(french_html(page)) if language == "fr" else page  # its words are written plain, as every page's
