"""The export's own words, written in English and translated by the catalogue (locale/): REQ-16 (e) the rights,
(f) the complaint, (h) automated decisions, and the headings and value names of the readable summary. Purposes,
legal bases, data categories, recipients and retention come from the record of processing
(services/records_of_processing.py). Tables are read as `TABLE[language][key]`; sentences with `gettext`."""

from __future__ import annotations

from contacts.i18n import LANGUAGES, N_, Table

__all__ = ["LANGUAGES"]

RIGHTS = Table({
    "access": N_("Right of access: to know whether we process your data, and to get a copy (this export)."),
    "rectification": N_("Right to rectification: to have your data corrected or completed."),
    "erasure": N_("Right to erasure: to have your data erased; only a keyed fingerprint of your address remains, so "
                  "that we never write to you again."),
    "restriction": N_("Right to restriction: to have the use of your data suspended while a dispute is examined."),
    "objection": N_("Right to object: to object at any time to direct marketing, without giving a reason; the "
                    "objection is immediate and final."),
    "portability": N_("Right to portability: to receive your data in a structured, machine-readable format (JSON, "
                      "CSV) and pass it to another organisation."),
    "withdraw_consent": N_("Withdrawal of consent: to withdraw a consent at any time, as easily as you gave it."),
    "after_death": N_("After-death instructions: to say what we should do with your data after your death (keep, "
                      "erase, or communicate it to a person you name)."),
})
HOW_TO_EXERCISE = N_("To exercise these rights: the “Manage my preferences” link in each of our messages, or an "
                     "email to our data protection officer, %(dpo)s.")
COMPLAINT = N_("If you believe your rights are not respected, you may lodge a complaint with the French data "
               "protection authority, the Commission nationale de l'informatique et des libertés (CNIL).")
CNIL = {"authority": "Commission nationale de l'informatique et des libertés (CNIL)",
        "website": "https://www.cnil.fr",
        "address": "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France"}
AUTOMATED = N_("No decision with legal or similarly significant effects on you is taken by automated means alone, "
               "and no profile is built (GDPR Art. 22).")
TRANSFERS = N_("no transfer outside the European Union")
SUPPRESSION_STORED = N_("The do-not-contact list keeps only a keyed fingerprint (HMAC-SHA256) of your address, never "
                        "the address.")
SOURCE_TYPES = Table({
    "given": N_("data you gave us"), "third_party": N_("data obtained from a third party"),
    "relationship": N_("data collected during our relationship"),
    "service_use": N_("data collected through your use of our services"),
})

# The readable summary: its headings, its field labels, and the values it spells out.
SUMMARY = Table({
    "title": N_("Your personal data"), "generated": N_("Export made on {date} by {controller}."),
    "intro": N_("This document sums up everything we hold about you. The JSON and CSV files hold the same data, in "
                "full, for another service or a spreadsheet."),
    "contact": N_("Your details"), "provenance": N_("Where your data came from (g)"), "purposes": N_("Purposes (a)"),
    "categories_of_data": N_("Categories of data (b)"), "recipients": N_("Recipients (c)"),
    "disclosures": N_("Disclosures of your data to third parties"), "retention": N_("Retention periods (d)"),
    "subscriptions": N_("Your subscriptions"), "consent_events": N_("History of your choices and consent proofs"),
    "send_history": N_("Messages sent (no open or click tracking)"), "suppression": N_("Do-not-contact list"),
    "restrictions": N_("Restrictions of processing"), "rights_requests": N_("Your rights requests"),
    "after_death_instructions": N_("After-death instructions"), "invitations": N_("Invitations"),
    "pending_consents": N_("Consents awaiting confirmation"), "rights": N_("Your rights (e)"),
    "complaint": N_("Complaint (f)"), "automated_decisions": N_("Automated decisions (h)"),
    "audience_measurement": N_("Audience measurement"),
    "none": N_("Nothing."), "suppressed": N_("Your address is on the do-not-contact list."),
    "not_suppressed": N_("Your address is not on the do-not-contact list."),
    "legal_basis": N_("basis"), "status": N_("status"), "since": N_("since"), "until": N_("until"),
    "evidence": N_("evidence"), "list": N_("list"), "campaign": N_("campaign"), "sent_at": N_("sent on"),
    "reason": N_("reason"), "channel": N_("channel"), "field": N_("field"), "value": N_("value"),
    "controller": N_("Controller"), "dpo": N_("Data protection officer"), "transfers": N_("Transfers"),
    "sep": N_(": "),  # between a label and its value: French puts a space before the colon
})
# The contact's fields, and the summary's table columns by field name.
_FIELDS = {
    "title": N_("title"), "first_name": N_("first name"), "last_name": N_("last name"),
    "organisation": N_("organisation"), "position": N_("position"), "department": N_("department"),
    "email": N_("email address"), "phone": N_("phone"), "postal_address": N_("postal address"),
    "language": N_("language"), "address_kind": N_("kind of address"), "status": N_("status"),
    "created_at": N_("created on"), "updated_at": N_("updated on"),
    "last_initiated_contact_at": N_("last contact you initiated"), "method": N_("how it was collected"),
    "source_name": N_("source"), "collected_at": N_("collected on"), "notice_version": N_("version of the notice shown"),
}
_COLUMNS = {
    "list": N_("list"), "list_name": N_("list name"), "purpose": N_("purpose"), "legal_basis": N_("basis"),
    "legal_basis_words": N_("legal basis"), "evidence": N_("evidence"), "started_at": N_("since"),
    "ended_at": N_("until"), "occurred_at": N_("date"), "action": N_("event"), "channel": N_("channel"),
    "reason": N_("reason"), "details": N_("details"), "redacted": N_("text erased"), "campaign": N_("campaign"),
    "subject": N_("subject"), "skip_reason": N_("why not sent"), "sent_at": N_("sent on"), "bounce": N_("bounce"),
    "bounced_at": N_("bounced on"), "complained_at": N_("complaint on"),
    "lift_notified_at": N_("lifting announced on"), "lifted_at": N_("lifted on"), "reference": N_("number"),
    "type": N_("right"), "received_at": N_("received on"), "due_on": N_("answer due on"),
    "extended_to": N_("extended to"), "extension_reason": N_("why extended"),
    "identity_verified": N_("identity verified"), "identity_method": N_("verified by"),
    "identity_verified_at": N_("verified on"), "text": N_("your request"), "outcome": N_("outcome"),
    "refusal_ground": N_("ground of refusal"), "closed_at": N_("closed on"), "instruction": N_("instruction"),
    "executor_name": N_("person named"), "executor_email": N_("their address"), "recorded_at": N_("recorded on"),
    "revoked_at": N_("revoked on"), "applied_at": N_("applied on"), "event": N_("event"),
    "responded_at": N_("answered on"), "arrived_at": N_("arrived on"), "companion": N_("companion"),
    "companion_arrived_at": N_("companion arrived on"),
    "companion_retention": N_("companion's name kept"), "lists": N_("lists"), "wording": N_("wording accepted"), "form": N_("form"),
    "requested_at": N_("asked on"), "expires_at": N_("expires on"),
}
FIELD_LABELS = Table({**_COLUMNS, **_FIELDS})

