"""The words for the codes staff see (a status, a reason, a legal basis): `third_party` is shown as
"third-party source", in the reader's language. The code itself stays where staff need it (a filter's value)."""

from __future__ import annotations

from contacts.i18n import N_, gettext

CODE_WORDS: dict[str, str] = {
    # legal bases
    "consent": N_("consent"), "contract": N_("contract"), "legitimate_interest": N_("legitimate interest"),
    "legal_obligation": N_("legal obligation"),
    # sources
    "given": N_("given by the person"), "third_party": N_("third-party source"),
    "relationship": N_("our relationship"), "service_use": N_("use of our services"),
    # contact and subscription statuses
    "active": N_("active"), "restricted": N_("restricted"), "archived": N_("archived"), "erased": N_("erased"),
    "pending": N_("awaiting confirmation"), "subscribed": N_("subscribed"), "unsubscribed": N_("unsubscribed"),
    "objected": N_("objected"),
    # suppression reasons
    "unsubscribe": N_("unsubscribe"), "objection": N_("objection"), "erasure": N_("erasure"),
    "hard_bounce": N_("permanent delivery failure"), "soft_bounce": N_("repeated temporary delivery failures"),
    "complaint": N_("complaint"), "manual": N_("added by staff"),
    # consent events
    "confirmed": N_("confirmed"), "suppressed": N_("suppressed"), "suppression_imported": N_("suppression imported"),
    "suppression_lifted": N_("suppression lifted"), "rights_requested": N_("rights request"),
    "rectified": N_("rectified"), "imported": N_("imported"),
    # channels
    "import": N_("import"), "cli": N_("command line"), "staff": N_("staff pages"), "api": N_("API"),
    "web_form": N_("web form"), "one_click": N_("one-click unsubscribe"), "unsubscribe_page": N_("unsubscribe page"),
    "objection_page": N_("objection page"), "preference_centre": N_("preference centre"), "mailto": N_("email"),
    "bounce": N_("bounce"), "post": N_("post"), "email": N_("email"), "in_person": N_("in person"),
    "phone": N_("phone"),
    # rights requests
    "access": N_("access"), "rectification": N_("rectification"), "restriction": N_("restriction"),
    "portability": N_("portability"), "withdraw_consent": N_("withdrawal of consent"),
    "after_death": N_("instructions after death"), "received": N_("received"),
    "awaiting_identity": N_("awaiting proof of identity"), "in_progress": N_("in progress"),
    "extended": N_("extended"), "answered": N_("answered"), "refused": N_("refused"),
    # invitations
    "listed": N_("listed"), "invited": N_("invited"), "accepted": N_("accepted"), "declined": N_("declined"),
    "attended": N_("attended"), "waitlisted": N_("on the waiting list"),
    # campaigns and deliveries
    "draft": N_("draft"), "running": N_("sending"), "paused": N_("paused"), "cancelled": N_("cancelled"),
    "finished": N_("finished"), "queued": N_("queued"), "sending": N_("sending"), "sent": N_("sent"),
    "failed": N_("failed"), "skipped": N_("skipped"), "no_valid_basis": N_("no valid legal basis"),
    "no_translation": N_("no version in their language"),
    # roles and departments
    "admin": N_("administrator"), "communications": N_("communications"), "events": N_("events"),
    "partnerships": N_("partnerships"), "mediation": N_("mediation"), "dpo": N_("data protection officer"),
    "read_only": N_("read only"),
    # address kinds and audiences
    "private": N_("private"), "professional": N_("professional"), "generic": N_("generic"),
    "public": N_("general public"),
    # an import's counts and outcomes
    "created": N_("created"), "updated": N_("updated"), "unchanged": N_("unchanged"),
    "already_subscribed": N_("already subscribed"), "awaiting_confirmation": N_("awaiting confirmation"),
    "not_resubscribed": N_("not subscribed again"), "skipped_suppressed": N_("left out: on the suppression list"),
    "skipped_restricted": N_("left out: restricted"), "skipped_no_basis": N_("left out: no legal basis"),
    "duplicates": N_("duplicates"), "invalid": N_("invalid"), "duplicate": N_("duplicate"),
    # instructions after death
    "keep": N_("keep the data, stored only"), "erase": N_("erase the data"),
    "communicate": N_("communicate the data to an executor"),
    # languages
    "fr": N_("French"), "en": N_("English"),
    # a contact's fields
    "title": N_("title"), "first_name": N_("first name"), "last_name": N_("last name"),
    "organisation": N_("organisation"), "position": N_("position"), "department": N_("department"),
    "email_canonical": N_("canonical address"), "postal_address": N_("postal address"), "language": N_("language"),
    "address_kind": N_("kind of address"), "source_type": N_("source type"), "source_name": N_("source"),
    "collected_at": N_("collected"), "notice_version": N_("notice version"), "status": N_("status"),
    "last_initiated_contact_at": N_("last contact they initiated"), "created_at": N_("created"),
    "updated_at": N_("updated"), "import_run": N_("import"), "import_row": N_("import row"),
    # a subscription's evidence
    "kind": N_("kind"), "file": N_("file"), "row": N_("row"), "recorded_at": N_("recorded"),
    "legal_basis": N_("legal basis"), "purpose": N_("purpose"), "form": N_("form"), "channel": N_("channel"),
    "consent_at": N_("consent given"), "confirmed_at": N_("confirmed"), "double_opt_in": N_("double opt-in"),
    "wording": N_("wording"),
}


def code_word(code: str, lang: str) -> str:
    """The code's words in the language; an unknown code as it is, its underscores as spaces."""
    words = CODE_WORDS.get(code)
    return gettext(lang, words) if words else code.replace("_", " ")
