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
from contacts.cli.runner import actor, fail, run
from contacts.outages import caused_by_outage
from contacts.sending import stopping
from contacts.text_input import INT32_MAX, control_character


@click.group(name="campaign")
def campaign_group() -> None:
    """Create, preview, test, send and follow campaigns."""


def _body_option(name: str, language: str):
    return click.option(name, type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
                        help=f"A UTF-8 text file in Markdown (see README, \"Writing a campaign\"): the {language} "
                             "message's headings, links, lists, images, [[Button]](https://…), placeholders.")


@campaign_group.command(name="create")
@click.option("--list", "list_slugs", multiple=True, required=True, help="A list to send to; repeat for several.")
@click.option("--template", required=True, help="A template of templates/emails/, e.g. newsletter-communications.")
@click.option("--subject-fr", "subject_fr", type=TEXT, default=None, help="The French subject.")
@click.option("--subject-en", "subject_en", type=TEXT, default=None, help="The English subject.")
@click.option("--subject", type=TEXT, default=None, help="The French subject (as --subject-fr).")
@_body_option("--body-fr", "French")
@_body_option("--body-en", "English")
@_body_option("--body", "French (as --body-fr)")
@click.option("--preheader-fr", "preheader_fr", type=TEXT, default=None, help="The French inbox preview line.")
@click.option("--preheader-en", "preheader_en", type=TEXT, default=None, help="The English inbox preview line.")
@click.option("--missing-language", type=click.Choice(["other", "skip"]), default=None,
              help="Recipients whose language has no version: get the other language, or are skipped "
                   "(no_translation). Without it, such a campaign does not start.")
@click.option("--purpose", "purpose_code", default=None, help="The purpose, when the lists serve several.")
@click.option("--rate", type=click.IntRange(min=1, max=INT32_MAX), default=None,
              help="At most this many messages per second.")
@click.option("--greeting", type=click.Choice(["none", "first_name", "formal"]), default="none", show_default=True,
              help="How messages open: nothing, \"Bonjour Zoé,\" / \"Dear Zoé,\" (\"Bonjour,\" without a first name), "
                   "or \"Madame, Monsieur,\" / \"Dear Sir or Madam,\".")
def create_command(list_slugs, template, subject_fr, subject_en, subject, body_fr, body_en, body, preheader_fr,
                   preheader_en, missing_language, purpose_code, rate, greeting) -> None:
    """Create a draft campaign; prints its id alone on the last line."""
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    for old, new, given in (("--subject", "--subject-fr", subject_fr), ("--body", "--body-fr", body_fr)):
        if given is not None and (subject if old == "--subject" else body) is not None:
            fail(f"{old}: give {new} or {old} (the French one), not both")
    content = {"subject_fr": subject_fr, "subject_en": subject_en, "preheader_fr": preheader_fr,
               "preheader_en": preheader_en, "body_en": _body_text(body_en, "--body-en") if body_en else None}
    french_body = _body_text(body_fr or body, "--body-fr" if body_fr else "--body") if body_fr or body else ""
    if subject is None:  # the French version from the -fr options (or --body): errors name body_fr, subject_fr
        content["body_fr"] = french_body
    # --subject and --body: the French version, whose errors name them as given (core.create)
    campaign = run(lambda: campaigns.create(list_slugs=list(list_slugs), template=template, content=content,
                                            subject=subject, body=french_body,
                                            missing_language=missing_language, actor=actor(),
                                            purpose_code=purpose_code, rate=rate, greeting=greeting))
    versions = ", ".join(f"{language}: {item.subject!r}" for language, item in campaign.contents.items())
    click.echo(f"campaign {campaign.id}: {versions} to {', '.join(i.slug for i in campaign.lists)} "
               f"({campaign.purpose.code}), template {campaign.template}")
    click.echo(campaign.id)


def _body_text(path: Path, option: str = "--body") -> str:
    try:
        body = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{option}: {path} is not UTF-8 text")
    if (character := control_character(body)) is not None:
        fail(f"{option}: {path} contains a control character ({character}), which no text may hold")
    return body


