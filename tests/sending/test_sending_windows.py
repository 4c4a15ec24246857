"""Sending windows (REQ-54), with a clock the test moves: a campaign started at 19:58 on a Friday pauses at
20:00 and resumes at 08:00 on the next working day, every recipient getting exactly one message."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import datetime, timedelta

import pytest

from contacts.errors import PermissionDeniedError, ValidationError
from contacts.mail.transport import DELIVERED
from contacts.sending.clock import Clock
from contacts.sending.worker import (
    SendOptions,
    drain_running,
    send_campaign,
    start_campaign,
)
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns import sending_window
from contacts.services.staff.accounts import create_user
from contacts.services.windows import PARIS, window_from
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Delivery
from tests.sending.test_campaign_send import import_list, new_campaign

pytestmark = pytest.mark.usefixtures("database_url")
FRIDAY_EVENING = datetime(2026, 12, 4, 19, 58, tzinfo=PARIS)
BEFORE_EASTER_MONDAY = datetime(2027, 3, 26, 19, 58, tzinfo=PARIS)  # Easter Monday: 29 March 2027


class MovableClock(Clock):
    """Jumps to the moment a sender waits for, at once."""

    def __init__(self, start: datetime) -> None:
        self.at = start
        self.waits: list[datetime] = []

    def now(self) -> datetime:
        return self.at

    async def sleep_until(self, moment: datetime, at_most: float) -> None:
        self.waits.append(moment)
        self.at = max(self.at, moment)
        await asyncio.sleep(0)


class TimedTransport:
    """Accepts everything, noting each message's time on the test's clock; each takes 20 seconds."""

    def __init__(self, clock: MovableClock) -> None:
        self.clock = clock
        self.sent: list[tuple[str, datetime]] = []

    async def send(self, sender, recipient, message, *, smtputf8=False):
        self.sent.append((recipient, self.clock.now()))
        self.clock.at += timedelta(seconds=20)
        return DELIVERED

    async def close(self) -> None:
        pass


@pytest.fixture
def windows_on(monkeypatch):
    """The instance keeps sending windows, as in production."""
    monkeypatch.setenv("CONTACTS_SENDING_WINDOWS", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("CONTACTS_SENDING_WINDOWS")
    get_settings.cache_clear()


def test_req54_the_default_window_skips_nights_weekends_and_french_public_holidays():
    window = window_from("mon-fri", "08:00", "20:00")
    assert window.is_open(FRIDAY_EVENING) and not window.is_open(FRIDAY_EVENING + timedelta(minutes=2))
    assert window.closing(FRIDAY_EVENING) == datetime(2026, 12, 4, 20, 0, tzinfo=PARIS)
    assert window.next_opening(FRIDAY_EVENING + timedelta(hours=1)) == datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)
    assert window.next_opening(BEFORE_EASTER_MONDAY + timedelta(hours=1)) == datetime(2027, 3, 30, 8, 0, tzinfo=PARIS)
    assert window.next_opening(datetime(2026, 7, 13, 21, 0, tzinfo=PARIS)) == datetime(2026, 7, 15, 8, 0, tzinfo=PARIS)
    assert window_from("mon-fri", "08:00", "20:00", skips_holidays=False).sends_on(datetime(2026, 7, 14).date())
    assert (window.days_text, window.hours_text) == ("mon-fri", "08:00-20:00")
    for days, opens, closes, field in (("", "08:00", "20:00", "days"), ("lun", "08:00", "20:00", "days"),
                                       ("fri-mon", "08:00", "20:00", "days"), ("mon", "8h", "20:00", "opens"),
                                       ("mon", "20:00", "08:00", "closes"), ("mon", "08:00", "24:30", "closes")):
        with pytest.raises(ValidationError) as refused:
            window_from(days, opens, closes)
        assert refused.value.field == field


async def test_req54_the_seeded_marketing_purposes_send_on_weekdays_from_8_to_20():
    from contacts.services import catalogue

    windows = {purpose.code: purpose.window for purpose in await catalogue.purposes()}
    assert windows["press-information"] is None
    for code in ("pr-invitations", "communications-newsletter", "mediation-newsletter", "partnership-offers",
                 "public-newsletter"):
        assert windows[code] == window_from("mon-fri", "08:00", "20:00", skips_holidays=True), code


@pytest.mark.parametrize("start, resumed", [
    (FRIDAY_EVENING, datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)),
    (BEFORE_EASTER_MONDAY, datetime(2027, 3, 30, 8, 0, tzinfo=PARIS)),
])
async def test_req54_a_campaign_pauses_at_the_end_of_its_window_and_resumes_at_the_next_opening(
        tmp_path, start, resumed):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(12)])
    campaign = await new_campaign("journalists")
    clock = MovableClock(start)
    transport = TimedTransport(clock)
    settings = dataclasses.replace(get_settings(), sending_windows=True)
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1, clock=clock), transport=transport,
                                  settings=settings)
    assert summary.outcome == "finished" and summary.sent == 12
    # Every recipient exactly once: 6 by 20:00 (one every 20 s from 19:58), the rest from the next opening.
    assert Counter(recipient for recipient, _ in transport.sent) == {f"j{i}@presse.example": 1 for i in range(12)}
    closing = start.replace(hour=20, minute=0)
    before = [moment for _, moment in transport.sent if moment < closing]
    after = [moment for _, moment in transport.sent if moment >= closing]
    assert len(before) == 6 and len(after) == 6 and min(after) == resumed
    assert clock.waits[0] == resumed  # it waited for the opening, not a second more
    assert await Delivery.count().where(Delivery.campaign == campaign.id, Delivery.status == "sent") == 12


async def test_req54_a_worker_leaves_a_campaign_outside_its_window_until_it_opens(tmp_path, windows_on):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(5)])
    campaign = await new_campaign("journalists")
    await start_campaign(campaign.id)
    saturday = MovableClock(datetime(2026, 12, 5, 21, 0, tzinfo=PARIS))  # the newcomer's hour, in production
    transport = TimedTransport(saturday)
    options = SendOptions(concurrency=2, wait_for_retries=False, clock=saturday)
    assert await drain_running(options) == 0 and transport.sent == []
    # Started by a sender that did not know yet: it claims nothing, waits for nothing, and gives nothing away.
    summary = await send_campaign(campaign.id, options, transport=transport)
    assert summary.sent == 0 and summary.outcome.startswith("waiting for its sending window: resumes 2026-12-07 08:00")
    assert await Delivery.count().where(Delivery.campaign == campaign.id, Delivery.status == "queued") == 5
    assert sending_window.resumes_at(await campaigns.get(campaign.id), saturday.now()) == datetime(
        2026, 12, 7, 8, 0, tzinfo=PARIS)
    monday = MovableClock(datetime(2026, 12, 7, 8, 0, 30, tzinfo=PARIS))
    summary = await send_campaign(campaign.id, dataclasses.replace(options, clock=monday),
                                  transport=TimedTransport(monday))
    assert summary.sent == 5 and summary.outcome == "finished"


async def test_req54_an_admin_sends_one_campaign_outside_its_window_and_it_is_audited(tmp_path, windows_on):
    await import_list(tmp_path, "journalists", ["j0@presse.example,J,D,fr", "j1@presse.example,J,D,fr"])
    campaign = await new_campaign("journalists")
    sender = await create_user("camille", "communications", "a long enough password")
    admin = await create_user("alex", "admin", "a long enough password")
    with pytest.raises(PermissionDeniedError):
        await sending_window.send_outside_window(sender, campaign.id)
    assert not (await campaigns.get(campaign.id)).outside_window
    await sending_window.send_outside_window(admin, campaign.id)
    saturday = MovableClock(datetime(2026, 12, 5, 21, 0, tzinfo=PARIS))
    transport = TimedTransport(saturday)
    summary = await send_campaign(campaign.id, SendOptions(clock=saturday), transport=transport)
    assert summary.sent == 2 and summary.outcome == "finished"
    event = await AuditEvent.select().where(AuditEvent.action == "campaign.outside_window").first()
    assert event["actor"] == "staff:alex" and str(event["object_id"]) == str(campaign.id)


async def test_req54_windows_off_in_development_send_at_once(tmp_path):
    """A newcomer's first send at 21:00 on a Saturday goes out at once: CONTACTS_SENDING_WINDOWS is off
    unless CONTACTS_ENV is production."""
    assert get_settings().sending_windows is False
    await import_list(tmp_path, "journalists", ["j0@presse.example,J,D,fr"])
    campaign = await new_campaign("journalists")
    saturday = MovableClock(datetime(2026, 12, 5, 21, 0, tzinfo=PARIS))
    summary = await send_campaign(campaign.id, SendOptions(clock=saturday), transport=TimedTransport(saturday))
    assert summary.sent == 1
