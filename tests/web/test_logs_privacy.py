"""No address and no token in a log line: a campaign (with a refused recipient) and a burst of the recipients'
pages (one-click unsubscribe, preference centre, RSVP with a refused confirmation, a bad token, a page that
fails), with every record rendered by the product's handler, as text at the debug level and as JSON at the
info level (contacts.logs)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from contacts.logs import event_handler
from contacts.sending.worker import SendOptions, send_campaign
from contacts.settings import get_settings
from contacts.web.public import preferences as preference_pages
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import new_campaign, received
from tests.web.test_events import event_with_guests, rsvp

pytestmark = pytest.mark.usefixtures("database_url")
GUESTS = 8
ADDRESSES = [f"guest{n}@presse.example" for n in range(GUESTS)]
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


class Unmasked(logging.Handler):
    """What the call sites and the libraries wrote, before the product's handler masks it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.text: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.text.append(record.getMessage())
        if record.exc_info:
            self.text.append(logging.Formatter().formatException(record.exc_info))


@dataclasses.dataclass
class Captured:
    unmasked: Unmasked
    text: io.StringIO  # every level
    json: io.StringIO  # the default level


@contextlib.contextmanager
def captured_logs() -> Iterator[Captured]:
    captured = Captured(Unmasked(), io.StringIO(), io.StringIO())
    # The unmasked copy first: the product's handler masks the record itself, for every handler after it.
    handlers = [captured.unmasked, event_handler("text", "debug", captured.text),
                event_handler("json", "info", captured.json)]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield captured
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level)


def tokens_in(mail) -> set[str]:
    found = set()
    for message in mail.values():
        text = message.get_body(("plain",)).get_content() + str(message["List-Unsubscribe"])
        found.update(re.findall(r"/(?:u|o|p|v|l)/([A-Za-z0-9_-]{20,})", text))
        found.update(re.findall(r"mailto:unsubscribe\+([a-z0-9]+)@", text))
    return found


async def test_req32_req48_no_address_nor_token_in_a_log_line_of_a_campaign_or_of_the_recipients_pages(
        http_client, tmp_path, mailbox, monkeypatch):
    _, _, list_id = await event_with_guests(tmp_path, GUESTS)
    campaign = await new_campaign("journalists")
    answers = {n: await rsvp(list_id, n) for n in (2, 3)}

    with captured_logs() as logs:
        with TestSmtpServer() as relay:
            relay.handler.refuse_rcpt_with["guest1@presse.example"] = (
                "550 5.1.1 <guest1@presse.example>: Recipient address rejected")
            summary = await send_campaign(campaign.id, SendOptions(concurrency=2),
                                          settings=dataclasses.replace(get_settings(), smtp_url=relay.url))
        mail = received(relay)
        tokens = tokens_in(mail) | set(answers.values())
        unsubscribe, preferences = (re.search(rf"{base}/([A-Za-z0-9_-]+)", str(mail["guest4@presse.example"]))[1]
                                    for base in ("/u", "/p"))
        mailbox.server.handler.refuse_rcpt_with["guest2@presse.example"] = (
            "550 5.2.2 <guest2@presse.example>: mailbox full")

        async def failing(request, token, notes):
            raise RuntimeError(f"no preferences for guest5@presse.example behind /p/{token}")

        async with http_client() as client:
            assert (await client.post(f"/u/{unsubscribe}", data=ONE_CLICK)).status_code == 200
            assert (await client.get(f"/p/{preferences}")).status_code == 200
            assert (await client.get(f"/r/{answers[3]}")).status_code == 200
            assert (await client.post(f"/r/{answers[2]}", data={"answer": "accept"})).status_code == 200
            assert (await client.get("/v/AQEAAAB3q9Zk1m0xThV2RbN8cYpLq4WfE0uJi")).status_code == 404  # a bad token
            monkeypatch.setattr(preference_pages, "_page", failing)
            assert (await client.get(f"/p/{preferences}")).status_code == 500

    assert (summary.sent, summary.failed) == (GUESTS - 1, 1)
    assert len(tokens) >= 2 * (GUESTS - 1)  # each message's links, and the RSVP links
    unmasked, text, lines = "\n".join(logs.unmasked.text), logs.text.getvalue(), logs.json.getvalue().splitlines()
    # What was to be masked reached the logging calls: the SMTP dialogue, the refusals, the failing page.
    assert "guest0@presse.example" in unmasked and "guest2@presse.example" in unmasked and preferences in unmasked
    for written in (text, "\n".join(lines)):
        assert "@presse.example" not in written
        assert not [token for token in tokens if token in written]
    # The refused confirmation and the failing page are said, with its traceback, once each.
    assert "mailbox full" in text and "a recipient's page failed: GET /p/…" in text and "RuntimeError" in text
    # At the default level, aiosmtpd's chatter is not shown; at the debug level it is, as DEBUG.
    assert " DEBUG mail.log " in text
    events = [json.loads(line) for line in lines]
    assert events and all(list(event)[:4] == ["time", "level", "logger", "message"] for event in events)
    assert not [event for event in events if event["logger"].startswith(("mail.log", "aiosqlite", "asyncio"))]
    assert [event["exception"].startswith("Traceback") for event in events if "exception" in event] == [True]
    # The campaign wrote what it did in one line, not a line per message.
    sending = [event for event in events if event["logger"] == "contacts.sending"]
    assert [(event["sent"], event["failed"]) for event in sending] == [(GUESTS - 1, 1)]
