"""`contacts retention run [--dry-run]`: what the retention rules ask, and why; then it is done."""

from __future__ import annotations

import json

import click

from contacts.cli.runner import actor, run
from contacts.cli.words import _, language, ngettext
from contacts.i18n import N_, when


@click.group(name="retention",
             help=N_("The retention engine: anonymise or archive what its purposes no longer keep."))
def retention_group() -> None:
    pass


@retention_group.command(name="run",
                         help=N_("List each contact to anonymise or archive and why, the held ones, the third-party "
                                 "contacts not told within a month and other expired data; then do it, unless "
                                 "--dry-run."))
@click.option("--dry-run", is_flag=True, help=N_("List what would be done, and change nothing."))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def run_command(dry_run: bool, output_format: str) -> None:
    from contacts.services.retention import engine  # start-up: imported when run

    report = run(lambda: engine.run(dry_run=dry_run, actor=actor()))
    if output_format == "json":
        click.echo(json.dumps(as_json(report), ensure_ascii=False, indent=2))
        return
    for line in as_lines(report):
        click.echo(line)


def as_lines(report) -> list[str]:
    lang = language()
    actions = {"anonymise": _("anonymise"), "archive": _("archive"), "held": _("held"), "flagged": _("flagged"),
               "delete": _("delete")}
    width = max(len(word) for word in actions.values()) + 1
    lines = [_("Retention run at %(moment)s", moment=when(report.now, lang))
             + (_(" (dry run: nothing changed)") if report.dry_run else "")]
    lines += [_("%(action)s contact %(id)s: %(reason)s", action=actions[item.action.value].ljust(width),
                id=item.contact_id, reason=item.reason.said_in(lang)) for item in report.due]
    lines += [_("%(action)s contact %(id)s: due to %(due)s (%(reason)s); %(why)s", action=actions["held"].ljust(width),
                id=held.verdict.contact_id, due=actions[held.verdict.action.value],
                reason=held.verdict.reason.said_in(lang), why=held.why.said_in(lang)) for held in report.held]
    lines += [_("%(action)s contact %(id)s: from the third-party source “%(source)s”, collected on %(collected)s, "
                "not told by %(due)s", action=actions["flagged"].ljust(width), id=item.contact_id,
                source=item.source_name, collected=when(item.collected_on, lang), due=when(item.notice_due_on, lang))
              for item in report.unnoticed]
    for table, count in report.expired.items():
        if count:
            lines.append(f"{actions['delete'].ljust(width)}{_expired_words(table, count)}")
    summary, done = report.summary(), report.done
    if report.dry_run:
        lines.append(_("Summary: %(anonymise)s to anonymise, %(archive)s to archive, %(held)s held, %(flagged)s flagged",
                       anonymise=summary["anonymise"], archive=summary["archive"], held=summary["held"],
                       flagged=summary["unnoticed_third_party"]))
    else:
        lines.append(_("Summary: %(anonymised)s anonymised, %(archived)s archived, %(held)s held, %(flagged)s flagged",
                       anonymised=done.get("anonymised", 0), archived=done.get("archived", 0), held=summary["held"],
                       flagged=summary["unnoticed_third_party"]))
    if changed := done.get("changed_since_planned"):
        lines.append(ngettext("%(num)s contact changed since the plan and was left as it is",
                              "%(num)s contacts changed since the plan and were left as they are", changed))
    return lines


def _expired_words(table: str, count: int) -> str:
    if table == "pending_consent":
        return ngettext("%(num)s unconfirmed consent request past its expiry",
                        "%(num)s unconfirmed consent requests past their expiry", count)
    if table == "staff_session":
        return ngettext("%(num)s staff session past its expiry", "%(num)s staff sessions past their expiry", count)
    if table == "companion_name":
        return ngettext("%(num)s companion name of an event past its retention",
                        "%(num)s companion names of events past their retention", count)
    return ngettext("%(num)s identity document of a closed request", "%(num)s identity documents of closed requests",
                    count)


def as_json(report) -> dict:
    return {
        "now": report.now.isoformat(), "dry_run": report.dry_run,
        "due": [{"contact": item.contact_id, "action": item.action.value, "rule": item.rule, "purpose": item.purpose,
                 "ends": item.ends.isoformat(), "reason": str(item.reason)} for item in report.due],
        "held": [{"contact": held.verdict.contact_id, "action": held.verdict.action.value,
                  "reason": str(held.verdict.reason), "why": str(held.why)} for held in report.held],
        "unnoticed_third_party": [{"contact": item.contact_id, "source": item.source_name,
                                   "collected_on": item.collected_on.isoformat(),
                                   "notice_due_on": item.notice_due_on.isoformat()} for item in report.unnoticed],
        "expired": report.expired, "done": report.done,
    }
