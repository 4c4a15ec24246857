"""Sending a campaign: build its audience once, then claim, re-check, compose, send and record, message by
message, with several SMTP transactions in flight.

Every message is checked again just before its SMTP transaction (subscription, objection, suppression,
restriction), never more than 50 ms before, so an unsubscribe that lands mid-campaign stops that person's
mail within 50 ms: a message checked just before it may still go.
The checks of the messages about to go out at the same moment, and the marks of those just sent, share one
round trip (sending/gate.py).
4xx answers are retried with exponential backoff until a deadline; 5xx answers fail the message, and a
refusal of the mailbox itself (5.1.x at RCPT) is a hard bounce that suppresses the address globally (REQ-41).
A relay that refuses us, or is down, pauses the campaign instead.
The campaign's rate is shared by every process sending it (pace.py). Outside its purpose's sending window
(REQ-54) nothing new is claimed nor started: what is in its SMTP transaction ends, the rest is given back,
and sending resumes at the window's next opening (`campaign send` waits for it; a worker looks again).
A database that goes away is waited for (outages.py): the messages in their SMTP transactions end, their
marks are written once it is back, and sending goes on. Asked to stop (stopping.py), a sender ends the
transactions in flight, gives its other claims back and returns what it did.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from contacts.db.bulk import BulkSession, SqliteBulkSession, bulk_session
from contacts.domain import CampaignStatus, Channel, SkipReason, SuppressionReason
from contacts.errors import ConflictError
from contacts.i18n import N_
from contacts.keyring import Keyring
from contacts.mail.render import TemplateLibrary
from contacts.mail.transport import Outcome, SmtpPool, SmtpSettings
from contacts.outages import Outage, caused_by_outage, unavailable_in
from contacts.sending import queue, stopping
from contacts.sending.compose import RECIPIENT_COLUMNS, Composer, Envelope, Recipient
from contacts.sending.gate import CLAIM_LOST, Gate
from contacts.sending.opening import wait_for_opening
from contacts.sending.options import SendOptions, SendSummary, Transport
from contacts.sending.pace import SharedPace, take_slots
from contacts.sending.processes import start_helpers
from contacts.services.campaigns import (
    approvals,
    audience,
    audience_count,
    sending_window,
)
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.services.windows import SendingWindow
from contacts.settings import Settings, get_settings

# This many connection failures in a row, and the relay is taken to be down: the campaign pauses.
RELAY_DOWN_AFTER = 10

# Messages per SMTP connection: while one is in its transaction, the next ones are checked and composed, so
# that a connection does not wait on the database between two transactions, nor the database on the relay.
MESSAGES_PER_CONNECTION = 3
# A message waits for its connection after its check. A check older than this when the connection comes
# free (a slow relay) is asked again: what decides whether a message goes is never older than this.
CHECK_AGE_LIMIT_SECONDS = 0.05


async def send_campaign(
    campaign_id: int,
    options: SendOptions = SendOptions(),
    *,
    transport: Transport | None = None,
    settings: Settings | None = None,
    outage: Outage | None = None,
) -> SendSummary:
    """Send (or resume) a campaign until nothing is left, or it is paused, cancelled or stopped. Waits out
    a database outage up to its limit, then raises DatabaseUnavailable."""
    settings = settings or get_settings()
    outage = outage or Outage(settings.database_outage_limit)
    summary = SendSummary()
    while True:
        try:
            return await _send(campaign_id, options, transport, settings, outage, summary)
        except Exception as error:
            if (unavailable := unavailable_in(error)) is not None:
                raise unavailable from None
            if not caused_by_outage(error):
                raise
            # Where the run does not wait by itself (its start, say): from the start again, once the
            # database is back. Its claims go back to the queue: the run no longer runs.
            await outage.wait(error)


async def _send(campaign_id: int, options: SendOptions, transport: Transport | None, settings: Settings,
                outage: Outage, summary: SendSummary) -> SendSummary:
    campaign = await campaigns.get(campaign_id)
    if campaign.status == CampaignStatus.FINISHED:
        summary.outcome = "finished"
        return summary
    campaign, composer, keyring = await start_campaign(campaign_id, settings, options.lease, build=False)
    # Started first, so that they send from the audience's first page while this process builds the rest.
    helpers = start_helpers(campaign_id, options, send_campaign) if options.processes > 1 and transport is None else []
    own_transport = transport is None
    transport = transport or SmtpPool(SmtpSettings.from_url(settings.smtp_url), size=options.concurrency)
    run = _Run(campaign, options, composer, keyring, transport, sending_window.window_of(campaign, settings),
               outage, summary)
    try:
        await run.drain()
        if stopping.requested():
            for process, _ in helpers:
                process.terminate()  # SIGTERM: they stop as this process did, and report what they did
    except BaseException:
        for process, _ in helpers:
            process.terminate()  # they would wait for an audience this process no longer builds; a resume goes on
        raise
    finally:
        if own_transport:
            await transport.close()
        for _, helper in helpers:
            _add(run.summary, await helper)
    if await outage.call(campaigns.finish_if_done, campaign_id):
        run.summary.outcome = "finished"
    if not options.parent_pid:  # a helper's part is in the total of the process that started it
        run.summary.log_run(campaign_id)
    return run.summary


async def start_campaign(campaign_id: int, settings: Settings | None = None, lease: timedelta = SendOptions.lease,
                         *, build: bool = True) -> tuple[campaigns.CampaignInfo, Composer, Keyring]:
    """Make a campaign running, with abandoned claims requeued; senders (`campaign send`, `contacts worker`)
    then drain it. `build`: write its audience into the ledger first, unless that is done already (a draft
    is built before it runs, so no sender takes it half-built); a sender builds it alongside sending instead."""
    settings = settings or get_settings()
    campaign = await campaigns.get(campaign_id)
    if campaign.status in (CampaignStatus.CANCELLED, CampaignStatus.FINISHED):
        raise ConflictError(N_("campaign %(campaign_id)s is %(status)s"),
                campaign_id=campaign_id, status=campaign.status)
    approvals.refuse_manual_start(campaign, settings)  # a draft needing approval, or one scheduled for later (REQ-53)
    composer = Composer(campaign, settings, TemplateLibrary.from_settings(settings))
    keyring = suppression.keyring()
    async with bulk_session() as session:
        if campaign.status == CampaignStatus.DRAFT:
            await audience_count.refuse_undecided(session, campaign, keyring)
        if build and campaign.audience_built_at is None:
            await queue.build_audience(session, campaign, keyring, composer.message_id)
        if campaign.status != CampaignStatus.RUNNING:
            await campaigns.change_status(campaign_id, "start")
        campaign = await campaigns.get(campaign_id)
        await queue.requeue_abandoned(session, campaign_id, lease)
    return campaign, composer, keyring


def _add(total: SendSummary, part: SendSummary) -> None:
    total.sent += part.sent
    total.failed += part.failed
    total.skipped += part.skipped
    total.retried += part.retried


@dataclass
class _Run:
    campaign: campaigns.CampaignInfo
    options: SendOptions
    composer: Composer
    keyring: Keyring
    transport: Transport
    window: SendingWindow | None  # the purpose's sending window, when the campaign keeps one
    outage: Outage
    summary: SendSummary = field(default_factory=SendSummary)
    worker: str = field(default_factory=queue.worker_name)
    connection_errors: int = 0  # in a row
    gate: Gate = field(init=False)
    connections: asyncio.Semaphore = field(init=False)  # an SMTP transaction takes one
    side: BulkSession = field(init=False)  # the consumers' occasional writes: a skip, a retry, a failure
    side_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pace: SharedPace = field(init=False)  # the campaign's rate, shared with its other senders
    builder: asyncio.Task | None = None  # writing the audience's ledger rows, when this process does

    async def drain(self) -> None:
        work: asyncio.Queue[tuple[queue.Claim, dict | None] | None] = asyncio.Queue(maxsize=self.options.batch_size * 2)
        async with contextlib.AsyncExitStack() as stack:
            queue.RUNS_HERE.add(self.worker)  # its claims are not abandoned, though its process lives on
            stack.callback(queue.RUNS_HERE.discard, self.worker)
            # PostgreSQL: a connection each for the producer, the gate and the consumers' occasional writes,
            # queries in parallel. SQLite: one connection for all, since its writers would otherwise queue on
            # the file lock, sleeping in its busy handler. Each statement waits out an outage.
            shared = await stack.enter_async_context(bulk_session(self.outage))

            async def another() -> BulkSession:
                if isinstance(shared, SqliteBulkSession):
                    return shared
                return await stack.enter_async_context(bulk_session(self.outage))

            self.side = await another()
            self.pace = SharedPace(self.campaign.id, self.campaign.rate,
                                   lambda *args: self._aside(take_slots, *args))
            gate_session = await another()
            # The gate runs the same few lookups by key for every message. (Not the claims: a plan made once
            # while the audience is still being built would scan the ledger whole as it grows.)
            await gate_session.plan_once()
            self.gate = Gate(gate_session, self.campaign, self.keyring, self.options.lease)
            self.connections = asyncio.Semaphore(self.options.concurrency)
            # A task group: if one consumer fails, the others and the producer stop too, instead of waiting.
            async with asyncio.TaskGroup() as group:
                if self.campaign.audience_built_at is None and self.options.build:
                    self.builder = group.create_task(self._build())
                for _ in range(self._consumers):
                    group.create_task(self._consume(work))
                group.create_task(self._produce_all(shared, work))

    def _window_open(self) -> bool:
        return self.window is None or self.window.is_open(self.options.clock.now())

    async def _wait_for_window(self) -> bool:
        """Outside the window: `campaign send` waits for its next opening (True, to go on), a worker leaves
        the campaign until then (False). Its messages in flight end meanwhile, and the others are given back."""
        assert self.window is not None
        resumes = self.window.next_opening(self.options.clock.now())
        self.summary.outcome = f"waiting for its sending window: resumes {resumes:%Y-%m-%d %H:%M} (Paris)"
        if self.options.wait_for_retries:
            self.window = await wait_for_opening(self.campaign.id, self.window, self.options.clock, self.outage,
                                                 quiet=self.options.parent_pid is not None)
        return self.options.wait_for_retries

    @property
    def _consumers(self) -> int:
        return self.options.concurrency * MESSAGES_PER_CONNECTION

    async def _build(self) -> None:
        """The audience, written while the first pages are already being sent: on a session of its own.
        Written again from the start after an outage: a rerun adds only what is missing."""

        async def build() -> None:
            async with bulk_session() as session:
                await queue.build_audience(session, self.campaign, self.keyring, self.composer.message_id)

        await self.outage.call(build)

    async def _audience_built(self, session: BulkSession) -> bool:
        """Built by this process, or by the one that started this helper (or by an earlier run)."""
        if self.builder is not None:
            return self.builder.done()
        return self.campaign.audience_built_at is not None or await queue.audience_built(session, self.campaign.id)

    async def _produce_all(self, session: BulkSession, work: asyncio.Queue) -> None:
        await self._produce(session, work)
        if stopping.requested() and self.builder is not None:
            self.builder.cancel()  # its page is rolled back; `send` builds on from there
        for _ in range(self._consumers):
            await work.put(None)

    async def _produce(self, session: BulkSession, work: asyncio.Queue) -> None:
        after = 0  # the last row claimed: each claim goes on from there
        while True:
            if stopping.requested():
                self.summary.outcome = "stopped"
                return
            if self.options.parent_pid and os.getppid() != self.options.parent_pid:
                self.summary.outcome = "orphaned"  # the sender that started us was killed: leave the rest to a resume
                return
            status, self.pace.rate = await queue.campaign_state(session, self.campaign.id)
            if status != CampaignStatus.RUNNING:
                self.summary.outcome = status
                return
            if not self._window_open():
                if not await self._wait_for_window():
                    return
                after = 0  # the rows given back as the window closed lie behind
                continue
            claims = await queue.claim(session, self.campaign.id, self.worker, self.options.batch_size, after)
            if claims:
                after = claims[-1].delivery_id
                contacts = await queue.recipients(session, claims, (*RECIPIENT_COLUMNS, "email_canonical"))
                for claim in claims:
                    await work.put((claim, contacts.get(claim.contact_id)))
                continue
            if not await self._audience_built(session):
                # The next page is being written, past `after`: looking from the start meanwhile would step
                # over every row sent already, again and again.
                await asyncio.sleep(0.02)
                continue
            if after:
                after = 0  # rows given back, or due for a retry, may lie behind: look again from the start
                continue
            await work.join()  # what is in flight may be rescheduled
            await self.gate.flushed()
            if self.outage.seen and await queue.give_back_unheld(session, self.campaign.id, self.worker):
                continue  # claimed as the database went away, their answer lost: claimed again now
            if self.options.wait_for_retries and await queue.claimed_elsewhere(session, self.campaign.id):
                # Another process still has messages in flight: wait for them, or take them over if it died.
                await queue.requeue_abandoned(session, self.campaign.id, self.options.lease)
                await stopping.pause(0.2)
                continue
            retry_at = await queue.next_retry_at(session, self.campaign.id)
            if retry_at is None:
                self.summary.outcome = "finished"
                return
            if not self.options.wait_for_retries:
                self.summary.outcome = "retries-pending"
                return
            await stopping.pause(max(0.0, min((retry_at - datetime.now(timezone.utc)).total_seconds(), 30.0)) + 0.01)

    async def _consume(self, work: asyncio.Queue[tuple[queue.Claim, dict | None] | None]) -> None:
        unwritten: asyncio.Future | None = None  # the mark of this consumer's previous message
        while (item := await work.get()) is not None:
            try:
                unwritten = await self._deliver(*item, unwritten) or unwritten
            finally:
                work.task_done()
        if unwritten is not None:
            await unwritten
        work.task_done()

    async def _deliver(self, claim: queue.Claim, contact: dict | None,
                       unwritten: asyncio.Future | None) -> asyncio.Future | None:
        """Returns the future of the message's mark when it was sent: it is written with the next check."""
        if stopping.requested():
            await self._aside(queue.release, claim)
            return None
        # The rate limit is waited out first, so that nothing stands between the checks below and the SMTP
        # transaction but the wait for a connection: an unsubscribe that lands during the wait is seen.
        await self.pace.wait()
        loop = asyncio.get_running_loop()
        canonical = contact["email_canonical"] if contact else None
        asked_at = loop.time()
        asked = self.gate.check(claim, canonical)
        # Composed while the round trip runs (the yield lets it go first), with the legal basis the row was
        # claimed with: nothing but the verdict and a free connection then stand between check and
        # transaction. The verdict still decides whether it goes; a basis changed meanwhile composes it again.
        await asyncio.sleep(0)
        draft = None
        if contact and contact["email"] and contact["legal_basis"]:
            draft = self.composer.envelope(Recipient.from_row(contact, claim.list_id, contact["legal_basis"]), claim.message_id)
        async with self.connections:
            verdict = await asked
            if loop.time() - asked_at > CHECK_AGE_LIMIT_SECONDS:
                self.gate.transaction_over()  # done with that verdict: the round trip need not wait for us
                verdict = await self.gate.check(claim, canonical, at_once=True)
            try:
                return await self._act(claim, contact, unwritten, verdict, draft)
            finally:
                self.gate.transaction_over()  # the gate's next round trip need not wait for this consumer

    async def _act(self, claim: queue.Claim, contact: dict | None,
                   unwritten: asyncio.Future | None, verdict, draft: Envelope | None) -> asyncio.Future | None:
        """On the gate's verdict: send, or skip, or give the claim back."""
        if unwritten is not None:
            await unwritten  # written before the check (so at once): a crash now repeats only what is in flight
        if verdict is CLAIM_LOST:
            # Paused or cancelled meanwhile (which takes effect before the next SMTP transaction, not after
            # the claimed batch), or the claim outlived its lease and another worker took it over.
            status = await self._aside(queue.campaign_status, self.campaign.id)
            if status == CampaignStatus.CANCELLED:
                await self._aside(queue.mark_skipped, claim, SkipReason.CANCELLED)
            elif status != CampaignStatus.RUNNING:
                await self._aside(queue.release, claim)
            if status != CampaignStatus.RUNNING:
                self.summary.outcome = status
            return None
        # Checked in the same round trip: is this person still to be written to?
        reason = audience.exclusion(verdict, self.campaign, claim.list_id)
        if reason is not None or contact is None or not contact["email"]:
            await self._aside(queue.mark_skipped, claim, reason or SkipReason.ERASED)
            self.summary.skipped += 1
            return None
        if stopping.requested() or not self._window_open():
            await self._aside(queue.release, claim)  # checked already, but not in its transaction yet
            return None
        basis = verdict.subscribed[claim.list_id]
        envelope = (draft if draft is not None and draft.recipient.legal_basis == basis else
                    self.composer.envelope(Recipient.from_row(contact, claim.list_id, basis), claim.message_id))
        outcome = await self.transport.send(envelope.sender, envelope.to, envelope.message, smtputf8=envelope.smtputf8)
        return await self._record(claim, envelope.recipient, outcome)

    async def _aside(self, operation, *args):
        """One of the consumers' occasional statements, on the session they share."""
        async with self.side_lock:
            return await operation(self.side, *args)

    async def _record(self, claim: queue.Claim, recipient: Recipient,
                      outcome: Outcome) -> asyncio.Future | None:
        self.connection_errors = self.connection_errors + 1 if outcome.connection_error else 0
        if outcome.delivered:
            self.summary.sent += 1
            return self.gate.mark_sent(claim)
        error = f"{outcome.code or ''} {outcome.message}".strip()
        if outcome.relay_fault or self.connection_errors >= RELAY_DOWN_AFTER:
            # The relay refuses us, or is gone: failing every message would burn the campaign. Pause it,
            # give the message back, and let staff fix the relay and resume.
            await self._aside(queue.release, claim)
            await self.outage.call(campaigns.pause_for, self.campaign.id, error)
            self.summary.outcome = f"paused: {error}"
            return None
        now = datetime.now(timezone.utc)
        first = claim.first_attempt_at or now
        if outcome.temporary and now - first < self.options.retry_window:
            delay = min(self.options.retry_base * (2 ** claim.attempts), self.options.retry_max)
            await self._aside(queue.mark_retry, claim, error, now + delay)
            self.summary.retried += 1
            return None
        await self._aside(queue.mark_failed, claim, error)
        self.summary.failed += 1
        if outcome.hard_bounce:
            await self.outage.call(suppression.suppress, recipient.email, SuppressionReason.HARD_BOUNCE,
                                   actor="sender", channel=Channel.BOUNCE, note=f"campaign {self.campaign.id}: {error}")
        return None


async def drain_running(options: SendOptions, total: SendSummary | None = None, outage: Outage | None = None) -> int:
    """One pass over the running campaigns; returns how many messages this pass handled, and adds them to
    `total`. Stops between campaigns when asked to."""
    handled = 0
    for campaign_id in await campaigns.running_ids():
        if stopping.requested():
            break
        if sending_window.resumes_at(await campaigns.get(campaign_id), options.clock.now()) is not None:
            continue  # outside its sending window: looked at again on the next pass
        try:
            summary = await send_campaign(campaign_id, options, outage=outage)
        except ConflictError:
            continue  # cancelled meanwhile
        handled += summary.sent + summary.failed + summary.skipped + summary.retried
        if total is not None:
            _add(total, summary)
    return handled
