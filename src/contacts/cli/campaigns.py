"""`contacts campaign …` and `contacts worker`."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import sys
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from contacts.cli.params import ROW_ID, TEXT
from contacts.cli.runner import actor, fail, hold_database, run
from contacts.cli.words import _, language, ngettext, term
from contacts.i18n import N_
from contacts.logs import configure_logging
from contacts.outages import caused_by_outage
from contacts.sending import stopping
from contacts.text_input import INT32_MAX, control_character


@click.group(name="campaign", help=N_("Create, preview, test, send and follow campaigns."))
def campaign_group() -> None:
    pass


def _body_option(name: str, text: str):
    return click.option(name, type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help=text)


@campaign_group.command(name="create", help=N_("Create a draft campaign; prints its id alone on the last line."))
@click.option("--list", "list_slugs", multiple=True, required=True, help=N_("A list to send to; repeat for several."))
@click.option("--template", required=True, help=N_("A template of templates/emails/, e.g. newsletter-communications."))
@click.option("--subject-fr", "subject_fr", type=TEXT, default=None, help=N_("The French subject."))
@click.option("--subject-en", "subject_en", type=TEXT, default=None, help=N_("The English subject."))
@click.option("--subject", type=TEXT, default=None, help=N_("The French subject (as --subject-fr)."))
@_body_option("--body-fr", N_("A UTF-8 text file in Markdown (see README, \"Writing a campaign\"): the French "
                              "message's headings, links, lists, images, [[Button]](https://…), placeholders."))
@_body_option("--body-en", N_("A UTF-8 text file in Markdown (see README, \"Writing a campaign\"): the English "
                              "message's headings, links, lists, images, [[Button]](https://…), placeholders."))
@_body_option("--body", N_("A UTF-8 text file in Markdown (see README, \"Writing a campaign\"): the French (as "
                           "--body-fr) message's headings, links, lists, images, [[Button]](https://…), placeholders."))
@click.option("--preheader-fr", "preheader_fr", type=TEXT, default=None, help=N_("The French inbox preview line."))
@click.option("--preheader-en", "preheader_en", type=TEXT, default=None, help=N_("The English inbox preview line."))
@click.option("--missing-language", type=click.Choice(["other", "skip"]), default=None,
              help=N_("Recipients whose language has no version: get the other language, or are skipped "
                      "(no_translation). Without it, such a campaign does not start."))
@click.option("--purpose", "purpose_code", default=None, help=N_("The purpose, when the lists serve several."))
@click.option("--rate", type=click.IntRange(min=1, max=INT32_MAX), default=None,
              help=N_("At most this many messages per second."))
@click.option("--greeting", type=click.Choice(["none", "first_name", "formal"]), default="none", show_default=True,
              help=N_("How messages open: nothing, \"Bonjour Zoé,\" / \"Dear Zoé,\" (\"Bonjour,\" without a first "
                      "name), or \"Madame, Monsieur,\" / \"Dear Sir or Madam,\"."))
@click.option("--archive", is_flag=True,
              help=N_("Publish it in the public archive (/archive/) once it is sent: only for lists open to the "
                      "public, such as public-newsletter; never an invitation."))
def create_command(list_slugs, template, subject_fr, subject_en, subject, body_fr, body_en, body, preheader_fr,
                   preheader_en, missing_language, purpose_code, rate, greeting, archive) -> None:
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    for old, new, given in (("--subject", "--subject-fr", subject_fr), ("--body", "--body-fr", body_fr)):
        if given is not None and (subject if old == "--subject" else body) is not None:
            fail(_("%(old)s: give %(new)s or %(old)s (the French one), not both", old=old, new=new))
    content = {"subject_fr": subject_fr, "subject_en": subject_en, "preheader_fr": preheader_fr,
               "preheader_en": preheader_en, "body_en": _body_text(body_en, "--body-en") if body_en else None}
    french_body = _body_text(body_fr or body, "--body-fr" if body_fr else "--body") if body_fr or body else ""
    if subject is None:  # the French version from the -fr options (or --body): errors name body_fr, subject_fr
        content["body_fr"] = french_body
    # --subject and --body: the French version, whose errors name them as given (core.create)
    from contacts.services.campaigns.schedule_operations import (
        record,  # start-up: imported when run
    )

    async def work():
        created = await campaigns.create(list_slugs=list(list_slugs), template=template, content=content,
                                         subject=subject, body=french_body, missing_language=missing_language,
                                         actor=actor(), purpose_code=purpose_code, rate=rate, greeting=greeting,
                                         archive=archive)
        await record(actor(), "create", created, lists=[item.slug for item in created.lists], template=template)
        return created

    campaign = run(work)
    english = language() == "en"
    versions = ", ".join(_("%(language)s: %(subject)s", language=code, subject=repr(item.subject) if english else
                           item.subject) for code, item in campaign.contents.items())
    click.echo(_("campaign %(id)s: %(versions)s to %(lists)s (%(purpose)s), template %(template)s", id=campaign.id,
                 versions=versions, lists=", ".join(i.slug for i in campaign.lists), purpose=campaign.purpose.code,
                 template=campaign.template)
               + (_(", published in the public archive once sent") if campaign.archive else ""))
    click.echo(campaign.id)


def _body_text(path: Path, option: str = "--body") -> str:
    try:
        body = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(_("%(option)s: %(path)s is not UTF-8 text", option=option, path=path))
    if (character := control_character(body)) is not None:
        fail(_("%(option)s: %(path)s contains a control character (%(character)s), which no text may hold",
               option=option, path=path, character=character))
    return body


@campaign_group.command(name="preview", help=N_("Show a campaign's message as a recipient gets it."))
@click.argument("campaign_id", type=ROW_ID)
@click.option("--to", default=None, help=N_("Show the message of the contact with this address."))
@click.option("--raw", is_flag=True, help=N_("Print the whole message as sent (MIME)."))
@click.option("--html", "show_html", is_flag=True, help=N_("Print the HTML part instead of the text part."))
def preview_command(campaign_id: int, to: str | None, raw: bool, show_html: bool) -> None:
    from contacts.sending.preview import preview  # start-up: imported when run

    message_bytes = run(lambda: preview(campaign_id, to))
    if raw:
        click.echo(message_bytes.decode("utf-8", errors="replace"))
        return
    message = email.message_from_bytes(message_bytes, policy=policy.default)
    for header in ("From", "To", "Subject", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"):
        click.echo(f"{header}: {message[header]}")
    click.echo()
    text, html = cast(list[EmailMessage], message.get_payload())  # multipart/alternative, read with policy.default
    click.echo((html if show_html else text).get_content())


@campaign_group.command(name="test",
                        help=N_("Send test messages (subject marked [TEST]), one per language version to each "
                                "address, outside the campaign's ledger."))
@click.argument("campaign_id", type=ROW_ID)
@click.option("--to", required=True, help=N_("Where to send the test: one or several addresses, comma separated."))
def test_command(campaign_id: int, to: str) -> None:
    from contacts.sending.preview import send_test  # start-up: imported when run

    sent_to = run(lambda: send_test(campaign_id, to))
    click.echo(_("test messages sent to %(addresses)s", addresses=", ".join(sent_to)))


@campaign_group.command(name="send",
                        help=N_("Send a campaign; run it again to resume after an interruption. A draft's audience "
                                "is shown first and, on a terminal, the start is to be confirmed. Outside its "
                                "sending window it waits for the next opening."))
@click.argument("campaign_id", type=ROW_ID)
@click.option("--concurrency", type=click.IntRange(min=1, max=32), default=4, show_default=True,
              help=N_("SMTP transactions in flight (each holds a database connection on PostgreSQL)."))
@click.option("--rate", type=click.IntRange(min=1, max=INT32_MAX), default=None,
              help=N_("Set the campaign's rate: at most this many messages per second, by every process sending it."))
@click.option("--processes", type=click.IntRange(min=1, max=32), default=None,
              help=N_("Sending processes (default: one per core); each keeps --concurrency transactions in flight."))
@click.option("--yes", is_flag=True, help=N_("Start a draft without asking (on a terminal, `send` asks first)."))
@click.option("--outside-window", is_flag=True,
              help=N_("Send it outside its purpose's sending window, now and until it ends (an admin's decision, "
                      "audited; needs --as)."))
@click.option("--as", "as_username", default=None, metavar="USERNAME",
              help=N_("The admin account --outside-window is done as, named in the audit log."))
def send_command(campaign_id: int, concurrency: int, rate: int | None, processes: int | None, yes: bool,
                 outside_window: bool, as_username: str | None) -> None:
    if outside_window and not as_username:
        fail(_("--outside-window needs --as USERNAME: the admin account it is done as"))
    hold_database("contacts campaign send")
    _confirm_start(campaign_id, ask=not yes and sys.stdin.isatty())
    _before_sending(campaign_id, rate, outside_window, as_username)
    configure_logging()
    from contacts.sending.processes import loop_factory  # start-up: imported when run
    from contacts.sending.worker import (  # start-up: imported when run
        SendOptions,
        send_campaign,
    )

    console = Console(stderr=True)
    progress = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=console, disable=not console.is_terminal, transient=True)

    async def work():
        from contacts.services.campaigns import (
            core as campaigns,  # start-up: imported when run
        )

        stopping.install()
        with progress:
            task = progress.add_task(_("sending"), total=None)

            async def follow() -> None:
                # From the ledger, so that every sending process's messages count.
                while True:
                    try:
                        state = await campaigns.progress(campaign_id)
                    except Exception as error:
                        if not caused_by_outage(error):
                            raise
                    else:
                        progress.update(task, total=state.total, completed=state.total - state.remaining)
                    await asyncio.sleep(0.5)

            follower = asyncio.create_task(follow()) if console.is_terminal else None
            options = SendOptions(concurrency=concurrency, processes=processes or os.cpu_count() or 1)
            await _start_audited(campaign_id)
            try:
                return await send_campaign(campaign_id, options)
            finally:
                if follower:
                    follower.cancel()

    summary = run(work, loop_factory=loop_factory())
    _print_summary(summary)
    _print_status(campaign_id)
    _exit_as_interrupted(stopping.received)


async def _start_audited(campaign_id: int) -> None:
    """A draft started, or a paused campaign resumed, by this command: in the audit log (REQ-53), once the
    start was accepted (approved, not scheduled, its audience decided). The sending builds its audience."""
    from contacts.sending.worker import start_campaign  # start-up: imported when run
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )
    from contacts.services.campaigns.schedule_operations import (
        record,  # start-up: imported when run
    )

    before = await campaigns.get(campaign_id)
    if before.status not in ("draft", "paused", "scheduled"):
        return
    campaign, _, _ = await start_campaign(campaign_id, build=False)
    await record(actor(), "send", campaign, **({"resumed": True} if before.status == "paused" else {}))


def _before_sending(campaign_id: int, rate: int | None, outside_window: bool, as_username: str | None) -> None:
    """The campaign's new rate, and an admin's leave to send it outside its window; then, when it has to
    wait for its window, when it will start."""
    from babel.dates import format_datetime  # start-up: imported when run

    from contacts.i18n import PARIS  # start-up: imported when run
    from contacts.services.campaigns import (  # start-up: imported when run
        core as campaigns,
    )
    from contacts.services.campaigns import (
        sending_window,  # start-up: imported when run
    )
    from contacts.services.staff.accounts import (
        active_account,  # start-up: imported when run
    )

    async def work():
        if rate is not None:
            await campaigns.set_rate(campaign_id, rate)
        if outside_window:
            await sending_window.send_outside_window(await active_account(as_username or ""), campaign_id)
        return sending_window.resumes_at(await campaigns.get(campaign_id))

    resumes = run(work)
    if resumes is not None:
        click.echo(_("outside its sending window: it will start on %(when)s (Paris time); this command waits until "
                     "then (Ctrl-C leaves it to `contacts worker` or `contacts serve`)",
                     when=format_datetime(resumes, "EEEE d MMMM y HH:mm", tzinfo=PARIS,
                                          locale="fr_FR" if language() == "fr" else "en_GB")))


def _confirm_start(campaign_id: int, ask: bool) -> None:
    """A draft: who would receive it, counted without writing anything; then, if `ask`, the question."""
    from contacts.services.campaigns import (
        approvals,  # start-up: imported when run
        audience_count,  # start-up: imported when run
    )
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    async def work():
        campaign = await campaigns.get(campaign_id)
        approvals.refuse_manual_start(campaign)  # before the audience is counted and confirmed (REQ-53)
        return campaign, (await audience_count.of_campaign(campaign) if campaign.status == "draft" else None)

    campaign, found = run(work)
    if found is None:
        return  # started already: this resumes it
    click.echo(_("campaign %(id)s: %(subject)s", id=campaign.id, subject=campaign.subject))
    for line in audience_lines(found):
        click.echo(f"  {line}")
    if found.undecided:
        return  # the start refuses it, saying which option to set
    if ask:
        click.confirm(ngettext("Send campaign %(id)s to %(num)s recipient?", "Send campaign %(id)s to %(num)s recipients?",
                               found.receiving, id=campaign.id), abort=True)


def audience_lines(found) -> list[str]:
    """The audience summary, a line each: the count, by list, by language, skipped by reason."""
    lines = [_("will receive it: %(count)s", count=found.receiving)]
    lines += [_("  through %(list)s: %(count)s", list=slug, count=n) for slug, n in found.by_list.items()]
    lines += [_("  in %(language)s: %(count)s", language=term(code), count=n) for code, n in found.by_language.items()]
    lines.append(_("skipped: %(count)s", count=found.skipped))
    lines += [_("  %(reason)s: %(count)s", reason=term(reason), count=n) for reason, n in found.skipped_by_reason.items()]
    for code, n in found.without_version.items():
        lines.append(ngettext("no %(language)s version, for %(num)s recipient speaking it",
                              "no %(language)s version, for %(num)s recipients speaking it", n, language=term(code)))
    if found.undecided:
        lines.append(_("undecided: %(count)s (set missing_language: other or skip)", count=found.undecided))
    return lines


def _print_summary(summary) -> None:
    click.echo(_("this run: sent %(sent)s, failed %(failed)s, skipped %(skipped)s, retries scheduled %(retried)s; "
                 "%(outcome)s", sent=summary.sent, failed=summary.failed, skipped=summary.skipped,
                 retried=summary.retried, outcome=term(summary.outcome)))
    if summary.outcome == "stopped":
        click.echo(_("stopped after the messages in flight; run it again to go on"))


def _exit_as_interrupted(received: int | None) -> None:
    """Ctrl-C exits as an interrupted command does (130); SIGTERM, the way a service stops, exits 0."""
    if received == signal.SIGINT:
        sys.exit(128 + signal.SIGINT)


def state_line(campaign) -> str:
    """"campaign 4 is scheduled for 10 December 2026 at 09:30 (Paris time)", in the operator's language."""
    from contacts.i18n import when  # start-up: imported when run

    line = _("campaign %(id)s is %(status)s", id=campaign.id, status=term(campaign.state))
    if campaign.state == "scheduled" and campaign.scheduled_at:
        line += _(" for %(when)s (Paris time)", when=when(campaign.scheduled_at, language()))
    return line


