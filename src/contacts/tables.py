"""Every Piccolo table. Only services touch these.

Foreign keys default to RESTRICT here: a consent ledger must never vanish by cascade.
Unique constraints over several columns are created as indexes in the migrations
(SQLite cannot ADD CONSTRAINT).
"""

from piccolo.columns import (
    JSON,
    BigSerial,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from contacts.domain import (
    AddressKind,
    AudienceKind,
    CampaignStatus,
    Channel,
    ContactStatus,
    DeliveryStatus,
    Department,
    EventAction,
    Greeting,
    Language,
    LegalBasis,
    RetentionRule,
    RightsRequestStatus,
    RightsRequestType,
    Role,
    SourceType,
    SubscriptionStatus,
    SuppressionReason,
)
from contacts.table_base import Table


class Notice(Table):
    """A version of the information notice shown at collection (REQ-2, REQ-12)."""

    version = Varchar(length=40)
    language = Varchar(length=2, choices=Language)
    wording = Text()
    published_at = Timestamptz(default=TimestamptzNow())


class Purpose(Table):
    code = Varchar(length=60, unique=True)
    name = Varchar(length=200)
    name_fr = Varchar(length=200, default="")  # what French messages and pages call it
    description = Text()
    description_fr = Text(default="")  # what French messages and pages say it is for
    # What the public consent box says it is for (the descriptions above are written for staff).
    public_description = Text(default="")
    public_description_fr = Text(default="")
    default_legal_basis = Varchar(length=30, choices=LegalBasis)
    is_direct_marketing = Boolean(default=True)
    retention_rule = Varchar(length=40, choices=RetentionRule)
    retention_days = Integer(null=True, default=None)  # the period the rule counts, when it has one
    approval_required = Boolean(default=False)  # REQ-53: its campaigns need another staff member's approval
    # Its sending window (REQ-54, services/windows.py): the days (`mon,tue,…`; none: any time) and hours, in
    # minutes after midnight Paris time, when its campaigns may go out.
    window_days = Varchar(length=30, default="")
    window_opens = Integer(default=0)
    window_closes = Integer(default=1440)
    window_skips_holidays = Boolean(default=True)  # no French public holiday


class PurposeDepartment(Table):
    """The departments empowered for a purpose (REQ-7)."""

    purpose = ForeignKey(references=Purpose, on_delete=OnDelete.cascade, index=True)
    department = Varchar(length=40, choices=Department)


class MailingList(Table, tablename="mailing_list"):
    slug = Varchar(length=60, unique=True)
    name = Varchar(length=200)
    name_fr = Varchar(length=200, default="")
    purpose = ForeignKey(references=Purpose, on_delete=OnDelete.restrict, index=True, null=False)
    audience = Text()  # who it is for, in words
    audience_fr = Text(default="")  # the same in French; the English is shown where it is empty
    audience_kind = Varchar(length=20, choices=AudienceKind)
    double_opt_in = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class ImportRun(Table, tablename="import_run"):
    """One CSV import: the evidence its subscriptions point at."""

    file_name = Varchar(length=500)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.restrict, null=False)
    source_type = Varchar(length=20, choices=SourceType)
    source_name = Varchar(length=300)
    legal_basis = Varchar(length=30, choices=LegalBasis)
    actor = Varchar(length=100)
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    counts = JSON(default="{}")


class Contact(Table):
    title = Varchar(length=40, null=True, default=None)
    first_name = Varchar(length=200, null=True, default=None)
    last_name = Varchar(length=200, null=True, default=None)
    organisation = Varchar(length=300, null=True, default=None)
    position = Varchar(length=200, null=True, default=None)
    department = Varchar(length=200, null=True, default=None)
    email = Varchar(length=254, null=True, default=None)  # email-validator's normalised form
    email_canonical = Varchar(length=254, null=True, default=None)  # canonicaliser output; unique
    phone = Varchar(length=40, null=True, default=None)
    postal_address = Text(null=True, default=None)
    language = Varchar(length=2, choices=Language, default=Language.FR)
    address_kind = Varchar(length=20, choices=AddressKind)
    source_type = Varchar(length=20, choices=SourceType)
    source_name = Varchar(length=300)
    collected_at = Timestamptz(default=TimestamptzNow())
    notice_version = Varchar(length=40, null=True, default=None)
    status = Varchar(length=20, choices=ContactStatus, default=ContactStatus.ACTIVE, index=True)
    last_initiated_contact_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # The last import that touched this contact, and its row: how an import finds duplicates
    # within its own file without holding every address in memory.
    import_run = ForeignKey(references=ImportRun, on_delete=OnDelete.restrict, null=True)
    import_row = Integer(null=True, default=None)


