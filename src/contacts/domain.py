"""The vocabulary of the product: legal bases, statuses, sources, suppression reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

AnyStrEnum = TypeVar("AnyStrEnum", bound=StrEnum)

from contacts.errors import ValidationError
from contacts.i18n import N_


class LegalBasis(StrEnum):
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"
    LEGAL_OBLIGATION = "legal_obligation"


class Greeting(StrEnum):
    """How a campaign's messages open, as staff choose: nothing, "Bonjour {first_name},", or formally."""

    NONE = "none"
    FIRST_NAME = "first_name"
    FORMAL = "formal"


class SourceType(StrEnum):
    """The privacy policy's four ways of collecting (REQ-13)."""

    GIVEN = "given"  # provided by the person
    THIRD_PARTY = "third_party"  # partners, providers, data suppliers, public sources
    RELATIONSHIP = "relationship"  # collected during our relationship
    SERVICE_USE = "service_use"  # collected through the use of our services


class AddressKind(StrEnum):
    """REQ-4: what kind of address, which decides what we may send without consent."""

    PRIVATE = "private"
    PROFESSIONAL = "professional"  # nominative work address, e.g. a journalist's
    GENERIC = "generic"  # a role address such as contact@


class ContactStatus(StrEnum):
    ACTIVE = "active"
    RESTRICTED = "restricted"
    # REQ-10: the relationship ended and its legal period runs; kept with restricted access, never used for
    # sending, search or segments.
    ARCHIVED = "archived"
    ERASED = "erased"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    OBJECTED = "objected"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class Department(StrEnum):
    COMMUNICATIONS = "communications"
    EVENTS = "events"
    MEDIATION = "mediation"
    PARTNERSHIPS = "partnerships"


class RetentionRule(StrEnum):
    """REQ-9: how long the data of a purpose lives."""

    UNTIL_OBJECTION = "until_objection"  # invitations and communications
    PROSPECT_3_YEARS = "prospect_3_years"  # from the last contact the person initiated
    RELATIONSHIP_PLUS_LEGAL = "relationship_plus_legal"  # end of relationship plus the legal period


class AudienceKind(StrEnum):
    PROFESSIONAL = "professional"
    PUBLIC = "public"