@campaign_group.command(name="preview")
@click.argument("campaign_id", type=ROW_ID)
@click.option("--to", default=None, help="Show the message of the contact with this address.")
@click.option("--raw", is_flag=True, help="Print the whole message as sent (MIME).")
@click.option("--html", "show_html", is_flag=True, help="Print the HTML part instead of the text part.")
def preview_command(campaign_id: int, to: str | None, raw: bool, show_html: bool) -> None:
    """Show a campaign's message as a recipient gets it."""
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


@campaign_group.command(name="test")
@click.argument("campaign_id", type=ROW_ID)
@click.option("--to", required=True, help="Where to send the test: one or several addresses, comma separated.")
def test_command(campaign_id: int, to: str) -> None:
    """Send test messages (subject marked [TEST]), one per language version to each address, outside the
    campaign's ledger."""
    from contacts.sending.preview import send_test  # start-up: imported when run

    sent_to = run(lambda: send_test(campaign_id, to))
    click.echo(f"test messages sent to {', '.join(sent_to)}")


@campaign_group.command(name="send")
@click.argument("campaign_id", type=ROW_ID)
@click.option("--concurrency", type=click.IntRange(min=1, max=32), default=4, show_default=True,
              help="SMTP transactions in flight (each holds a database connection on PostgreSQL).")
@click.option("--rate", type=click.IntRange(min=1, max=INT32_MAX), default=None,
              help="Set the campaign's rate: at most this many messages per second, by every process sending it.")
@click.option("--processes", type=click.IntRange(min=1, max=32), default=None,
              help="Sending processes (default: one per core); each keeps --concurrency transactions in flight.")
@click.option("--yes", is_flag=True, help="Start a draft without asking (on a terminal, `send` asks first).")
@click.option("--outside-window", is_flag=True,
              help="Send it outside its purpose's sending window, now and until it ends (an admin's decision, "
                   "audited; needs --as).")
@click.option("--as", "as_username", default=None, metavar="USERNAME",
              help="The admin account --outside-window is done as, named in the audit log.")
def send_command(campaign_id: int, concurrency: int, rate: int | None, processes: int | None, yes: bool,
                 outside_window: bool, as_username: str | None) -> None:
    """Send a campaign; run it again to resume after an interruption. A draft's audience is shown first and,
    on a terminal, the start is to be confirmed. Outside its sending window it waits for the next opening."""
    if outside_window and not as_username:
        fail("--outside-window needs --as USERNAME: the admin account it is done as")
    _confirm_start(campaign_id, ask=not yes and sys.stdin.isatty())
    _before_sending(campaign_id, rate, outside_window, as_username)
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
            task = progress.add_task("sending", total=None)

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
            try:
                return await send_campaign(campaign_id, options)
            finally:
                if follower:
                    follower.cancel()

    summary = run(work, loop_factory=loop_factory())
    _print_summary(summary)
    _print_status(campaign_id)
    _exit_as_interrupted(stopping.received)


def _before_sending(campaign_id: int, rate: int | None, outside_window: bool, as_username: str | None) -> None:
    """The campaign's new rate, and an admin's leave to send it outside its window; then, when it has to
    wait for its window, when it will start."""
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
        click.echo(f"outside its sending window: it will start on {resumes:%A} {resumes.day} {resumes:%B %Y at %H:%M} "
                   "(Paris time); "
                   "this command waits until then (Ctrl-C leaves it to `contacts worker` or `contacts serve`)")


def _confirm_start(campaign_id: int, ask: bool) -> None:
    """A draft: who would receive it, counted without writing anything; then, if `ask`, the question."""
    from contacts.services.campaigns import (
        audience_count,  # start-up: imported when run
    )
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    async def work():
        campaign = await campaigns.get(campaign_id)
        return campaign, (await audience_count.of_campaign(campaign) if campaign.status == "draft" else None)

    campaign, found = run(work)
    if found is None:
        return  # started already: this resumes it
    click.echo(f"campaign {campaign.id}: {campaign.subject}")
    for line in audience_lines(found):
        click.echo(f"  {line}")
    if found.undecided:
        return  # the start refuses it, saying which option to set
    if ask:
        click.confirm(f"Send campaign {campaign.id} to {found.receiving} recipients?", abort=True)