class Subscription(Table):
    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, index=True, null=False)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.restrict, index=True, null=False)
    legal_basis = Varchar(length=30, choices=LegalBasis)
    status = Varchar(length=20, choices=SubscriptionStatus)
    evidence = JSON(default="{}")  # REQ-2: what justifies the basis
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Suppression(Table):
    """A do-not-contact record: a keyed hash of the canonical address, never the address (REQ-44)."""

    address_hash = Varchar(length=64)  # hex HMAC-SHA256
    key_id = Varchar(length=16)  # which secret key made the hash
    canonicaliser_version = Integer()
    scope = Varchar(length=100)  # "global", "purpose:<code>" or "list:<slug>"
    reason = Varchar(length=20, choices=SuppressionReason)
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=100)
    # REQ-43: set when the person's confirmed fresh consent lifted it. Kept, not deleted: the ledger refers to it.
    lifted_at = Timestamptz(null=True, default=None)


class ConsentEvent(Table, tablename="consent_event"):
    """Append-only: every change of subscription or suppression state. Triggers refuse UPDATE and DELETE."""

    id = BigSerial(primary_key=True)
    occurred_at = Timestamptz(default=TimestamptzNow())
    action = Varchar(length=30, choices=EventAction)
    channel = Varchar(length=30, choices=Channel)
    actor = Varchar(length=100)
    reason = Text(null=True, default=None)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, index=True, null=True)
    subscription = ForeignKey(references=Subscription, on_delete=OnDelete.restrict, null=True)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.restrict, null=True)
    purpose = ForeignKey(references=Purpose, on_delete=OnDelete.restrict, null=True)
    suppression = ForeignKey(references=Suppression, on_delete=OnDelete.restrict, null=True)
    details = JSON(default="{}")
    # Erasure's one permitted change (REQ-19): reason and details blanked, the rest kept, once. Triggers allow
    # no other UPDATE.
    redacted_at = Timestamptz(null=True, default=None)


class Campaign(Table):
    # A version per language: one whose subject is empty does not exist (see missing_language).
    subject_fr = Varchar(length=300, default="")
    subject_en = Varchar(length=300, default="")
    preheader_fr = Varchar(length=300, default="")  # the inbox's preview line
    preheader_en = Varchar(length=300, default="")
    body_fr = Text(default="")  # Markdown (mail/markdown_body.py)
    body_en = Text(default="")
    missing_language = Varchar(length=10, null=True, default=None)  # MissingLanguage; None: not chosen
    template = Varchar(length=100)
    greeting = Varchar(length=20, choices=Greeting, default=Greeting.NONE)
    purpose = ForeignKey(references=Purpose, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=20, choices=CampaignStatus, default=CampaignStatus.DRAFT)
    rate = Integer(null=True, default=None)  # messages per second; None: as fast as the server takes them
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    # When its ledger rows were all written. Sending starts before: a running campaign without it is still
    # being built, and is not finished however few rows are queued.
    audience_built_at = Timestamptz(null=True, default=None)
    # The public archive (services/campaigns/archive.py): published there once finished, never by default;
    # a withdrawal is for good.
    archive = Boolean(default=False)
    archive_withdrawn_at = Timestamptz(null=True, default=None)
    archive_withdrawn_by = Varchar(length=100, null=True, default=None)
    # REQ-48: its links go through BASE_URL/l/TOKEN and are counted in aggregate; off, they go straight to
    # their targets.
    count_clicks = Boolean(default=True)
    # When a scheduled campaign starts by itself, and who scheduled it; kept once it started (a late start shows).
    scheduled_at = Timestamptz(null=True, default=None)
    scheduled_by = Varchar(length=100, null=True, default=None)
    # REQ-53: who approved it, when, and the fingerprint of the content approved: a change withdraws it.
    approved_by = Varchar(length=100, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    approved_content = Varchar(length=64, null=True, default=None)
    # An admin sent it outside its purpose's sending window (REQ-54): every sender then ignores the window.
    outside_window = Boolean(default=False)


class LinkClick(Table, tablename="link_click"):
    """REQ-48: how many times a link of a campaign's version in one language was followed within one hour,
    by people and by mail scanners, apart. Nothing here names a recipient, a delivery, an address or a device."""

    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.cascade, null=False)  # statistics, no ledger
    language = Varchar(length=2, choices=Language)
    link_key = Varchar(length=16)  # the link's digest, as its token names it (contacts.mail.click_links)
    url = Text()
    hour = Timestamptz()  # the start of the hour, UTC
    clicks = Integer(default=0)
    scanner_fetches = Integer(default=0)  # HEAD requests and known scanners' user agents


