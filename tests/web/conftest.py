"""Fixtures for the recipients' pages: contacts on lists, their links, and a real SMTP server for the mail
the pages cause (double-opt-in confirmations, rights acknowledgements)."""

from __future__ import annotations

import dataclasses
import re
from email import message_from_bytes, policy

import pytest

from contacts.domain import SourceType
from contacts.mail import notices
from contacts.services.importing import ImportOptions, run_import
from contacts.settings import get_settings
from contacts.tables import Contact, Subscription
from contacts.tokens import LinkToken, TokenAction, TokenCodec
from tests.sending.smtp_server import TestSmtpServer


class Mailbox:
    def __init__(self, server: TestSmtpServer) -> None:
        self.server = server

    def messages_to(self, address: str) -> list:
        return [message_from_bytes(envelope.content, policy=policy.default)
                for envelope in self.server.handler.received if address in envelope.rcpt_tos]

    def link(self, address: str, path: str) -> str:
        """The path of the last `path` link mailed to this address, e.g. `/confirm/…`."""
        text = self.messages_to(address)[-1].get_body(("plain",)).get_content()
        return re.findall(rf"https?://[^/\s]+({re.escape(path)}[A-Za-z0-9_-]+)", text)[-1]


@pytest.fixture
def mailbox(monkeypatch):
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(notices, "get_settings", lambda: settings)
        yield Mailbox(server)


async def import_to(tmp_path, list_slug: str, *addresses: str, extra: str = "") -> None:
    path = tmp_path / f"{list_slug}.csv"
    path.write_text("email" + extra + "\n" + "\n".join(addresses) + "\n")
    await run_import(ImportOptions(path=path, list_slug=list_slug, source_type=SourceType.GIVEN, source_name="t",
                                   actor="test", workers=0))


async def contact_id(address: str) -> int:
    return (await Contact.select(Contact.id).where(Contact.email_canonical == address).first())["id"]


def seal(action: TokenAction, contact: int, scope: int = 0, campaign: int = 7) -> str:
    return TokenCodec(get_settings().secret_keys).seal(LinkToken(action, contact, scope, campaign))


async def statuses(contact: int) -> dict[str, str]:
    """Each list's slug and the contact's subscription status on it."""
    rows = await Subscription.select(Subscription.mailing_list.slug.as_alias("slug"), Subscription.status).where(
        Subscription.contact == contact)
    return {row["slug"]: row["status"] for row in rows}


def same_page(first: str, second: str) -> bool:
    """Pages link to themselves (the language switch, the forms): compare them with their own URL set aside."""
    own_url = re.compile(r'/(u|o|p|d|v|confirm|subscribe|rights/verify)/[^"?]*')
    return own_url.sub("/URL", first) == own_url.sub("/URL", second)
