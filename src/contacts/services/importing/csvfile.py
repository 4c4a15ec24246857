"""Reading a contacts CSV: UTF-8 with or without BOM, comma or semicolon, headers in French or English."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from contacts.csv_files import plain_cell
from contacts.errors import ValidationError
from contacts.i18n import N_

# Our field names, and the headers that mean them once lowercased, unaccented and underscored.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e_mail", "mail", "courriel", "adresse_email", "adresse_e_mail", "email_address"),
    "title": ("title", "civilite", "titre"),
    "first_name": ("first_name", "firstname", "given_name", "prenom"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "nom", "nom_de_famille"),
    "organisation": ("organisation", "organization", "company", "societe", "structure", "entreprise", "media"),
    "position": ("position", "job_title", "fonction", "poste"),
    "department": ("department", "service", "departement"),
    "phone": ("phone", "telephone", "tel", "phone_number", "mobile", "portable"),
    "postal_address": ("postal_address", "address", "adresse", "adresse_postale"),
    "language": ("language", "langue", "lang"),
    "address_kind": ("address_kind", "type_adresse", "type_d_adresse"),
    "collected_at": ("collected_at", "date_collecte", "date_de_collecte"),
    "notice_version": ("notice_version", "version_notice", "version_mention"),
    "consent_at": ("consent_at", "date_consentement", "consented_at"),
    "consent_channel": ("consent_channel", "canal_consentement", "consent_form", "formulaire"),
    "confirmed_at": ("confirmed_at", "double_opt_in_at", "date_confirmation"),
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
CONSENT_PROOF_FIELDS = ("consent_at", "consent_channel", "notice_version")
SNIFF_BYTES = 64 * 1024


def header_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join("".join(ch if ch.isalnum() else " " for ch in ascii_only).split())


@dataclass
class CsvSource:
    """An open CSV file whose header has been mapped to our field names."""

    binary: BinaryIO
    reader: Iterator[list[str]]
    columns: list[str | None]  # our field name per position; None for a column we ignore
    ignored_headers: list[str]
    total_bytes: int
    header_row: int = 1

    @property
    def fields(self) -> set[str]:
        return {c for c in self.columns if c}

    @property
    def bytes_read(self) -> int:
        return self.binary.tell()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(spreadsheet row number, cells); the header is row 1. Blank lines are skipped.
        Cells are mapped to fields by `values_by_field`, in the worker that validates them."""
        number = self.header_row
        try:
            for number, cells in enumerate(self.reader, start=self.header_row + 1):
                if not any(cell.strip() for cell in cells):
                    continue
                yield number, cells
        except csv.Error as error:
            raise ValidationError("FILE", N_("unreadable CSV after row %(number)s: %(error)s"),
                    number=number, error=error) from None

    def close(self) -> None:
        self.binary.close()


def values_by_field(columns: tuple[str | None, ...], cells: list[str]) -> dict[str, str]:
    """Each field's cell, as the product wrote it when the file is one of its own exports (csv_files)."""
    values = {field: plain_cell(cells[i]) if i < len(cells) else "" for i, field in enumerate(columns) if field}
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        values["__extra__"] = "1"
    return values


def open_csv(path: Path) -> CsvSource:
    """Open and map the header. Raises ValidationError for an empty file, no email column or a duplicate."""
    try:
        binary = open(path, "rb")  # noqa: SIM115 - closed by CsvSource.close()
    except OSError as error:
        raise ValidationError("FILE", N_("cannot open %(path)s: %(strerror)s"),
                path=path, strerror=error.strerror) from None
    try:
        total = path.stat().st_size
        sample = binary.read(SNIFF_BYTES)
        binary.seek(0)
        try:
            # Incremental, so a character cut at the end of the sample is not mistaken for bad bytes.
            codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=len(sample) < SNIFF_BYTES)
        except UnicodeDecodeError as error:
            raise ValidationError("FILE", N_("is not UTF-8 (byte %(start)s); save it as CSV UTF-8"),
                    start=error.start) from None
        # Bytes that are not UTF-8 further on are kept as surrogates and reported on their own row.
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text, delimiter=_delimiter(sample))
        header, header_row = None, 0
        for header_row, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                header = cells
                break
        if header is None:
            raise ValidationError("FILE", N_("is empty: expected a header row with an email column"))
        columns: list[str | None] = []
        ignored: list[str] = []
        for name in header:
            field = _ALIAS_TO_FIELD.get(header_key(name))
            if field and field in columns:
                raise ValidationError(name.strip(), N_("a second column for %(column)s; keep one"), column=field)
            if field is None and name.strip():
                ignored.append(name.strip())
            columns.append(field)
        if "email" not in columns:
            raise ValidationError("email", N_("the file has no email column (accepted headers: email, e-mail, "
                                           "courriel, mail)"))
        return CsvSource(binary=binary, reader=reader, columns=columns, ignored_headers=ignored, total_bytes=total,
                         header_row=header_row)
    except BaseException:
        binary.close()
        raise


def _delimiter(sample: bytes) -> str:
    """Comma or semicolon, whichever the header line uses more (French spreadsheets write semicolons)."""
    lines = [line for line in sample.decode("utf-8-sig", errors="replace").splitlines() if line.strip()]
    header = lines[0] if lines else ""
    return ";" if header.count(";") > header.count(",") else ","
