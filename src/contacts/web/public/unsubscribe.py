"""`/u/{token}`: GET shows a confirmation page and changes nothing (REQ-30); POST unsubscribes at once.

The mail client's one-click POST (RFC 8058, body `List-Unsubscribe=One-Click`, form-urlencoded or
multipart) needs no cookie, login or CSRF token, answers 200 without a redirect, and may be repeated
(REQ-29). An unknown or tampered token gets the same answers as a valid one.
"""

from __future__ import annotations

from html import escape

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from contacts.domain import Channel
from contacts.services import optout

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:Georgia,serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}}
button{{font:inherit;padding:.6rem 1.2rem;background:#1a3d7c;color:#fff;border:0;cursor:pointer}}
button:focus{{outline:3px solid #e8a200;outline-offset:2px}}</style></head>
<body><main>{body}</main></body></html>"""


def _page(title: str, body: str) -> Response[str]:
    return Response(PAGE.format(title=escape(title), body=body), media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


class UnsubscribeController(Controller):
    path = "/u"
    tags = ["recipients"]

    @get("/{token:str}", summary="Confirmation page for an unsubscribe link; changes nothing")
    async def confirm_page(self, token: FromPath[str]) -> Response[str]:
        names = await optout.list_names_for(token)
        which = f" « {escape(names[0])} »" if names else ""
        which_en = f" “{escape(names[1])}”" if names else ""
        return _page(
            "Se désinscrire / Unsubscribe",
            f"<h1>Se désinscrire</h1><p>Ne plus recevoir les messages de la liste{which} ?</p>"
            f'<form method="post"><input type="hidden" name="confirm" value="1">'
            f'<button type="submit">Confirmer la désinscription</button></form>'
            f'<h2 lang="en">Unsubscribe</h2><p lang="en">Stop receiving the messages of the list{which_en}?</p>'
            f'<form method="post" lang="en"><input type="hidden" name="confirm" value="1">'
            f'<button type="submit">Confirm unsubscription</button></form>',
        )

    @post("/{token:str}", summary="Unsubscribe at once (RFC 8058 one-click, or the page's button)", status_code=200,
          exclude_from_csrf=True)
    async def unsubscribe(self, token: FromPath[str], request: Request) -> Response[str]:
        # The token decides; the body only tells which channel it came through. It is not parsed as a form,
        # so a mail client's malformed body (a multipart without boundary, say) cannot stop an opt-out.
        body = await request.body()
        one_click = b"One-Click" in body  # List-Unsubscribe=One-Click, urlencoded or as a multipart field
        await optout.unsubscribe(token, Channel.ONE_CLICK if one_click else Channel.UNSUBSCRIBE_PAGE)
        return _page(
            "Désinscription / Unsubscribed",
            "<h1>C'est fait</h1><p>Vous ne recevrez plus ces messages.</p>"
            '<p lang="en">Done: you will not receive these messages any more.</p>',
        )
