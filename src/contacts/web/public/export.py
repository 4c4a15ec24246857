"""`/d/{token}`: a person's own data, through the expiring link their access or portability answer carried
(REQ-16/17). Reading only, as mail scanners open every link: the page offers the three formats, and each
download is a GET that changes nothing but the audit log. An expired, tampered or unknown link gets the
page a valid link gets when it has nothing to show (its contact erased), and its downloads the same 404."""

from __future__ import annotations

from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from contacts.services.rights import export as subject_export
from contacts.web.downloads import csv_download
from contacts.web.public.pages import LANGUAGES, page, page_language, render

FILES = {"export.json": "json", "export.csv": "csv", "export.html": "html"}
FILE_NAMES = {"fr": "mes-donnees", "en": "my-data"}


class ExportController(Controller):
    path = "/d"
    tags = ["recipients"]

    @page("/{token:str}", summary="The formats of a person's export; changes nothing")
    async def formats(self, token: FromPath[str], request: Request) -> Template:
        opened = await subject_export.open_link(token)
        return render(request, "export.html", page_language(request), token=token if opened else None)

    @get("/{token:str}/{file_name:str}", summary="A person's export as JSON, CSV or an HTML summary")
    async def download(self, token: FromPath[str], file_name: FromPath[str], request: Request) -> Response:
        chosen = request.query_params.get("lang")
        export = None
        if file_name in FILES:
            export = await subject_export.download(token, FILES[file_name],
                                                   language=chosen if chosen in LANGUAGES else None)
        if export is None:
            return render(request, "export.html", page_language(request), status_code=404, token=None)
        base = FILE_NAMES[export["language"]]
        if file_name == "export.json":
            return Response(subject_export.as_json(export), media_type="application/json; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{base}.json"'})
        if file_name == "export.csv":
            return csv_download(subject_export.as_csv_bytes(export), f"{base}.csv")
        return Response(subject_export.as_html(export), media_type=MediaType.HTML)
