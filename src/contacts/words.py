"""The words for the codes staff see (a status, a reason, a legal basis): `third_party` is shown as
"third-party source", in the reader's language. The code itself stays where staff need it (a filter's value)."""

from __future__ import annotations

from contacts.i18n import N_, Phrase, gettext

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
    "answer": N_("answer"), "reminder_no_answer": N_("guests without an answer"), "reminder_accepted": N_("guests who accepted"),
    # campaigns and deliveries
    "draft": N_("draft"), "approved": N_("approved"), "scheduled": N_("scheduled"), "running": N_("sending"), "paused": N_("paused"), "cancelled": N_("cancelled"),
    "finished": N_("finished"), "queued": N_("queued"), "sending": N_("sending"), "sent": N_("sent"),
    "failed": N_("failed"), "skipped": N_("skipped"), "no_valid_basis": N_("no valid legal basis"),
    "no_translation": N_("no version in their language"),
    # roles and departments
    "admin": N_("administrator"), "communications": N_("communications"),
    "communications_lead": N_("communications lead"), "events": N_("events"),
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

# What the audit log names: the kinds of object, and the keys of an entry's details.
AUDIT_WORDS: dict[str, str] = {
    "staff_user": N_("staff account"), "rights_request": N_("rights request"), "invitation_list": N_("guest list"),
    "mailing_list": N_("list"), "media_image": N_("image"), "retention": N_("retention"),
    "suppression": N_("suppression list"), "campaign": N_("campaign"), "contact": N_("contact"),
    "propagation": N_("notice to recipients of the data"), "as": N_("as"), "changed": N_("changed"),
    "complaints": N_("complaints"), "contacts": N_("contacts"), "counts": N_("counts"), "document": N_("document"),
    "documents_deleted": N_("documents deleted"), "done": N_("done"), "fields": N_("fields"), "filters": N_("filters"),
    "format": N_("format"), "found": N_("found"), "from": N_("from"), "guests": N_("guests"),
    "instruction": N_("instruction"), "left_out": N_("left out"), "limit": N_("limit"), "list": N_("list"),
    "lists": N_("lists"), "marked": N_("marked"), "method": N_("method"), "name": N_("name"), "page": N_("page"),
    "paused_days": N_("days paused"), "query": N_("search"), "rate": N_("rate"), "reason": N_("reason"),
    "restriction": N_("restriction"), "rule": N_("rule"), "scope": N_("scope"), "sent": N_("sent"),
    "subject": N_("subject"), "template": N_("template"), "to": N_("to"), "type": N_("type"), "until": N_("until"),
    "verified_by": N_("verified by"), "why": N_("why"), "confirmed_count": N_("confirmed count"),
    # the retention run's summary
    "anonymise": N_("to anonymise"), "archive": N_("to archive"), "held": N_("held"),
    "unnoticed_third_party": N_("third-party contacts not told"),
    "expired_pending_consent": N_("expired consent requests"), "expired_staff_session": N_("expired staff sessions"),
    "expired_identity_document": N_("expired identity documents"), "done_anonymised": N_("anonymised"),
    "done_archived": N_("archived"), "done_pending_consent": N_("consent requests deleted"),
    "done_staff_session": N_("staff sessions deleted"), "done_identity_document": N_("identity documents deleted"),
    "done_changed_since_planned": N_("changed since planned"),
}
CODE_WORDS.update({code: words for code, words in AUDIT_WORDS.items() if code not in CODE_WORDS})