class CampaignList(Table, tablename="campaign_list"):
    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.restrict, index=True, null=False)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.restrict, null=False)


class Delivery(Table):
    """One row per (campaign, contact): the durable ledger that makes sending resumable and exactly-once
    but for the messages in flight at a crash, which repeat with the same Message-ID."""

    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.restrict, null=False)
    # A person's deliveries are found through the unique key (contact, campaign): no index of its own.
    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, null=False)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.restrict, null=False)  # reached through
    status = Varchar(length=20, choices=DeliveryStatus)
    skip_reason = Varchar(length=30, null=True, default=None)
    message_id = Varchar(length=200)
    attempts = Integer(default=0)
    first_attempt_at = Timestamptz(null=True, default=None)  # retries stop a while after it
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_by = Varchar(length=100, null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())
    # What came back after sending (REQ-41): a DSN's kind and RFC 3463 status, or an ARF complaint.
    bounce_kind = Varchar(length=10, null=True, default=None)  # BounceKind: hard or soft
    bounce_status = Varchar(length=20, null=True, default=None)
    bounced_at = Timestamptz(null=True, default=None)
    complained_at = Timestamptz(null=True, default=None)


class PendingConsent(Table, tablename="pending_consent"):
    """A consent asked for but not yet confirmed by the person (double opt-in, REQ-2/43). Nothing is
    subscribed, and no contact is created, until the link in the confirmation mail is followed."""

    email = Varchar(length=254)  # normalised; where the confirmation goes
    email_canonical = Varchar(length=254, index=True)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, null=True)  # known from a preference link
    first_name = Varchar(length=200, null=True, default=None)
    last_name = Varchar(length=200, null=True, default=None)
    language = Varchar(length=2, choices=Language, default=Language.FR)
    lists = JSON(default="[]")  # [{"list": id, "wording": the checkbox text shown}], one consent each
    notice_version = Varchar(length=40)
    channel = Varchar(length=30, choices=Channel)
    form = Varchar(length=200)  # where the request was made, e.g. /subscribe/public-newsletter
    requested_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    confirmed_at = Timestamptz(null=True, default=None)


class RightsRequest(Table, tablename="rights_request"):
    """A data-subject request (REQ-14): its type, when it was received and when it is due."""

    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, index=True, null=True)
    request_type = Varchar(length=30, choices=RightsRequestType)
    status = Varchar(length=30, choices=RightsRequestStatus, default=RightsRequestStatus.RECEIVED)
    channel = Varchar(length=30, choices=Channel)
    received_at = Timestamptz(default=TimestamptzNow())
    due_on = Date()
    details = JSON(default="{}")  # what the person wrote, e.g. the correction asked for
    identity_verified = Boolean(default=False)
    identity_method = Varchar(length=100, null=True, default=None)  # REQ-15: only verified, method and date remain
    identity_verified_at = Timestamptz(null=True, default=None)
    # Who asked, when no known contact's link did: a postal request, or the public form before the address is
    # matched to a contact. Blanked by erasure.
    requester_email = Varchar(length=254, null=True, default=None)
    requester_name = Varchar(length=200, null=True, default=None)
    language = Varchar(length=2, choices=Language, default=Language.FR)
    # REQ-15: the clock pauses while awaiting identity; the days it stood still push the due date on.
    awaiting_identity_since = Timestamptz(null=True, default=None)
    paused_days = Integer(default=0)
    # REQ-14: up to two more months, with a reason, notified before the first month ends.
    extended_to = Date(null=True, default=None)
    extension_reason = Text(null=True, default=None)
    extension_notified_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    outcome = Text(null=True, default=None)  # what was done, as told to the person
    refusal_ground = Varchar(length=40, null=True, default=None)  # REQ-19: a coded ground
    handled_by = Varchar(length=100, null=True, default=None)