class SuppressionReason(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    OBJECTION = "objection"
    ERASURE = "erasure"
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCE = "soft_bounce"  # CONTACTS_SOFT_BOUNCE_LIMIT temporary failures within the window
    COMPLAINT = "complaint"
    MANUAL = "manual"


# REQ-46: these always apply to every purpose.
ALWAYS_GLOBAL_REASONS = frozenset({SuppressionReason.HARD_BOUNCE, SuppressionReason.SOFT_BOUNCE,
                                   SuppressionReason.COMPLAINT})


class BounceKind(StrEnum):
    """What a delivery-status report says of one delivery (RFC 3464, status classes of RFC 3463)."""

    HARD = "hard"  # 5.x.x: the address is bad or gone
    SOFT = "soft"  # 4.x.x: the relay gave up after temporary failures


class EventAction(StrEnum):
    """What a ConsentEvent records."""

    SUBSCRIBED = "subscribed"
    PENDING = "pending"
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"
    OBJECTED = "objected"
    SUPPRESSED = "suppressed"
    SUPPRESSION_IMPORTED = "suppression_imported"
    SUPPRESSION_LIFTED = "suppression_lifted"  # REQ-43: only by the person's confirmed fresh consent
    RIGHTS_REQUESTED = "rights_requested"
    RECTIFIED = "rectified"  # a contact's data corrected (GDPR Art. 16)
    ERASED = "erased"  # the person's data erased or anonymised (Art. 17, REQ-19)
    RESTRICTED = "restricted"  # processing restricted (Art. 18, REQ-20)
    RESTRICTION_LIFTED = "restriction_lifted"


class Channel(StrEnum):
    """Through which channel a change of consent arrived (REQ-22)."""

    IMPORT = "import"
    CLI = "cli"
    STAFF = "staff"
    API = "api"
    WEB_FORM = "web_form"
    ONE_CLICK = "one_click"
    UNSUBSCRIBE_PAGE = "unsubscribe_page"
    OBJECTION_PAGE = "objection_page"
    PREFERENCE_CENTRE = "preference_centre"
    MAILTO = "mailto"
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    SYSTEM = "system"


class RightsRequestType(StrEnum):
    """REQ-14: the rights the policy promises."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    PORTABILITY = "portability"
    WITHDRAW_CONSENT = "withdraw_consent"
    AFTER_DEATH = "after_death"


class RightsRequestStatus(StrEnum):
    RECEIVED = "received"
    AWAITING_IDENTITY = "awaiting_identity"  # REQ-15: the clock pauses
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    ANSWERED = "answered"
    REFUSED = "refused"


class InvitationStatus(StrEnum):
    """A guest's answer. Arriving at the door is not an answer: it is Invitation.arrived_at, beside it.
    "attended" is only found on rows written before events had a door list (migrated to accepted + arrived)."""

    LISTED = "listed"
    INVITED = "invited"
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"  # accepted past capacity: waits for a place
    DECLINED = "declined"
    ATTENDED = "attended"


# The purpose of event invitations and their reminders: an opt-out through one of them leaves it alone (REQ-52).
INVITATION_PURPOSE = "pr-invitations"


class GuestStep(StrEnum):
    """One step of a guest's history (InvitationStep); none is ever overwritten by the next."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"  # from the waitlist to a place
    COMPANION_NAMED = "companion_named"
    REMINDED = "reminded"
    ARRIVED = "arrived"
    COMPANION_ARRIVED = "companion_arrived"


class ReminderKind(StrEnum):
    """To whom a guest list's reminder goes, drawn from the guest list when it is sent."""

    NO_ANSWER = "no_answer"  # invited, and no answer yet
    ACCEPTED = "accepted"  # a practical reminder (the day before, say): time and place


class CampaignStatus(StrEnum):
    """Stored states: draft, scheduled (starts by itself at its time), running, paused, cancelled, finished.
    "Approved" is a draft whose approval still matches its content (CampaignInfo.state), not a stored one."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class SkipReason(StrEnum):
    """Why a recipient of a campaign gets no message; each is counted."""

    SUPPRESSED = "suppressed"
    UNSUBSCRIBED = "unsubscribed"
    OBJECTED = "objected"
    RESTRICTED = "restricted"
    ARCHIVED = "archived"
    ERASED = "erased"
    NO_VALID_BASIS = "no_valid_basis"
    NO_TRANSLATION = "no_translation"  # the campaign has no version in their language, and staff chose skip
    CANCELLED = "cancelled"


class MissingLanguage(StrEnum):
    """What a campaign does for recipients whose language it has no version in."""

    OTHER = "other"  # they get the other language
    SKIP = "skip"  # they are skipped, reason no_translation


def parse_enum(enum_type: type[AnyStrEnum], field: str, value: str) -> AnyStrEnum:
    """Parse a user-supplied value; the error names the field and the accepted values."""
    cleaned = value.strip().lower().replace("-", "_")
    try:
        return enum_type(cleaned)
    except ValueError:
        accepted = ", ".join(member.value for member in enum_type)
        raise ValidationError(field, N_("%(value)r is not one of: %(accepted)s"), value=value,
                              accepted=accepted) from None


class Role(StrEnum):
    """A staff account's role (REQ-7, REQ-24): what it may do, and for which departments' purposes."""

    ADMIN = "admin"
    COMMUNICATIONS = "communications"
    # A communications member who may also approve others' campaigns (REQ-53).
    COMMUNICATIONS_LEAD = "communications_lead"
    EVENTS = "events"
    PARTNERSHIPS = "partnerships"
    MEDIATION = "mediation"
    DPO = "dpo"
    READ_ONLY = "read_only"


class Permission(StrEnum):
    VIEW = "view"  # contacts, lists and campaigns of the role's purposes
    SEND = "send"  # create, test, send, pause and cancel campaigns
    SEND_OUTSIDE_WINDOW = "send_outside_window"  # admin only: a campaign outside its sending window (REQ-54)
    SET_SENDING_WINDOWS = "set_sending_windows"  # admin only: the purposes' sending windows (REQ-54)
    SUPPRESS = "suppress"  # add to the do-not-contact list
    IMPORT = "import"  # import contacts into the role's lists
    RECTIFY = "rectify"  # correct a contact's data
    RIGHTS = "rights"  # answer data-subject requests
    AUDIT = "audit"  # read the audit log
    MANAGE_USERS = "manage_users"
    CHECK_IN = "check_in"  # at an event's door: find guests, mark them arrived (the events role and admins)
    APPROVE = "approve"  # approve another staff member's campaign before it is scheduled or sent (REQ-53)
    CONFIGURE = "configure"  # purposes' settings, such as whether their campaigns need approval
    # Development only: every message caught, rights answers and export links included.
    READ_CAUGHT_MAIL = "read_caught_mail"


# Senders may also add to the do-not-contact list: a "please stop" reaches whoever sent the mail.
_SENDERS = frozenset({Permission.VIEW, Permission.SEND, Permission.SUPPRESS, Permission.IMPORT, Permission.RECTIFY})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COMMUNICATIONS: _SENDERS,
    Role.COMMUNICATIONS_LEAD: _SENDERS | {Permission.APPROVE},
    Role.EVENTS: _SENDERS | {Permission.CHECK_IN},
    Role.PARTNERSHIPS: _SENDERS,
    Role.MEDIATION: _SENDERS,
    Role.DPO: frozenset({Permission.VIEW, Permission.SUPPRESS, Permission.RIGHTS, Permission.AUDIT, Permission.RECTIFY,
                         Permission.READ_CAUGHT_MAIL}),
    Role.READ_ONLY: frozenset({Permission.VIEW}),
}
# The department a department's role is empowered for. Admin and DPO see every purpose; a read-only
# account is given its departments when it is created.
ROLE_DEPARTMENT: dict[Role, Department] = {
    Role.COMMUNICATIONS: Department.COMMUNICATIONS,
    Role.COMMUNICATIONS_LEAD: Department.COMMUNICATIONS,
    Role.EVENTS: Department.EVENTS,
    Role.PARTNERSHIPS: Department.PARTNERSHIPS,
    Role.MEDIATION: Department.MEDIATION,
}
EVERY_PURPOSE_ROLES = frozenset({Role.ADMIN, Role.DPO})