# The fields a staff form's error names, as the form calls them: "Objet (français) : …", not "subject_fr : …".
FIELD_WORDS: dict[str, str] = {
    "subject_fr": N_("Subject (French)"), "subject_en": N_("Subject (English)"), "subject": N_("Subject"),
    "preheader_fr": N_("Preheader (French)"), "preheader_en": N_("Preheader (English)"),
    "body_fr": N_("Message (French)"), "body_en": N_("Message (English)"), "body": N_("Message"),
    "template": N_("Template"), "lists": N_("Lists"), "list": N_("List"), "purpose": N_("Purpose"),
    "purposes": N_("Purposes"), "greeting": N_("Greeting"), "rate": N_("Sending rate"),
    "missing_language": N_("Recipients whose language has no version"), "to": N_("Recipient"),
    "why": N_("Why"), "what": N_("Ask the person for"), "verified_by": N_("Verified by"),
    "received_on": N_("Received on"), "executor_email": N_("Executor's email address"),
    "instruction": N_("Their instructions"), "months": N_("Extend by"), "reason": N_("Reason"),
    "ground": N_("Ground"), "document": N_("Document"), "name": N_("Name"), "email": N_("Email address"),
    "scope": N_("Scope"), "channel": N_("Received through"), "source": N_("Source"), "separator": N_("Separator"),
    "username": N_("Username"), "password": N_("Password"), "file": N_("File"), "contacts": N_("Contacts"),
    "filters": N_("Filters"), "page": N_("Page"), "per_page": N_("Per page"),
}


def field_words(field: str, lang: str) -> str:
    """A form field's name in words, capitalised; a field we have no words for as it is."""
    words = FIELD_WORDS.get(field) or CODE_WORDS.get(field)
    if not words:
        return field
    said = gettext(lang, words)
    return said[:1].upper() + said[1:]


# Reasons the consent ledger stores in English, with the name of a source after them: shown in the reader's
# language by these messages. The ledger is append-only, so its text stays as written.
IMPORTED_FROM = N_("imported from %(source)s")
CONSENT_PROOF_IMPORTED_FROM = N_("consent proof imported from %(source)s")
_STORED_REASONS = {template.split("%(")[0]: template for template in (IMPORTED_FROM, CONSENT_PROOF_IMPORTED_FROM)}


def stored_reason(reason: str, lang: str) -> str:
    """A consent event's reason as a person reads it: a stored sentence in the language, a code in words,
    what a person wrote as it is."""
    for start, template in _STORED_REASONS.items():
        if reason.startswith(start):
            return gettext(lang, template, source=reason[len(start):])
    return code_word(reason, lang) if reason in CODE_WORDS else reason


class FieldName(Phrase):
    """A field named inside an error's message: by its code for the API and the command line (`body_fr`), in
    words on a page (« Message (français) »)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field

    def said_in(self, lang: str) -> str:
        words = field_words(self.field, lang)
        return f"« {words} »" if lang == "fr" else f"“{words}”"

    def __str__(self) -> str:
        return self.field


def code_word(code: str, lang: str) -> str:
    """The code's words in the language; an unknown code as it is, its underscores as spaces."""
    words = CODE_WORDS.get(code)
    return gettext(lang, words) if words else code.replace("_", " ")


def both_languages(code: str) -> str:
    """The code's words in French, then English, for the command line: « programmée / scheduled »."""
    french, english = code_word(code, "fr"), code_word(code, "en")
    return english if french == english else f"{french} / {english}"


# A campaign's timeline (REQ-53): each audit action about it in words, with who did it.
CAMPAIGN_STEPS: dict[str, str] = {
    "create": N_("created by %(who)s"), "approve": N_("approved by %(who)s"),
    "approval_withdrawn": N_("approval withdrawn: %(who)s changed the content"),
    "schedule": N_("scheduled by %(who)s, to start on %(at)s"), "unschedule": N_("taken back to draft by %(who)s"),
    "send": N_("started by %(who)s"), "start": N_("started at its scheduled time"),
    "start_late": N_("started late: it was due on %(at)s, and no sender was running then"),
    "start_refused": N_("not started at its time, and back to draft: %(reason)s"),
    "pause": N_("paused by %(who)s"),
    "pause_relay": N_("paused by the product itself: the mail server refused the messages or could not be reached "
                      "(%(reason)s)"),
    "pause_complaints": N_("paused by the product itself: too many recipients reported it as unwanted"),
    "cancel": N_("cancelled by %(who)s"), "finish": N_("finished"),
}


def actor_words(actor: str, lang: str) -> str:
    """Who did it, as the audit log names them: a staff member by their username, the command line's
    operator by their login."""
    kind, _, name = actor.partition(":")
    if kind == "cli":
        return gettext(lang, N_("%(name)s, on the command line"), name=name or "?")
    if kind == "system":
        return gettext(lang, N_("the product itself"))
    return name if kind == "staff" and name else actor
