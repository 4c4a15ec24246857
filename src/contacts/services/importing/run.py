"""A CSV import from start to end: checks, streaming in batches, validation on every core, the report.

Memory stays flat whatever the file size: rows are read, validated and written a batch at a time,
with a bounded number of batches in flight, and duplicates across batches are found in the database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import multiprocessing
import os
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from contacts import csv_files
from contacts.db.bulk import BulkSession, bulk_session
from contacts.db.engine import process_writer_turn
from contacts.domain import LegalBasis, SourceType
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.services import catalogue
from contacts.services.importing.csvfile import (
    CONSENT_PROOF_FIELDS,
    CsvSource,
    open_csv,
)
from contacts.services.importing.preview import (
    WrittenSoFar,
    count_batch,
    written_so_far,
)
from contacts.services.importing.rows import (
    RowRules,
    ValidRow,
    reason_in,
    validate_batch,
)
from contacts.services.importing.store import (
    BatchOutcome,
    ImportContext,
    Note,
    apply_batch,
)
from contacts.services.people import suppression
from contacts.tables import Notice

COUNT_KEYS = (
    "rows", "created", "updated", "unchanged", "subscribed", "confirmed", "already_subscribed",
    "awaiting_confirmation", "not_resubscribed", "skipped_suppressed", "skipped_restricted", "skipped_no_basis",
    "duplicates", "invalid",
)
SOURCE_NAME_LIMIT = 300  # ImportRun.source_name and Contact.source_name
RUN_COLUMNS = (
    "id", "file_name", "mailing_list", "source_type", "source_name", "legal_basis", "actor", "started_at",
    "finished_at", "counts",
)
REPORT_COLUMNS = ("row", "column", "outcome", "reason")
# The tables grow by orders of magnitude during a big import: refresh the planner's view as they do.
STATISTICS_REFRESH_AFTER = frozenset(4**n for n in range(1, 8))
# Below this size, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024
VALIDATION_NICENESS = 10

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
    language: str = "en"  # of the row report's reasons


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    report_path: Path | None = None
    ignored_headers: list[str] = field(default_factory=list)
    run_id: int | None = None
    dry_run: bool = False


async def run_import(options: ImportOptions, on_progress: ProgressCallback | None = None) -> ImportReport:
    """Raises ValidationError, before writing anything, when the file or the options are unusable; and,
    with the counts so far, when the file turns unreadable midway (the rows before it are imported)."""
    mailing_list = await catalogue.list_by_slug(options.list_slug)
    legal_basis = options.legal_basis or mailing_list.purpose.default_legal_basis
    if mailing_list.double_opt_in and legal_basis != LegalBasis.CONSENT:
        raise ValidationError("legal-basis", N_("the list %(slug)s is double opt-in: only consent is valid"),
                slug=mailing_list.slug)
    source_name = options.source_name.strip()
    if not source_name:
        raise ValidationError("source", N_("name where the addresses came from"))
    if len(source_name) > SOURCE_NAME_LIMIT:
        raise ValidationError("source", N_("is %(length)s characters long; at most %(limit)s"), length=len(source_name),
                              limit=SOURCE_NAME_LIMIT)
    notice_versions = frozenset(row["version"] for row in await Notice.select(Notice.version))
    report_path = options.report_path or options.path.with_name(options.path.stem + ".errors.csv")
    source = open_csv(options.path)
    try:
        if legal_basis == LegalBasis.CONSENT:
            required = CONSENT_PROOF_FIELDS + (("confirmed_at",) if mailing_list.double_opt_in else ())
            missing = [name for name in required if name not in source.fields]
            if missing:
                raise ValidationError(
                    missing[0],
                    N_("the consent basis needs proof columns %(columns)s; missing: %(missing)s"),
                    columns=", ".join(required), missing=", ".join(missing),
                )
        try:
            report_file = open(report_path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        except OSError as error:
            raise ValidationError("errors", N_("cannot write the report %(report_path)s: %(strerror)s"),
                    report_path=report_path, strerror=error.strerror) from None
        with report_file:
            report = ImportReport(report_path=report_path, ignored_headers=source.ignored_headers, dry_run=options.dry_run)
            context = ImportContext(
                run_id=0, mailing_list=mailing_list, legal_basis=legal_basis, source_type=options.source_type,
                source_name=source_name, actor=options.actor, now=datetime.now(UTC),
            )
            job = _ImportJob(source, context, notice_versions, options, report, csv_files.writer(report_file), on_progress)
            async with bulk_session() as session:
                if options.dry_run:
                    async with written_so_far() as written:
                        await job.preview(session, written)
                else:
                    await job.run(session)
        return report
    finally:
        source.close()


@dataclass
class _ImportJob:
    source: CsvSource
    context: ImportContext
    notice_versions: frozenset[str]
    options: ImportOptions
    report: ImportReport
    writer: csv_files.SafeWriter  # of the row report
    on_progress: ProgressCallback | None

    async def preview(self, session: BulkSession, written: WrittenSoFar) -> None:
        """Count and report what `run` would do, with reads only (contacts.services.importing.preview)."""
        self.writer.writerow(REPORT_COLUMNS)
        await self._stream(lambda rows: count_batch(session, rows, self.context, written))

    async def run(self, session: BulkSession) -> None:
        self.writer.writerow(REPORT_COLUMNS)
        context = self.context
        async with process_writer_turn(), session.transaction():
            (run_id,) = await session.allocate_ids("import_run", 1)
            await session.insert("import_run", RUN_COLUMNS, [(
                run_id, self.options.path.name[:500], context.mailing_list.id, context.source_type.value,
                context.source_name, context.legal_basis.value, context.actor, context.now, None, "{}",
            )])
        self.report.run_id = run_id
        self.context = dataclasses.replace(context, run_id=run_id)
        try:
            await self._stream(lambda rows: self._write(session, rows), session)
        except ValidationError as error:
            # The file turned unreadable midway: what came before is imported; say so, and where it stopped.
            await self._finish(session)
            counts = ", ".join(f"{k} {v}" for k, v in self.report.counts.items() if v)
            raise ValidationError(error.field, N_("%(problem)s; the rows before it were imported (%(counts)s)"),
                    problem=error.message, counts=counts) from None
        await self._finish(session)

    async def _finish(self, session: BulkSession) -> None:
        async with process_writer_turn(), session.transaction():
            await session.update("import_run", "id", ("finished_at", "counts"),
                                 [(self.report.run_id, datetime.now(UTC), json.dumps(self.report.counts))])

    def _rules(self) -> RowRules:
        context = self.context
        return RowRules(
            legal_basis=context.legal_basis,
            audience_kind=context.mailing_list.audience_kind,
            is_direct_marketing=context.mailing_list.purpose.is_direct_marketing,
            needs_confirmation=context.mailing_list.double_opt_in,
            notice_versions=self.notice_versions,
            now=context.now,
            columns=tuple(self.source.columns),
            keyring=suppression.keyring(),
            evidence={
                "kind": "import",
                "import_run": context.run_id,
                "file": self.options.path.name,
                "source_type": context.source_type.value,
                "source_name": context.source_name,
                "purpose": context.mailing_list.purpose.code,
                "legal_basis": context.legal_basis.value,
                "recorded_at": context.now.isoformat(),
            },
        )

    async def _stream(self, handle: Callable[[list[ValidRow]], Awaitable[BatchOutcome]],
                      writing: BulkSession | None = None) -> None:
        """Each batch's valid rows go to `handle`; `writing`: the session that writes them, if any."""
        counts, language = self.report.counts, self.options.language
        batches = _batches(self.source.rows(), self.options.batch_size)
        written = 0
        async for results in _validated(batches, self._rules(), self.options.workers, self.source.total_bytes):
            counts["rows"] += len(results)
            valid: list[ValidRow] = []
            for result in results:
                if isinstance(result, ValidRow):
                    valid.append(result)
                else:
                    counts["invalid"] += 1
                    self.writer.writerows((e.number, e.column, "invalid", reason_in(language, e.reason, e.values))
                                         for e in result)
            if valid:
                outcome = await handle(valid)
                for key, n in outcome.counts.items():
                    counts[key] += n
                self.writer.writerows((n.number, n.column, n.outcome, reason_in(language, n.reason, n.values))
                                     for n in _sorted(outcome.notes))
                written += 1
                if writing is not None and written in STATISTICS_REFRESH_AFTER:
                    await writing.refresh_statistics(("contact", "subscription", "consent_event"))
            if self.on_progress:
                self.on_progress(self.source.bytes_read, self.source.total_bytes)

    async def _write(self, session: BulkSession, rows: list[ValidRow]) -> BatchOutcome:
        """A batch in one transaction; if the database refuses it, each row alone, so that one bad row
        costs only itself. On SQLite each transaction takes this process's writer turn, so the recipients'
        writes queued meanwhile go first, between two batches, rather than poll for the lock."""
        try:
            async with process_writer_turn(), session.transaction():
                await session.serialise_writers("import")
                return await apply_batch(session, rows, self.context)
        except session.database_errors:
            pass
        outcome = BatchOutcome()
        for row in rows:
            try:
                async with process_writer_turn(), session.transaction():
                    await session.serialise_writers("import")
                    outcome.merge(await apply_batch(session, [row], self.context))
            except session.database_errors as error:
                outcome.refuse(row, N_("the database refused the row: %(error)s"), error=_first_line(error))
        return outcome


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _sorted(notes: list[Note]) -> list[Note]:
    return sorted(notes, key=lambda note: note.number)


def _batches(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) == size:
                yield batch
                batch = []
    except ValidationError:
        if batch:  # the rows read before the file failed are still imported
            yield batch
        raise
    if batch:
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
    # At a lower priority: a server's requests (or anything else on the machine) go before a validation.
    with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"),
                             initializer=os.nice, initargs=(VALIDATION_NICENESS,)) as pool:
        pending: list[asyncio.Future] = []
        try:
            for batch in batches:
                pending.append(_submit(loop, pool, batch, rules))
                if len(pending) > count * 2:
                    yield await pending.pop(0)
        except ValidationError:
            # Batches read before the file failed are written before the error is raised.
            while pending:
                yield await pending.pop(0)
            raise
        while pending:
            yield await pending.pop(0)


def _submit(loop: asyncio.AbstractEventLoop, pool: Executor, batch, rules: RowRules) -> asyncio.Future:
    return loop.run_in_executor(pool, validate_batch, batch, rules)
