"""What answering a rights request does, per type, and what the person is told of it."""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.dates import format_date

from contacts.domain import Channel, LegalBasis, RightsRequestType, SubscriptionStatus
from contacts.errors import ConflictError
from contacts.i18n import N_, Table, gettext
from contacts.services import catalogue
from contacts.services.optout import links as optout
from contacts.services.optout import writer as optout_writer
from contacts.services.rights import after_death, erasure, propagation, restriction
from contacts.services.rights import export as subject_export
from contacts.services.rights.notices import address_of, tell
from contacts.services.staff.accounts import Staff
from contacts.tables import Subscription

# What the answer says was done, in the person's language.
DONE = Table({
    RightsRequestType.ACCESS: N_("Below is the link to all the data we hold about you."),
    RightsRequestType.PORTABILITY: N_("Your data is ready at the link below, as JSON and CSV."),
    RightsRequestType.RECTIFICATION: N_("Your data has been corrected as you asked."),
    RightsRequestType.ERASURE: N_("Your data has been erased. Only a keyed fingerprint of your address is kept, so "
                                  "that we never write to you again."),
    RightsRequestType.RESTRICTION: N_("The processing of your data is restricted: it is only stored. We will tell you "
                                      "before the restriction is lifted."),
    RightsRequestType.OBJECTION: N_("Your objection is recorded: we will send you no more direct marketing."),
    RightsRequestType.WITHDRAW_CONSENT: N_("Your consent is withdrawn: you will no longer receive the mailings you had "
                                           "consented to."),
    RightsRequestType.AFTER_DEATH: N_("Your after-death instructions are recorded. You may change or revoke them at "
                                      "any time."),
})
LINK_EXPIRES = N_("This personal link works until %(date)s; do not pass it on.")
NOTHING_HELD = N_("We hold no data linked to your address.")


@dataclass
class Outcome:
    summary: str
    told: bool
    counts: dict[str, int] = field(default_factory=dict)


async def send_export(row: dict, note: str = "") -> bool:
    """The answer to an access or portability request: the person is mailed an expiring link to their export
    (REQ-16/17); True when their server took it."""
    kind = RightsRequestType(row["request_type"])
    language = (await address_of(row))[2]
    expires_on = format_date(subject_export.link_expiry(), format="long", locale=language)
    return await tell(row, "rights-answer", {
        "done": f"{DONE[language][kind]} {gettext(language, LINK_EXPIRES, date=expires_on)}", "note": note,
        "link": subject_export.export_link(row["id"])})


async def carry_out(staff: Staff, row: dict, note: str, choices: dict[str, str]) -> Outcome:
    kind = RightsRequestType(row["request_type"])
    contact_id = row["contact"]
    language = (await address_of(row))[2]
    counts: dict[str, int] = {}
    if contact_id is None:
        if kind != RightsRequestType.ACCESS and kind != RightsRequestType.PORTABILITY:
            raise ConflictError(N_("no contact holds this address: refuse the request or record it as answered by post"))
        told = await tell(row, "rights-answer", {"done": gettext(language, NOTHING_HELD), "note": note, "link": ""})
        return Outcome(N_("no data held"), told)
    if kind in (RightsRequestType.ACCESS, RightsRequestType.PORTABILITY):
        told = await send_export(row, note)
        return Outcome(N_("export link sent"), told)
    if kind == RightsRequestType.ERASURE:
        counts["propagations"] = await propagation.record_for(row["id"], contact_id, "erasure")
        told = await tell(row, "rights-answer", {"done": DONE[language][kind], "note": note, "link": ""})
        report = await erasure.erase_contact(contact_id, actor=staff, reason=f"rights request {row['id']}",
                                             rights_request_id=row["id"])
        counts.update({f"erased_{table}": n for table, n in report.changed.items()})
        return Outcome(N_("erased"), told, counts)
    if kind == RightsRequestType.RESTRICTION:
        await restriction.restrict(contact_id, "asked_for", actor=staff, rights_request_id=row["id"])
        counts["propagations"] = await propagation.record_for(row["id"], contact_id, "restriction")
    elif kind == RightsRequestType.RECTIFICATION:
        counts["propagations"] = await propagation.record_for(row["id"], contact_id, "rectification")
    elif kind == RightsRequestType.OBJECTION:
        purposes = [purpose for purpose in await catalogue.purposes() if purpose.is_direct_marketing]
        counts["purposes"] = await optout.object_for_contact(
            contact_id, purposes, reason=f"rights request {row['id']}", channel=Channel.STAFF, all_marketing=True,
            actor=staff.actor)
    elif kind == RightsRequestType.WITHDRAW_CONSENT:
        lists = await Subscription.select(Subscription.mailing_list).where(
            Subscription.contact == contact_id, Subscription.legal_basis == LegalBasis.CONSENT,
            Subscription.status.is_in([SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.PENDING]))
        changed = await optout_writer.unsubscribe([optout_writer.Unsubscribe(
            contact_id, item["mailing_list"], Channel.STAFF, f"rights request {row['id']}: consent withdrawn",
            actor=staff.actor) for item in lists])
        counts["lists"] = sum(changed)
    elif kind == RightsRequestType.AFTER_DEATH:
        await after_death.record(staff, contact_id, choices.get("instruction", ""),
                                 executor_name=choices.get("executor_name", ""),
                                 executor_email=choices.get("executor_email", ""), details=note)
    told = await tell(row, "rights-answer", {"done": DONE[language][kind], "note": note, "link": ""})
    # A restriction set while accuracy was disputed ends with the answer, which told the person first (REQ-20).
    if told and kind != RightsRequestType.RESTRICTION:
        for held in await restriction.of_request(row["id"]):
            if held.lifted_at is None:
                await restriction.mark_lift_notified(held.id)
                await restriction.lift(held.id, actor=staff)
    return Outcome(SUMMARIES[kind], told, counts)


# What an answered request's outcome says, stored in English as written here and shown through the catalogue.
SUMMARIES = {
    RightsRequestType.RECTIFICATION: N_("rectification done"), RightsRequestType.RESTRICTION: N_("restriction done"),
    RightsRequestType.OBJECTION: N_("objection done"), RightsRequestType.WITHDRAW_CONSENT: N_("withdraw consent done"),
    RightsRequestType.AFTER_DEATH: N_("after death done"),
}
