from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from contacts import devmail
from contacts.settings import Settings


class DevMailController(Controller):
    """Mail caught in development. Registered only when the catcher runs."""

    path = "/dev/mail"
    tags = ["development"]

    @get("/", summary="Messages caught by the development mail catcher, newest first")
    async def list_mail(self, settings: NamedDependency[Settings]) -> list[devmail.CaughtMail]:
        return devmail.caught(settings.mail_catcher_dir)

    @get("/{mail_id:str}", summary="One caught message, as sent", media_type="message/rfc822")
    async def show_mail(self, mail_id: FromPath[str], settings: NamedDependency[Settings]) -> Response[bytes]:
        content = devmail.raw_message(settings.mail_catcher_dir, mail_id)
        if content is None:
            raise NotFoundException(f"no caught mail {mail_id!r}")
        return Response(content, media_type="text/plain; charset=utf-8")
