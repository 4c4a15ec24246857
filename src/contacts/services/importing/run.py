"""A CSV import from start to end: checks, streaming in batches, validation on every core, the report.

Memory stays flat whatever the file size: rows are read, validated and written a batch at a time,
with a bounded number of batches in flight, and duplicates across batches are found in the database.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

from contacts.domain import LegalBasis, SourceType
from contacts.errors import ValidationError
from contacts.services import catalogue, suppression
from contacts.services.bulk import BulkSession, bulk_session
from contacts.services.importing.csvfile import CONSENT_PROOF_FIELDS, CsvSource, open_csv
from contacts.services.importing.rows import RowError, RowRules, ValidRow, validate_batch
from contacts.services.importing.store import ImportContext, apply_batch
from contacts.tables import Notice

COUNT_KEYS = (
    "rows", "created", "updated", "unchanged", "subscribed", "already_subscribed", "not_resubscribed",
    "skipped_suppressed", "skipped_restricted", "duplicates", "invalid",
)
RUN_COLUMNS = (
    "id", "file_name", "mailing_list", "source_type", "source_name", "legal_basis", "actor", "started_at",
    "finished_at", "counts",
)
REPORT_COLUMNS = ("row", "column", "outcome", "reason")
# The tables grow by orders of magnitude during a big import: refresh the planner's view as they do.
STATISTICS_REFRESH_AFTER = frozenset(4**n for n in range(1, 8))
# Below this size, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024

ProgressCallback = Callable[[int, int], None]  # (bytes read, total bytes)


@dataclass(frozen=True)
class ImportOptions:
    path: Path
    list_slug: str
    source_type: SourceType
    source_name: str
    actor: str
    legal_basis: LegalBasis | None = None
    dry_run: bool = False
    report_path: Path | None = None
    workers: int | None = None  # None: one per core; 0: validate in this process
    batch_size: int = 1000


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    report_path: Path | None = None
    ignored_headers: list[str] = field(default_factory=list)
    run_id: int | None = None
    dry_run: bool = False


class _DryRunRollback(Exception):
    pass


async def run_import(options: ImportOptions, on_progress: ProgressCallback | None = None) -> ImportReport:
    """Raises ValidationError, before writing anything, when the file or the options are unusable."""
    mailing_list = await catalogue.list_by_slug(options.list_slug)
    legal_basis = options.legal_basis or mailing_list.purpose.default_legal_basis
    if mailing_list.double_opt_in and legal_basis != LegalBasis.CONSENT:
        raise ValidationError("legal-basis", f"the list {mailing_list.slug} is double opt-in: only consent is valid")
    if not options.source_name.strip():
        raise ValidationError("source", "name where the addresses came from")
    notice_versions = frozenset(row["version"] for row in await Notice.select(Notice.version))
    source = open_csv(options.path)
    try:
        if legal_basis == LegalBasis.CONSENT:
            required = CONSENT_PROOF_FIELDS + (("confirmed_at",) if mailing_list.double_opt_in else ())
            missing = [name for name in required if name not in source.fields]
            if missing:
                raise ValidationError(
                    missing[0],
                    f"the consent basis needs proof columns {', '.join(required)} (REQ-2); missing: {', '.join(missing)}",
                )
        report = ImportReport(
            report_path=options.report_path or options.path.with_name(options.path.stem + ".errors.csv"),
            ignored_headers=source.ignored_headers,
            dry_run=options.dry_run,
        )
        now = datetime.now(timezone.utc)
        context = ImportContext(
            run_id=0, mailing_list=mailing_list, legal_basis=legal_basis, source_type=options.source_type,
            source_name=options.source_name.strip(), actor=options.actor, now=now,
        )
        async with bulk_session() as session:
            if options.dry_run:
                # The whole dry run is one transaction, rolled back: the same code, exact counts, no writes.
                try:
                    async with session.transaction():
                        await _import_all(session, source, context, notice_versions, options, report, on_progress)
                        raise _DryRunRollback
                except _DryRunRollback:
                    pass
            else:
                await _import_all(session, source, context, notice_versions, options, report, on_progress)
        return report
    finally:
        source.close()


async def _import_all(
    session: BulkSession,
    source: CsvSource,
    context: ImportContext,
    notice_versions: frozenset[str],
    options: ImportOptions,
    report: ImportReport,
    on_progress: ProgressCallback | None,
) -> None:
    async with session.transaction():
        (run_id,) = await session.allocate_ids("import_run", 1)
        await session.insert("import_run", RUN_COLUMNS, [(
            run_id, options.path.name, context.mailing_list.id, context.source_type.value, context.source_name,
            context.legal_basis.value, context.actor, context.now, None, "{}",
        )])
    report.run_id = run_id
    context = dataclasses.replace(context, run_id=run_id)
    rules = RowRules(
        legal_basis=context.legal_basis,
        audience_kind=context.mailing_list.audience_kind,
        is_direct_marketing=context.mailing_list.purpose.is_direct_marketing,
        needs_confirmation=context.mailing_list.double_opt_in,
        notice_versions=notice_versions,
        now=context.now,
        columns=tuple(source.columns),
        keyring=suppression.keyring(),
        evidence={
            "kind": "import",
            "import_run": run_id,
            "file": options.path.name,
            "source_type": context.source_type.value,
            "source_name": context.source_name,
            "purpose": context.mailing_list.purpose.code,
            "legal_basis": context.legal_basis.value,
            "recorded_at": context.now.isoformat(),
        },
    )
    await _stream(session, source, rules, context, options, report, on_progress)
    async with session.transaction():
        await session.update("import_run", "id", ("finished_at", "counts"),
                             [(run_id, datetime.now(timezone.utc), json.dumps(report.counts))])


async def _stream(
    session: BulkSession,
    source: CsvSource,
    rules: RowRules,
    context: ImportContext,
    options: ImportOptions,
    report: ImportReport,
    on_progress: ProgressCallback | None,
) -> None:
    assert report.report_path is not None
    with open(report.report_path, "w", encoding="utf-8", newline="") as report_file:
        writer = csv.writer(report_file)
        writer.writerow(REPORT_COLUMNS)
        batches = _batches(source.rows(), options.batch_size)
        written = 0
        async for results in _validated(batches, rules, options.workers, source.total_bytes):
            report.counts["rows"] += len(results)
            valid: list[ValidRow] = []
            for result in results:
                if isinstance(result, ValidRow):
                    valid.append(result)
                else:
                    report.counts["invalid"] += 1
                    writer.writerows((e.number, e.column, "invalid", e.reason) for e in result)
            if valid:
                async with session.transaction():
                    outcome = await apply_batch(session, valid, context)
                for key, n in outcome.counts.items():
                    report.counts[key] += n
                writer.writerows((n.number, n.column, "skipped", n.reason) for n in _sorted(outcome.notes))
                written += 1
                if written in STATISTICS_REFRESH_AFTER:
                    await session.refresh_statistics(("contact", "subscription", "consent_event"))
            if on_progress:
                on_progress(source.bytes_read, source.total_bytes)


def _sorted(notes: list[RowError]) -> list[RowError]:
    return sorted(notes, key=lambda note: note.number)


def _batches(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while batch := list(islice(rows, size)):
        yield batch


async def _validated(batches, rules: RowRules, workers: int | None, total_bytes: int):
    """Validate batches in order; with a process pool, several batches are validated while one is written."""
    if workers == 0 or (workers is None and total_bytes < PARALLEL_MIN_BYTES):
        for batch in batches:
            yield validate_batch(batch, rules)
        return
    count = workers or os.cpu_count() or 1
    loop = asyncio.get_running_loop()
    # spawn, not fork: the parent runs threads (aiosqlite) that a fork would copy mid-flight.
    with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: list[asyncio.Future] = []
        for batch in batches:
            pending.append(_submit(loop, pool, batch, rules))
            if len(pending) > count * 2:
                yield await pending.pop(0)
        while pending:
            yield await pending.pop(0)


def _submit(loop: asyncio.AbstractEventLoop, pool: Executor, batch, rules: RowRules) -> asyncio.Future:
    return loop.run_in_executor(pool, validate_batch, batch, rules)