# Codes the summary spells out (read through the French table; in English the code itself reads well).
VALUES = Table({
    "pending": N_("pending"), "subscribed": N_("subscribed to the list"),
    "unsubscribed": N_("unsubscribed from the list"), "objected": N_("objected"), "confirmed": N_("confirmed"),
    "suppressed": N_("put on the do-not-contact list"), "suppression_imported": N_("do-not-contact list (import)"),
    "suppression_lifted": N_("taken off the do-not-contact list"), "rights_requested": N_("rights requested"),
    "rectified": N_("rectified"), "erased": N_("erased"), "restricted": N_("restricted"),
    "restriction_lifted": N_("restriction lifted"), "queued": N_("queued"), "sending": N_("sending"),
    "sent": N_("sent"), "failed": N_("failed"), "skipped": N_("skipped"), "hard": N_("hard"), "soft": N_("soft"),
    "active": N_("active"), "consent": N_("consent"), "contract": N_("contract"),
    "legitimate_interest": N_("legitimate interest"), "legal_obligation": N_("legal obligation"),
    "import": N_("import"), "staff": N_("staff"), "web_form": N_("web form"), "one_click": N_("one click"),
    "unsubscribe_page": N_("unsubscribe page"), "objection_page": N_("objection page"),
    "preference_centre": N_("preference centre"), "mailto": N_("mailto"), "bounce": N_("bounce"),
    "complaint": N_("complaint"), "system": N_("system"), "given": N_("given"), "third_party": N_("third party"),
    "relationship": N_("relationship"), "service_use": N_("service use"), "private": N_("private"),
    "professional": N_("professional"), "generic": N_("generic"), "received": N_("received"),
    "awaiting_identity": N_("awaiting identity"), "in_progress": N_("in progress"), "extended": N_("extended"),
    "answered": N_("answered"), "refused": N_("refused"), "access": N_("access"),
    "rectification": N_("rectification"), "erasure": N_("erasure"), "restriction": N_("restriction"),
    "objection": N_("objection"), "portability": N_("portability"), "withdraw_consent": N_("withdraw consent"),
    "after_death": N_("after death"), "listed": N_("listed"), "invited": N_("invited"), "accepted": N_("accepted"),
    "waitlisted": N_("on the waiting list"),
    "declined": N_("declined"), "attended": N_("attended"), "unsubscribe": N_("unsubscribe"),
    "hard_bounce": N_("hard bounce"), "soft_bounce": N_("soft bounce"), "manual": N_("manual"),
    "global": N_("global"), "fr": N_("French"), "en": N_("English"), "keep": N_("keep"), "erase": N_("erase"),
    "communicate": N_("communicate"), "asked_for": N_("asked for"), "accuracy_disputed": N_("accuracy disputed"),
    "objection_pending": N_("objection pending"), "deceased": N_("deceased"), "true": N_("true"),
    "false": N_("false"),
})