@campaign_group.command(name="status", help=N_("Counts per delivery state, and skipped recipients per reason."))
@click.argument("campaign_id", type=ROW_ID)
def status_command(campaign_id: int) -> None:
    _print_status(campaign_id)


def _print_status(campaign_id: int) -> None:
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    async def work():
        return await campaigns.get(campaign_id), await campaigns.progress(campaign_id)


    campaign, progress = run(work)
    click.echo(_("campaign %(id)s (%(status)s): %(subject)s", id=campaign.id, status=term(campaign.state),
                 subject=campaign.subject))
    if campaign.status in ("running", "paused") and campaign.audience_built_at is None:
        click.echo(_("  audience: not all written yet (sending goes on meanwhile; `send` builds the rest)"))
    for state in ("queued", "sending", "sent", "failed", "skipped"):
        click.echo(_("  %(state)s: %(count)s", state=term(state), count=progress.by_status.get(state, 0)))
    for reason, count in progress.skipped_by_reason.items():
        click.echo(_("    skipped, %(reason)s: %(count)s", reason=term(reason), count=count))
    click.echo(_("  hard bounces: %(count)s", count=progress.hard_bounces))
    click.echo(_("  soft bounces: %(count)s", count=progress.soft_bounces))
    click.echo(_("  complaints: %(count)s (%(rate)s of sent)", count=progress.complaints,
                 rate=percent(progress.complaint_rate)))


