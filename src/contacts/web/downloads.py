"""The one place that answers a CSV file for download, for the API, the staff pages and the recipients'."""

from __future__ import annotations

from litestar import Response

from contacts import csv_files

BOM = "\ufeff"


def csv_download(content: str | bytes, file_name: str, *, for_spreadsheets: bool = True) -> Response:
    """`content` as the attachment `file_name`, `text/csv; charset=utf-8` (Litestar adds the charset to every
    text/* type: naming it here too sent it twice). For people, a byte-order mark comes first: without it a
    French spreadsheet reads UTF-8 as Windows-1252 and breaks every accent. The JSON API's clients get none."""
    if for_spreadsheets:
        if isinstance(content, bytes) and not content.startswith(BOM.encode()):
            content = BOM.encode() + content
        elif isinstance(content, str) and not content.startswith(BOM):
            content = BOM + content
    return Response(content, media_type=csv_files.MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
