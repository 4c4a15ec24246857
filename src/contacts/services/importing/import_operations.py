"""CSV imports from the staff pages: the file is staged, previewed (a dry run with its row report), then
imported as it was previewed. Scoped to the lists the account is empowered for (REQ-7), audited (REQ-8).

A staged file is kept in the database (contacts.services.importing.staging), so that another server process
can import it, and belongs to the account that uploaded it: only that account and its random key name it.
While it is previewed or imported, it is copied to a scratch folder of this request, deleted afterwards.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from contacts import csv_files
from contacts.domain import LegalBasis, Permission, SourceType, parse_enum
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.services import audit, catalogue
from contacts.services.importing import ImportOptions, run_import, staging
from contacts.services.importing.csvfile import HEADER_ALIASES
from contacts.services.importing.run import PARALLEL_MIN_BYTES
from contacts.services.staff.accounts import Staff

REPORT_ROWS_SHOWN = 500
# A large file is validated in one process beside the server, not on its event loop: about 120 ms of CPU per
# thousand rows, which the recipients' requests would otherwise wait behind. One, so that a core is left.
VALIDATION_PROCESSES = 1


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


async def stage(staff: Staff, content: bytes | None) -> str:
    """Keeps an uploaded file for its preview; `None`: no file was sent."""
    staff.require(Permission.IMPORT)
    if content is None:
        raise ValidationError("file", N_("choose a CSV file"))
    if not content.strip():
        raise ValidationError("file", N_("is empty"))
    return await staging.stage(staff.id, content)


async def _run(staff: Staff, request: ImportRequest, dry_run: bool, language: str | None) -> ImportOutcome:
    staff.require(Permission.IMPORT)
    staff.require_lists([await catalogue.list_by_slug(request.list_slug)])
    with tempfile.TemporaryDirectory(prefix="contacts-import-") as folder:
        path = Path(folder) / f"{staff.id}-{request.upload_id}.csv"
        await staging.copy_to(staff.id, request.upload_id, path)
        options = ImportOptions(
            path=path, list_slug=request.list_slug,
            source_type=parse_enum(SourceType, "source_type", request.source_type), source_name=request.source_name,
            legal_basis=parse_enum(LegalBasis, "legal_basis", request.legal_basis) if request.legal_basis else None,
            dry_run=dry_run, report_path=path.with_suffix(".report.csv"), actor=staff.actor,
            workers=VALIDATION_PROCESSES if path.stat().st_size >= PARALLEL_MIN_BYTES else 0,
            language=language or staff.language)
        report = await run_import(options)
        assert options.report_path is not None  # given above
        problems, more_problems = _first_problems(options.report_path)
    if not dry_run:
        await staging.discard(request.upload_id)
        await audit.record(staff, "import", "import_run", report.run_id, details={
            "list": request.list_slug, "file": request.file_name, "source": request.source_name,
            "counts": report.counts})
    return ImportOutcome(request=request, dry_run=dry_run, counts=report.counts,
                         ignored_headers=report.ignored_headers, problems=problems, more_problems=more_problems)


def _first_problems(report_path: Path) -> tuple[list[dict[str, str]], int]:
    """The row report's first lines, and how many more there are."""
    shown: list[dict[str, str]] = []
    more = 0
    with open(report_path, encoding="utf-8", newline="") as handle:
        for problem in csv.DictReader(handle):
            if len(shown) < REPORT_ROWS_SHOWN:
                shown.append({name: csv_files.plain_cell(value) for name, value in problem.items()})
            else:
                more += 1
    return shown, more


async def preview(staff: Staff, request: ImportRequest, language: str | None = None) -> ImportOutcome:
    """Everything the import would do, counted, with its row report (in `language`, or the account's);
    nothing written."""
    return await _run(staff, request, dry_run=True, language=language)


async def run(staff: Staff, request: ImportRequest, language: str | None = None) -> ImportOutcome:
    """The import itself, its row report in `language` (or the account's); the staged file is deleted
    afterwards."""
    return await _run(staff, request, dry_run=False, language=language)


async def lists_for_import(staff: Staff) -> list[catalogue.ListInfo]:
    """The lists this account may import into."""
    staff.require(Permission.IMPORT)
    return [item for item in await catalogue.lists() if staff.empowered_for(item.purpose)]


async def subscribe_contacts(staff: Staff, list_slug: str, source_type: str, source_name: str, legal_basis: str,
                             contacts: list[dict[str, str]]) -> ImportOutcome:
    """Contacts sent through the API, subscribed by the import's own rules (validation, duplicates,
    suppression, REQ-4, consent proofs): they are written as a CSV file and imported like one."""
    staff.require(Permission.IMPORT)
    if not contacts:
        raise ValidationError("contacts", N_("send at least one contact"))
    fields = sorted({name for contact in contacts for name in contact})
    unknown = [name for name in fields if name not in HEADER_ALIASES]
    if unknown:
        raise ValidationError("contacts", N_("unknown field %(name)s; use %(codes)s"), name=repr(unknown[0]),
                              codes=", ".join(HEADER_ALIASES))
    with io.StringIO() as out:
        writer = csv_files.writer(out)
        writer.writerow(fields)
        writer.writerows([contact.get(name) or "" for name in fields] for contact in contacts)
        upload_id = await stage(staff, out.getvalue().encode("utf-8"))
    request = ImportRequest(upload_id=upload_id, file_name="api", list_slug=list_slug, source_type=source_type,
                            source_name=source_name, legal_basis=legal_basis)
    try:
        return await run(staff, request, language="en")  # the API speaks English
    finally:
        await staging.discard(upload_id)  # also when the import refused it