def percent(rate: float) -> str:
    """0.0123 as "1.23%" in English, "1,23 %" in French."""
    from babel.numbers import format_percent  # start-up: imported when run

    return format_percent(rate, format="#,##0.00 %" if language() == "fr" else "#,##0.00%",
                          locale="fr_FR" if language() == "fr" else "en_GB")


@campaign_group.command(name="pause", help=N_("Stop sending after the messages in flight; `send` resumes."))
@click.argument("campaign_id", type=ROW_ID)
def pause_command(campaign_id: int) -> None:
    _change_status(campaign_id, "pause")


@campaign_group.command(name="cancel", help=N_("Stop for good: nothing more of this campaign is sent."))
@click.argument("campaign_id", type=ROW_ID)
def cancel_command(campaign_id: int) -> None:
    _change_status(campaign_id, "cancel")


def _change_status(campaign_id: int, action: str) -> None:
    """pause or cancel, in the audit log as the operator's."""
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )
    from contacts.services.campaigns.schedule_operations import (
        record,  # start-up: imported when run
    )

    async def work():
        changed = await campaigns.change_status(campaign_id, action)
        await record(actor(), action, changed)
        return changed

    click.echo(state_line(run(work)))


@campaign_group.command(name="withdraw-from-archive",
                        help=N_("Take a campaign out of the public archive, for good (its page then answers 410)."))
