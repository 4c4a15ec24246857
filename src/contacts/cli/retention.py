"""`contacts retention run [--dry-run]`: what the retention rules ask, and why; then it is done."""

from __future__ import annotations

import json

import click

from contacts.cli.runner import actor, run


@click.group(name="retention")
def retention_group() -> None:
    """The retention engine (REQ-9): anonymise or archive what its purposes no longer keep."""


@retention_group.command(name="run")
@click.option("--dry-run", is_flag=True, help="List what would be done, and change nothing.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def run_command(dry_run: bool, output_format: str) -> None:
    """List each contact to anonymise or archive and why, the held ones, the third-party contacts not told
    within a month (REQ-13) and other expired data; then do it, unless --dry-run."""
    from contacts.services.retention import engine  # start-up: imported when run

    report = run(lambda: engine.run(dry_run=dry_run, actor=actor()))
    if output_format == "json":
        click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
        return
    for line in as_lines(report):
        click.echo(line)


def as_lines(report) -> list[str]:
    when = f"{report.now:%Y-%m-%d %H:%M} UTC"
    lines = [f"Retention run at {when}" + (" (dry run: nothing changed)" if report.dry_run else "")]
    lines += [f"{item.action.value:<10} contact {item.contact_id}: {item.reason}" for item in report.due]
    lines += [f"{'held':<10} contact {held.verdict.contact_id}: due to {held.verdict.action.value} "
              f"({held.verdict.reason}); {held.why}" for held in report.held]
    lines += [f"{'flagged':<10} contact {item.contact_id}: from the third-party source {item.source_name!r}, "
              f"collected {item.collected_on}, not told by {item.notice_due_on} (REQ-13)" for item in report.unnoticed]
    words = {"pending_consent": "unconfirmed consent request(s) past their expiry",
             "staff_session": "staff session(s) past their expiry",
             "identity_document": "identity document(s) of closed requests",
             "companion_name": "companion name(s) of events past their retention (REQ-51)"}
    lines += [f"{'delete':<10} {count} {words[table]}" for table, count in report.expired.items() if count]
    summary, done = report.summary(), report.done
    if report.dry_run:
        lines.append(f"Summary: {summary['anonymise']} to anonymise, {summary['archive']} to archive, "
                     f"{summary['held']} held, {summary['unnoticed_third_party']} flagged")
    else:
        lines.append(f"Summary: {done.get('anonymised', 0)} anonymised, {done.get('archived', 0)} archived, "
                     f"{summary['held']} held, {summary['unnoticed_third_party']} flagged")
    if done.get("changed_since_planned"):
        lines.append(f"{done['changed_since_planned']} contact(s) changed since the plan and were left as they are")
    return lines


def as_json(report) -> dict:
    return {
        "now": report.now.isoformat(), "dry_run": report.dry_run,
        "due": [{"contact": item.contact_id, "action": item.action.value, "rule": item.rule, "purpose": item.purpose,
                 "ends": item.ends.isoformat(), "reason": item.reason} for item in report.due],
        "held": [{"contact": held.verdict.contact_id, "action": held.verdict.action.value,
                  "reason": held.verdict.reason, "why": held.why} for held in report.held],
        "unnoticed_third_party": [{"contact": item.contact_id, "source": item.source_name,
                                   "collected_on": item.collected_on.isoformat(),
                                   "notice_due_on": item.notice_due_on.isoformat()} for item in report.unnoticed],
        "expired": report.expired, "done": report.done,
    }
