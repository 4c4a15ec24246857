"""The retention engine (REQ-9, REQ-10, REQ-13), with a controllable clock: each boundary one day either side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contacts.domain import (
    AddressKind,
    Channel,
    ContactStatus,
    LegalBasis,
    RetentionRule,
    RightsRequestType,
    SourceType,
    SubscriptionStatus,
)
from contacts.machinery_tables import JobRun
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.optout import writer as optout_writer
from contacts.services.people import people_operations, suppression
from contacts.services.retention import daily, engine
from contacts.services.retention.rules import (
    Action,
    ContactFacts,
    SubscriptionFacts,
    verdict,
)
from contacts.services.rights import requests as rights
from contacts.services.rights import restriction
from contacts.services.staff import accounts as staff
from contacts.tables import (
    AuditEvent,
    Contact,
    MailingList,
    PendingConsent,
    StaffSession,
    Subscription,
)
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, new_campaign, settings_for

pytestmark = pytest.mark.usefixtures("database_url")

DAY = timedelta(days=1)
GRACE = timedelta(days=30)
T0 = datetime(2027, 1, 31, 10, tzinfo=UTC)
THREE_YEARS, FIVE_YEARS = 3 * 365, 5 * 365


def contact(last_initiated: datetime | None = None, collected: datetime = T0) -> ContactFacts:
    return ContactFacts(1, ContactStatus.ACTIVE, collected, last_initiated)


def subscription(rule: RetentionRule, status=SubscriptionStatus.SUBSCRIBED, *, days=None, started=T0, ended=None):
    return SubscriptionFacts("purpose", rule, days, status, started, ended)


# REQ-9: a prospect's data goes 3 years after the last contact the person initiated, to the day.
def test_req9_prospect_period_counts_from_the_last_contact_the_person_initiated():
    prospect = subscription(RetentionRule.PROSPECT_3_YEARS, days=THREE_YEARS)
    ends = T0 + timedelta(days=THREE_YEARS)
    assert verdict(contact(), [prospect], ends - DAY, GRACE) is None
    found = verdict(contact(), [prospect], ends + DAY, GRACE)
    assert (found.action, found.rule, found.ends) == (Action.ANONYMISE, "prospect_3_years", ends)
    later = T0 + timedelta(days=400)  # a form they sent, a year on, restarts the clock
    assert verdict(contact(last_initiated=later), [prospect], ends + DAY, GRACE) is None
    assert verdict(contact(last_initiated=later), [prospect], later + timedelta(days=THREE_YEARS) + DAY, GRACE)


# REQ-9: invitation and communication data lasts until the person objects (then the grace period), never less.
def test_req9_until_objection_lasts_while_subscribed_and_ends_after_the_opt_out():
    live = subscription(RetentionRule.UNTIL_OBJECTION)
    assert verdict(contact(), [live], T0 + timedelta(days=20 * 365), GRACE) is None
    for status in (SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.OBJECTED):
        ended = subscription(RetentionRule.UNTIL_OBJECTION, status, ended=T0)
        assert verdict(contact(), [ended], T0 + GRACE - DAY, GRACE) is None
        assert verdict(contact(), [ended], T0 + GRACE + DAY, GRACE).action == Action.ANONYMISE
    # One live purpose keeps the contact whatever the others say.
    ended = subscription(RetentionRule.UNTIL_OBJECTION, SubscriptionStatus.OBJECTED, ended=T0)
    assert verdict(contact(), [ended, live], T0 + timedelta(days=3650), GRACE) is None


# REQ-9/10: a relationship's data is archived when it ends, for its legal period, then anonymised.
def test_req9_relationship_is_archived_for_its_legal_period_then_anonymised():
    ended = subscription(RetentionRule.RELATIONSHIP_PLUS_LEGAL, SubscriptionStatus.UNSUBSCRIBED, days=FIVE_YEARS,
                         ended=T0)
    assert verdict(contact(), [subscription(RetentionRule.RELATIONSHIP_PLUS_LEGAL, days=FIVE_YEARS)],
                   T0 + timedelta(days=3650), GRACE) is None
    assert verdict(contact(), [ended], T0 + DAY, GRACE).action == Action.ARCHIVE
    ends = T0 + timedelta(days=FIVE_YEARS)
    assert verdict(contact(), [ended], ends - DAY, GRACE).action == Action.ARCHIVE
    found = verdict(contact(), [ended], ends + DAY, GRACE)
    assert (found.action, found.ends) == (Action.ANONYMISE, ends)


# REQ-9: a contact no purpose keeps goes once the grace period after collection has passed.
def test_req9_a_contact_without_any_subscription_goes_after_the_grace_period():
    assert verdict(contact(), [], T0 + GRACE - DAY, GRACE) is None
    found = verdict(contact(), [], T0 + GRACE + DAY, GRACE)
    assert (found.action, found.rule) == (Action.ANONYMISE, "no_purpose")


async def add_prospect(email: str, initiated: datetime) -> int:
    """A member of the public who confirmed the public newsletter."""
    created = await Contact.insert(Contact(
        email=email, email_canonical=email, first_name="Pia", last_name="Prospect", address_kind=AddressKind.PRIVATE,
        source_type=SourceType.GIVEN, source_name="signup form", collected_at=initiated,
        last_initiated_contact_at=initiated)).returning(Contact.id)
    listed = await MailingList.select(MailingList.id).where(MailingList.slug == "public-newsletter").first()
    await Subscription.insert(Subscription(contact=created[0]["id"], mailing_list=listed["id"],
                                           legal_basis=LegalBasis.CONSENT, status=SubscriptionStatus.SUBSCRIBED,
                                           started_at=initiated, evidence={"consent": "test"}))
    return created[0]["id"]


async def contact_id(email: str) -> int:
    return (await Contact.select(Contact.id).where(Contact.email == email).first())["id"]


async def end_subscriptions(contact: int, slug: str, when: datetime) -> None:
    listed = await MailingList.select(MailingList.id).where(MailingList.slug == slug).first()
    await optout_writer.unsubscribe([
        optout_writer.Unsubscribe(contact, listed["id"], Channel.UNSUBSCRIBE_PAGE, "test")])
    await Subscription.update({Subscription.ended_at: when}).where(Subscription.contact == contact)


# REQ-9, REQ-10, REQ-20: one run over every kind of contact; the dry run first changes nothing.
async def test_req9_run_anonymises_archives_and_holds_by_the_rules(tmp_path):
    now = datetime(2031, 6, 1, 9, tzinfo=UTC)
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Arnaud,fr", "ben@presse.example,Ben,Bloch,fr",
                                                "rita@presse.example,Rita,Roux,fr"])
    await import_list(tmp_path, "press-releases", ["carl@presse.example,Carl,Cohen,fr"])
    ana, ben, rita, carl = [await contact_id(f"{name}@presse.example") for name in ("ana", "ben", "rita", "carl")]
    await end_subscriptions(ana, "journalists", now - GRACE - DAY)  # opted out, grace over: anonymised
    await end_subscriptions(ben, "journalists", now - GRACE + DAY)  # grace still running: kept
    await end_subscriptions(carl, "press-releases", now - timedelta(days=10))  # relationship over: archived
    await end_subscriptions(rita, "journalists", now - timedelta(days=400))  # due, but restricted: held
    await restriction.restrict(rita, reason="asked_for", actor="test")
    old = await add_prospect("pia@example.org", now - timedelta(days=THREE_YEARS) - DAY)
    young = await add_prospect("quentin@example.org", now - timedelta(days=THREE_YEARS) + DAY)

    planned = await engine.run(dry_run=True, now=now)
    assert {(item.contact_id, item.action) for item in planned.due} == {
        (ana, Action.ANONYMISE), (old, Action.ANONYMISE), (carl, Action.ARCHIVE)}
    assert [held.verdict.contact_id for held in planned.held] == [rita]
    assert await Contact.count().where(Contact.status == ContactStatus.ACTIVE) == 5  # the dry run changed nothing

    report = await engine.run(now=now)
    assert report.done["anonymised"] == 2 and report.done["archived"] == 1
    statuses = {row["id"]: row for row in await Contact.select(Contact.id, Contact.status, Contact.email,
                                                               Contact.last_name)}
    assert {key: statuses[key]["status"] for key in (ana, old, carl, ben, young, rita)} == {
        ana: "erased", old: "erased", carl: "archived", ben: "active", young: "active", rita: "restricted"}
    assert statuses[ana]["email"] is None and statuses[ana]["last_name"] is None
    # Ana's own opt-out stays, and retention adds no ban on every list (REQ-9, REQ-44).
    assert [(entry.scope, entry.reason) for entry in await suppression.entries_for("ana@presse.example")] == [
        ("list:journalists", "unsubscribe")]
    assert await suppression.entries_for("pia@example.org") == []
    assert await AuditEvent.count().where(AuditEvent.action == "retention.run", AuditEvent.actor == engine.ACTOR) == 1
    # Repeating the run finds nothing more to do.
    again = await engine.run(now=now)
    assert again.due == [] and [held.verdict.contact_id for held in again.held] == [rita]
    # Once the archive's legal period has passed, Carl goes too.
    later = await engine.run(now=now + timedelta(days=FIVE_YEARS))
    assert carl in {item.contact_id for item in later.due if item.action == Action.ANONYMISE}


# REQ-10: an archived contact is never sent to, found or listed, but by the rights desk.
async def test_req10_archived_contacts_are_not_sent_to_searched_or_listed(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Arnaud,fr", "ben@presse.example,Ben,Bloch,fr"])
    ana = await contact_id("ana@presse.example")
    await Contact.update({Contact.status: ContactStatus.ARCHIVED}).where(Contact.id == ana)
    communications = await staff.create_user("comms", "communications", "correct horse battery staple")
    dpo = await staff.create_user("dpo", "dpo", "correct horse battery staple")
    found, total = await people_operations.search_contacts(communications, "presse")
    assert [item.email for item in found] == ["ben@presse.example"] and total == 1
    _, members, _ = await people_operations.members(communications, "journalists", None, 1)
    assert len(members) == 1
    with pytest.raises(Exception, match="no contact"):
        await people_operations.contact_detail(communications, ana)
    assert (await people_operations.contact_detail(dpo, ana)).fields["status"] == "archived"
    assert (await people_operations.search_contacts(dpo, "ana"))[1] == 1
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=2), settings=settings_for(server))
        assert set(e.rcpt_tos[0] for e in server.handler.received) == {"ben@presse.example"}
    assert summary.sent == 1
    assert (await campaigns.progress(campaign.id)).skipped_by_reason == {"archived": 1}


# REQ-13: the run lists third-party contacts not told within a month; it flags them and changes nothing.
async def test_req13_run_flags_unnoticed_third_party_contacts(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Arnaud,fr"])
    await Contact.update({Contact.collected_at: T0}, force=True)
    report = await engine.run(now=T0 + timedelta(days=40))
    assert [item.contact_id for item in report.unnoticed] == [await contact_id("ana@presse.example")]
    assert await Contact.count().where(Contact.status == ContactStatus.ACTIVE) == 1


# REQ-9 (security data) and REQ-15: what served a short task goes once it has served.
async def test_req9_expired_consent_requests_sessions_and_checked_documents_go(tmp_path):
    now = datetime.now(UTC)
    for expires in (now - DAY, now + DAY):
        await PendingConsent.insert(PendingConsent(
            email="x@example.org", email_canonical="x@example.org", notice_version="2026-11", channel=Channel.WEB_FORM,
            form="/subscribe/public-newsletter", expires_at=expires))
    for expires in (now - DAY, now + DAY):
        await StaffSession.insert(StaffSession(key_hash=f"{expires:%s}", value=b"{}", expires_at=expires))
    planned = await engine.run(dry_run=True, now=now)
    assert planned.expired == {"pending_consent": 1, "staff_session": 1, "identity_document": 0,
                               "companion_name": 0}
    report = await engine.run(now=now)
    assert (report.done["pending_consent"], report.done["staff_session"]) == (1, 1)
    assert await PendingConsent.count() == 1 and await StaffSession.count() == 1


# REQ-9/15: a contact whose rights request is open is held, not anonymised under the person's feet.
async def test_req9_an_open_rights_request_holds_the_contact(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Arnaud,fr"])
    ana = await contact_id("ana@presse.example")
    await end_subscriptions(ana, "journalists", T0)
    await rights.record_request(ana, RightsRequestType.ACCESS, Channel.STAFF)
    report = await engine.run(now=T0 + GRACE + DAY)
    assert report.due == [] and report.held[0].why == "a rights request of the person is still open"
    assert (await Contact.select(Contact.status).where(Contact.id == ana).first())["status"] == "active"


# REQ-9: the daily run is claimed once per Paris day, whichever process asks first.
async def test_req9_daily_run_happens_once_a_day(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Arnaud,fr"])
    ana = await contact_id("ana@presse.example")
    await end_subscriptions(ana, "journalists", T0)
    assert await daily.last_run() is None
    first = await daily.run_if_due(now=T0 + GRACE + DAY)
    assert first is not None and first.done["anonymised"] == 1
    assert await daily.run_if_due(now=T0 + GRACE + DAY + timedelta(hours=3)) is None
    assert await daily.run_if_due(now=T0 + GRACE + 2 * DAY) is not None
    last = await daily.last_run()
    assert last.day == (T0 + GRACE + 2 * DAY).date() and last.finished_at is not None
    assert await JobRun.count() == 2
    first_row = await JobRun.select(JobRun.summary).order_by(JobRun.id).first()
    assert '"done_anonymised": 1' in str(first_row["summary"]).replace("'", '"')


# REQ-9: the server runs the engine by itself, once a day, when CONTACTS_RETENTION_DAILY is on (the default).
async def test_req9_the_server_runs_the_engine_daily(http_client):
    import asyncio
    import dataclasses

    from contacts.settings import get_settings

    async with http_client(dataclasses.replace(get_settings(), retention_daily=True)):
        for _ in range(100):
            last = await daily.last_run()
            if last is not None and last.finished_at is not None:
                break
            await asyncio.sleep(0.05)
    assert last is not None and last.finished_at is not None and "held" in last.summary