@click.argument("campaign_id", type=ROW_ID)
def withdraw_from_archive_command(campaign_id: int) -> None:
    from contacts.services.campaigns import archive  # start-up: imported when run

    campaign = run(lambda: archive.withdraw(campaign_id, actor()))
    click.echo(_("campaign %(id)s is withdrawn from the public archive", id=campaign.id))


@click.command(name="worker",
               help=N_("Drain running campaigns; start several, on several machines, to share the work."))
@click.option("--concurrency", type=click.IntRange(min=1, max=32), default=4, show_default=True,
              help=N_("SMTP transactions in flight (each holds a database connection on PostgreSQL)."))
@click.option("--poll", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help=N_("Seconds between looks for running campaigns."))
@click.option("--once", is_flag=True, help=N_("Exit when no running campaign has anything left to send now."))
def worker_command(concurrency: int, poll: float, once: bool) -> None:
    configure_logging()
    from contacts.sending.draining import work_forever  # start-up: imported when run
    from contacts.sending.processes import loop_factory  # start-up: imported when run
    from contacts.sending.worker import SendOptions  # start-up: imported when run

    hold_database("contacts worker")

    async def work():
        stopping.install()
        return await work_forever(SendOptions(concurrency=concurrency, wait_for_retries=False), poll, once=once)

    _print_summary(run(work, loop_factory=loop_factory()))
    _exit_as_interrupted(stopping.received)
