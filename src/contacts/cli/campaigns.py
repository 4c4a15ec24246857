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


@campaign_group.command(name="create")
@click.option("--list", "list_slugs", multiple=True, required=True, help="A list to send to; repeat for several.")
@click.option("--template", required=True, help="A template of templates/emails/, e.g. newsletter-communications.")
@click.option("--subject", type=TEXT, required=True)
@click.option("--body", "body_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="A UTF-8 text file: the message's paragraphs, separated by blank lines.")
@click.option("--purpose", "purpose_code", default=None, help="The purpose, when the lists serve several.")
@click.option("--rate", type=click.IntRange(min=1, max=INT32_MAX), default=None,
              help="At most this many messages per second.")
def create_command(list_slugs, template, subject, body_file, purpose_code, rate) -> None:
    """Create a draft campaign; prints its id alone on the last line."""
    from contacts.services.campaigns import (
        core as campaigns,  # start-up: imported when run
    )

    body = _body_text(body_file) if body_file else ""
    campaign = run(lambda: campaigns.create(list_slugs=list(list_slugs), template=template, subject=subject,
                                            actor=actor(), body=body, purpose_code=purpose_code, rate=rate))
    click.echo(f"campaign {campaign.id}: {campaign.subject!r} to {', '.join(i.slug for i in campaign.lists)} "
               f"({campaign.purpose.code}), template {campaign.template}")
    click.echo(campaign.id)


def _body_text(path: Path) -> str:
    try:
        body = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"--body: {path} is not UTF-8 text")
    if (character := control_character(body)) is not None:
        fail(f"--body: {path} contains a control character ({character}), which no text may hold")
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
@click.option("--to", required=True, help="Where to send the test message.")
def test_command(campaign_id: int, to: str) -> None:
    """Send one test message (subject marked [TEST]), outside the campaign's ledger."""
    from contacts.sending.preview import send_test  # start-up: imported when run

    run(lambda: send_test(campaign_id, to))
    click.echo(f"test message sent to {to}")


@campaign_group.command(name="send")
@click.argument("campaign_id", type=ROW_ID)
@click.option("--concurrency", type=click.IntRange(min=1, max=32), default=4, show_default=True,
              help="SMTP transactions in flight (each holds a database connection on PostgreSQL).")
@click.option("--rate", type=click.FloatRange(min=0.01), default=None, help="At most this many messages per second.")
@click.option("--processes", type=click.IntRange(min=1, max=32), default=None,
              help="Sending processes (default: one per core); each keeps --concurrency transactions in flight.")
def send_command(campaign_id: int, concurrency: int, rate: float | None, processes: int | None) -> None:
    """Send a campaign; run it again to resume after an interruption."""
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
            options = SendOptions(concurrency=concurrency, rate=rate, processes=processes or os.cpu_count() or 1)
            try:
                return await send_campaign(campaign_id, options)
            finally:
                if follower:
                    follower.cancel()

    summary = run(work, loop_factory=loop_factory())
    _print_summary(summary)
    _print_status(campaign_id)
    _exit_as_interrupted(stopping.received)


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
