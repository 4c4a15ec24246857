"""The one place that answers a CSV file for download, for the API, the staff pages and the recipients'."""

from __future__ import annotations

from litestar import Response

from contacts import csv_files


def csv_download(content: str | bytes, file_name: str) -> Response:
    """`content` as the attachment `file_name`, `text/csv; charset=utf-8` (Litestar adds the charset to every
    text/* type: naming it here too sent it twice)."""
    return Response(content, media_type=csv_files.MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