class IdentityDocument(Table, tablename="identity_document"):
    """A copy of an ID document sent for a rights request (REQ-15): kept apart from everything else, sealed,
    and deleted as soon as it has been checked. Only "verified, method, date" stay, on the request."""

    rights_request = ForeignKey(references=RightsRequest, on_delete=OnDelete.restrict, index=True, null=False)
    file_name = Varchar(length=200)
    media_type = Varchar(length=100)
    sealed = Bytea()  # AES-GCM under a key derived from CONTACTS_SECRET_KEY
    uploaded_at = Timestamptz(default=TimestamptzNow())
    uploaded_by = Varchar(length=100)


class Restriction(Table):
    """A restriction of processing (REQ-20): while it lasts the contact is stored only. The person is told
    before it is lifted."""

    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, index=True, null=False)
    rights_request = ForeignKey(references=RightsRequest, on_delete=OnDelete.restrict, null=True)
    reason = Varchar(length=40)  # asked_for, accuracy_disputed, objection_pending
    started_at = Timestamptz(default=TimestamptzNow())
    started_by = Varchar(length=100)
    lift_notified_at = Timestamptz(null=True, default=None)
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = Varchar(length=100, null=True, default=None)


class Propagation(Table):
    """REQ-18: a rectification, erasure or restriction to pass on to someone the data was disclosed to,
    found from the disclosure's audit entry; done when staff record that the recipient was told."""

    rights_request = ForeignKey(references=RightsRequest, on_delete=OnDelete.restrict, index=True, null=False)
    disclosure_audit_id = Integer()  # the audit_event of the export
    recipient = Varchar(length=300)
    disclosed_at = Timestamptz()
    action = Varchar(length=30)  # rectification, erasure, restriction
    recorded_at = Timestamptz(default=TimestamptzNow())
    told_at = Timestamptz(null=True, default=None)
    told_by = Varchar(length=100, null=True, default=None)


class AfterDeathInstruction(Table, tablename="after_death_instruction"):
    """REQ-23 (Loi Informatique et Libertés, art. 85): what to do with the person's data after their death,
    and who carries it out. Revocable; applied on a verified death notice."""

    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, index=True, null=False)
    instruction = Varchar(length=20)  # keep, erase, communicate
    executor_name = Varchar(length=200, null=True, default=None)
    executor_email = Varchar(length=254, null=True, default=None)
    details = Text(default="")
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by = Varchar(length=100)
    revoked_at = Timestamptz(null=True, default=None)
    applied_at = Timestamptz(null=True, default=None)


class StaffUser(Table, tablename="staff_user"):
    """A member of staff who signs in (REQ-24). The password is kept as an argon2 hash only."""

    username = Varchar(length=100, unique=True)
    password_hash = Varchar(length=200)
    role = Varchar(length=20, choices=Role)
    departments = JSON(default="[]")  # a read-only account's departments; the others' follow from the role
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    language = Varchar(length=2, default="fr")  # the staff pages' language: fr or en


class ApiToken(Table, tablename="api_token"):
    """A personal API token: only its SHA-256 is kept. It acts with its owner's role and scope."""

    user = ForeignKey(references=StaffUser, on_delete=OnDelete.restrict, index=True, null=False)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only (REQ-8): every staff view, export or change of personal data. Triggers refuse UPDATE and
    DELETE."""

    id = BigSerial(primary_key=True)
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=100)  # the username, or cli:<login>
    role = Varchar(length=20)
    action = Varchar(length=60, index=True)  # e.g. campaign.create, contact.view, export
    object_type = Varchar(length=40)
    object_id = Varchar(length=40, null=True, default=None)
    purpose = Varchar(length=60, null=True, default=None)  # the purpose code it was done for
    details = JSON(default="{}")
    redacted_at = Timestamptz(null=True, default=None)  # erasure blanked its details (REQ-19)


class StaffSession(Table, tablename="staff_session"):
    """A signed-in staff member's server-side session, under the SHA-256 of its cookie's id."""

    key_hash = Varchar(length=64, unique=True)
    value = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)
