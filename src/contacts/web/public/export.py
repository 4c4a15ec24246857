"""`/d/{token}`: a person's own data, through the expiring link their access or portability answer carried
(REQ-16/17). Reading only: the page lists the three formats; an expired, tampered or erased link gets the
same page, and its downloads the same "nothing to show"."""

from __future__ import annotations

import json

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from contacts.services import subject_export
from contacts.web.public.pages import page_language, render

EXPORT_WORDS = {
    "fr": {"title": "Vos données", "intro": "Tout ce que nous détenons sur vous, dans le format de votre choix. "
           "Ce lien expire sept jours après son envoi.", "json": "JSON (format documenté, pour un autre service)",
           "csv": "CSV (pour un tableur)", "html": "Résumé lisible", "nothing": "Ce lien n'ouvre aucune donnée : "
           "il a peut-être expiré. Vous pouvez refaire une demande à tout moment.",
           "contact": "Vos coordonnées", "subscriptions": "Vos abonnements", "consent_events": "Historique de vos choix",
           "send_history": "Messages envoyés", "suppression": "Liste d'opposition", "processing": "Traitements",
           "source": "Origine de vos données", "your_rights": "Vos droits"},
    "en": {"title": "Your data", "intro": "Everything we hold about you, in the format you choose. This link "
           "expires seven days after it was sent.", "json": "JSON (documented format, for another service)",
           "csv": "CSV (for a spreadsheet)", "html": "Readable summary", "nothing": "This link opens no data: it may "
           "have expired. You may ask again at any time.",
           "contact": "Your details", "subscriptions": "Your subscriptions", "consent_events": "History of your choices",
           "send_history": "Messages sent", "suppression": "Do-not-contact list", "processing": "Processing",
           "source": "Where your data came from", "your_rights": "Your rights"},
}


class ExportController(Controller):
    path = "/d"
    tags = ["recipients"]

    @get("/{token:str}", summary="The formats of a person's export; changes nothing")
    async def formats(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        return render(request, "export.html", language, words=EXPORT_WORDS[language], token=token, export=None)

    @get("/{token:str}/{file_name:str}", summary="A person's export as JSON, CSV or HTML")
    async def download(self, token: FromPath[str], file_name: FromPath[str], request: Request) -> Response:
        file_format = {"export.json": "json", "export.csv": "csv", "export.html": "html"}.get(file_name)
        export = await subject_export.download(token, file_format) if file_format else None
        if export is None:
            language = page_language(request)
            return render(request, "export.html", language, status_code=404, words=EXPORT_WORDS[language],
                          token=None, export=None)
        headers = {"Cache-Control": "no-store"}
        if file_format == "json":
            return Response(json.dumps(export, ensure_ascii=False, indent=2), media_type="application/json",
                            headers={**headers, "Content-Disposition": 'attachment; filename="my-data.json"'})
        if file_format == "csv":
            return Response(subject_export.as_csv(export), media_type="text/csv; charset=utf-8",
                            headers={**headers, "Content-Disposition": 'attachment; filename="my-data.csv"'})
        language = export["contact"].get("language") or page_language(request)
        page = render(request, "export.html", language, words=EXPORT_WORDS[language], token=None, export=export)
        page.headers.update(headers)
        return page
