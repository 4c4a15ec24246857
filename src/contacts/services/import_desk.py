"""CSV imports from the staff pages: the file is staged, previewed (a dry run with its row report), then
imported as it was previewed. Scoped to the lists the account is empowered for (REQ-7), audited (REQ-8).

A staged file belongs to the account that uploaded it: its name carries the account's id and a random id,
and nothing but those two can name it.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from contacts import csv_files
from contacts.domain import LegalBasis, Permission, SourceType, parse_enum
from contacts.errors import NotFoundError, ValidationError
from contacts.services import audit, catalogue
from contacts.services.importing import ImportOptions, run_import
from contacts.services.staff import Staff
from contacts.settings import get_settings

REPORT_ROWS_SHOWN = 500
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class ImportRequest:
    upload_id: str
    file_name: str
    list_slug: str
    source_type: str
    source_name: str
    legal_basis: str = ""


@dataclass(frozen=True)
class ImportOutcome:
    request: ImportRequest
    dry_run: bool
    counts: dict[str, int]
    ignored_headers: list[str]
    problems: list[dict[str, str]]  # the row report: row, column, outcome, reason
    more_problems: int


def _folder() -> Path:
    folder = get_settings().staged_imports_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _staged(staff: Staff, upload_id: str) -> Path:
    if not _UPLOAD_ID.match(upload_id):
        raise NotFoundError("no such upload")
    path = _folder() / f"{staff.id}-{upload_id}.csv"
    if not path.is_file():
        raise NotFoundError("the uploaded file is gone: upload it again")
    return path


async def stage(staff: Staff, content: bytes | None) -> str:
    """Keeps an uploaded file for its preview; `None`: no file was sent."""
    staff.require(Permission.IMPORT)
    if content is None:
        raise ValidationError("file", "choose a CSV file")
    if not content.strip():
        raise ValidationError("file", "is empty")
    upload_id = secrets.token_hex(16)
    path = _folder() / f"{staff.id}-{upload_id}.csv"
    path.write_bytes(content)
    return upload_id


async def _run(staff: Staff, request: ImportRequest, dry_run: bool) -> ImportOutcome:
    staff.require(Permission.IMPORT)
    staff.require_lists([await catalogue.list_by_slug(request.list_slug)])
    path = _staged(staff, request.upload_id)
    report_path = path.with_suffix(".report.csv")
    options = ImportOptions(
        path=path, list_slug=request.list_slug,
        source_type=parse_enum(SourceType, "source_type", request.source_type), source_name=request.source_name,
        legal_basis=parse_enum(LegalBasis, "legal_basis", request.legal_basis) if request.legal_basis else None,
        dry_run=dry_run, report_path=report_path, workers=0, actor=staff.actor)
    report = await run_import(options)
    with open(report_path, encoding="utf-8", newline="") as handle:
        problems = [{name: csv_files.plain_cell(value) for name, value in row.items()}
                    for row in csv.DictReader(handle)]
    report_path.unlink(missing_ok=True)
    if not dry_run:
        path.unlink(missing_ok=True)
        await audit.record(staff, "import", "import_run", report.run_id, details={
            "list": request.list_slug, "file": request.file_name, "source": request.source_name,
            "counts": report.counts})
    return ImportOutcome(request=request, dry_run=dry_run, counts=report.counts,
                         ignored_headers=report.ignored_headers, problems=problems[:REPORT_ROWS_SHOWN],
                         more_problems=max(0, len(problems) - REPORT_ROWS_SHOWN))


async def preview(staff: Staff, request: ImportRequest) -> ImportOutcome:
    """Everything the import would do, counted, with its row report; nothing written."""
    return await _run(staff, request, dry_run=True)


async def run(staff: Staff, request: ImportRequest) -> ImportOutcome:
    """The import itself; the staged file is deleted afterwards."""
    return await _run(staff, request, dry_run=False)


async def lists_for_import(staff: Staff) -> list[catalogue.ListInfo]:
    """The lists this account may import into."""
    staff.require(Permission.IMPORT)
    return [item for item in await catalogue.lists() if staff.empowered_for(item.purpose)]


async def subscribe_contacts(staff: Staff, list_slug: str, source_type: str, source_name: str, legal_basis: str,
                             contacts: list[dict[str, str]]) -> ImportOutcome:
    """Contacts sent through the API, subscribed by the import's own rules (validation, duplicates,
    suppression, REQ-4, consent proofs): they are written as a CSV file and imported like one."""
    from contacts.services.importing.csvfile import HEADER_ALIASES

    staff.require(Permission.IMPORT)
    if not contacts:
        raise ValidationError("contacts", "send at least one contact")
    fields = sorted({name for contact in contacts for name in contact})
    unknown = [name for name in fields if name not in HEADER_ALIASES]
    if unknown:
        raise ValidationError("contacts", f"unknown field {unknown[0]!r}; use {', '.join(HEADER_ALIASES)}")
    with io.StringIO() as out:
        writer = csv_files.writer(out)
        writer.writerow(fields)
        writer.writerows([contact.get(name) or "" for name in fields] for contact in contacts)
        upload_id = await stage(staff, out.getvalue().encode("utf-8"))
    request = ImportRequest(upload_id=upload_id, file_name="api", list_slug=list_slug, source_type=source_type,
                            source_name=source_name, legal_basis=legal_basis)
    try:
        return await run(staff, request)
    finally:
        (_folder() / f"{staff.id}-{upload_id}.csv").unlink(missing_ok=True)  # also when the import refused it
