from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from contacts import devmail
from contacts.domain import Permission
from contacts.services.staff.accounts import Staff
from contacts.settings import Settings
from contacts.web.api.auth import SECURITY, provide_staff, require_token


class DevMailController(Controller):
    """Mail caught in development. Registered only when the catcher runs. It holds every message sent,
    rights answers and export links included: an API token of an admin or DPO account is needed."""

    path = "/dev/mail"
    tags = ["development"]
    guards = [require_token]  # sets the caller that provide_staff gives, as on the API's router
    dependencies = {"staff": Provide(provide_staff)}
    security = SECURITY

    @get("/", summary="Messages caught by the development mail catcher, newest first")
    async def list_mail(self, staff: NamedDependency[Staff],
                        settings: NamedDependency[Settings]) -> list[devmail.CaughtMail]:
        staff.require(Permission.READ_CAUGHT_MAIL)
        return devmail.caught(settings.mail_catcher_dir)

    @get("/{mail_id:str}", summary="One caught message, as sent", media_type="message/rfc822")
    async def show_mail(self, staff: NamedDependency[Staff], mail_id: FromPath[str],
                        settings: NamedDependency[Settings]) -> Response[bytes]:
        staff.require(Permission.READ_CAUGHT_MAIL)
        content = devmail.raw_message(settings.mail_catcher_dir, mail_id)
        if content is None:
            raise NotFoundException(f"no caught mail {mail_id!r}")
        return Response(content, media_type="text/plain; charset=utf-8")