def audience_lines(found) -> list[str]:
    """The audience summary, a line each: the count, by list, by language, skipped by reason."""
    lines = [f"will receive it: {found.receiving}"]
    lines += [f"  through {slug}: {n}" for slug, n in found.by_list.items()]
    lines += [f"  in {language}: {n}" for language, n in found.by_language.items()]
    lines.append(f"skipped: {found.skipped}")
    lines += [f"  {reason}: {n}" for reason, n in found.skipped_by_reason.items()]
    for language, n in found.without_version.items():
        lines.append(f"no {language} version, for {n} recipients speaking it")
    if found.undecided:
        lines.append(f"undecided: {found.undecided} (set missing_language: other or skip)")
    return lines


def _print_summary(summary) -> None:
    click.echo(f"this run: sent {summary.sent}, failed {summary.failed}, skipped {summary.skipped}, "
               f"retries scheduled {summary.retried}; {summary.outcome}")
    if summary.outcome == "stopped":
        click.echo("arrêté après les messages en cours\u202f; relancez la commande pour continuer / "
                   "stopped after the messages in flight; run it again to go on")


def _exit_as_interrupted(received: int | None) -> None:
    """Ctrl-C exits as an interrupted command does (130); SIGTERM, the way a service stops, exits 0."""
    if received == signal.SIGINT:
        sys.exit(128 + signal.SIGINT)


@campaign_group.command(name="status")
@click.argument("campaign_id", type=ROW_ID)
def status_command(campaign_id: int) -> None:
    """Counts per delivery state, and skipped recipients per reason."""
    _print_status(campaign_id)


def _print_status(campaign_id: int) -> None:
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    async def work():
        return await campaigns.get(campaign_id), await campaigns.progress(campaign_id)

    campaign, progress = run(work)
    click.echo(f"campaign {campaign.id} ({campaign.status}): {campaign.subject}")
    if campaign.status in ("running", "paused") and campaign.audience_built_at is None:
        click.echo("  audience: not all written yet (sending goes on meanwhile; `send` builds the rest)")
    for state in ("queued", "sending", "sent", "failed", "skipped"):
        click.echo(f"  {state}: {progress.by_status.get(state, 0)}")
    for reason, count in progress.skipped_by_reason.items():
        click.echo(f"    skipped, {reason}: {count}")
    click.echo(f"  hard bounces: {progress.hard_bounces}")
    click.echo(f"  soft bounces: {progress.soft_bounces}")
    click.echo(f"  complaints: {progress.complaints} ({progress.complaint_rate:.2%} of sent)")


@campaign_group.command(name="pause")
@click.argument("campaign_id", type=ROW_ID)
def pause_command(campaign_id: int) -> None:
    """Stop sending after the messages in flight; `send` resumes."""
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    campaign = run(lambda: campaigns.change_status(campaign_id, "pause"))
    click.echo(f"campaign {campaign.id} is {campaign.status}")


@campaign_group.command(name="cancel")
@click.argument("campaign_id", type=ROW_ID)
def cancel_command(campaign_id: int) -> None:
    """Stop for good: nothing more of this campaign is sent."""
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    campaign = run(lambda: campaigns.change_status(campaign_id, "cancel"))
    click.echo(f"campaign {campaign.id} is {campaign.status}")


@click.command(name="worker")
@click.option("--concurrency", type=click.IntRange(min=1, max=32), default=4, show_default=True)
@click.option("--poll", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between looks for running campaigns.")
@click.option("--once", is_flag=True, help="Exit when no running campaign has anything left to send now.")
def worker_command(concurrency: int, poll: float, once: bool) -> None:
    """Drain running campaigns; start several, on several machines, to share the work."""
    from contacts.sending.draining import work_forever  # start-up: imported when run
    from contacts.sending.processes import loop_factory  # start-up: imported when run
    from contacts.sending.worker import SendOptions  # start-up: imported when run

    async def work():
        stopping.install()
        return await work_forever(SendOptions(concurrency=concurrency, wait_for_retries=False), poll, once=once)

    _print_summary(run(work, loop_factory=loop_factory()))
    _exit_as_interrupted(stopping.received)
