"""Purposes and lists: the catalogue every subscription and send refers to."""

from __future__ import annotations

from dataclasses import dataclass

from contacts.db.engine import write_transaction
from contacts.domain import AudienceKind, LegalBasis, RetentionRule
from contacts.errors import ConfigurationError, NotFoundError
from contacts.i18n import N_
from contacts.services.windows import SendingWindow, stored_window
from contacts.tables import MailingList, Purpose, PurposeDepartment


def _localised(text: str, text_fr: str, language: str) -> str:
    """The French text on French pages and in French messages, when there is one; the English otherwise."""
    return text_fr if language == "fr" and text_fr else text


@dataclass(frozen=True)
class PurposeInfo:
    id: int
    code: str
    name: str
    name_fr: str
    description: str
    description_fr: str
    default_legal_basis: LegalBasis
    is_direct_marketing: bool
    retention_rule: RetentionRule
    retention_days: int | None
    departments: tuple[str, ...]
    public_description: str = ""  # what a public consent box says it is for
    public_description_fr: str = ""
    approval_required: bool = False  # REQ-53: its campaigns need another staff member's approval
    window: SendingWindow | None = None  # when its campaigns may go out (REQ-54); None: any time

    def display_name(self, language: str) -> str:
        return _localised(self.name, self.name_fr, language)

    def display_description(self, language: str) -> str:
        return _localised(self.description, self.description_fr, language)

    def display_public_description(self, language: str) -> str:
        return _localised(self.public_description, self.public_description_fr, language)


@dataclass(frozen=True)
class ListInfo:
    id: int
    slug: str
    name: str
    name_fr: str
    audience: str
    audience_kind: AudienceKind
    double_opt_in: bool
    purpose: PurposeInfo
    audience_fr: str = ""

    def display_name(self, language: str) -> str:
        return _localised(self.name, self.name_fr, language)

    def display_audience(self, language: str) -> str:
        return _localised(self.audience, self.audience_fr, language)

    @property
    def suppression_scopes(self) -> tuple[str, ...]:
        """Every suppression scope that stops mail on this list (REQ-46)."""
        return ("global", f"purpose:{self.purpose.code}", f"list:{self.slug}")


async def purposes() -> list[PurposeInfo]:
    rows = await Purpose.select().order_by(Purpose.id)
    departments: dict[int, list[str]] = {}
    for row in await PurposeDepartment.select(PurposeDepartment.purpose, PurposeDepartment.department):
        departments.setdefault(row["purpose"], []).append(row["department"])
    result = []
    for row in rows:
        try:
            rule = RetentionRule(row["retention_rule"])
        except ValueError:
            # REQ-6: a purpose without a (known) retention rule is a configuration error.
            raise ConfigurationError(N_("purpose %(code)r: unknown retention rule %(rule)r"), code=row["code"],
                                     rule=row["retention_rule"]) from None
        result.append(
            PurposeInfo(
                id=row["id"],
                code=row["code"],
                name=row["name"],
                name_fr=row["name_fr"],
                description=row["description"],
                description_fr=row["description_fr"],
                default_legal_basis=LegalBasis(row["default_legal_basis"]),
                is_direct_marketing=row["is_direct_marketing"],
                retention_rule=rule,
                retention_days=row["retention_days"],
                departments=tuple(sorted(departments.get(row["id"], []))),
                public_description=row.get("public_description") or "",
                public_description_fr=row.get("public_description_fr") or "",
                approval_required=bool(row.get("approval_required")),
                window=stored_window(row["window_days"], row["window_opens"], row["window_closes"],
                                     row["window_skips_holidays"]),
            )
        )
    return result


async def lists(known_purposes: list[PurposeInfo] | None = None) -> list[ListInfo]:
    by_id = {purpose.id: purpose for purpose in known_purposes or await purposes()}
    rows = await MailingList.select().order_by(MailingList.id)
    return [
        ListInfo(
            id=row["id"],
            slug=row["slug"],
            name=row["name"],
            name_fr=row["name_fr"],
            audience=row["audience"],
            audience_fr=row["audience_fr"],
            audience_kind=AudienceKind(row["audience_kind"]),
            double_opt_in=row["double_opt_in"],
            purpose=by_id[row["purpose"]],
        )
        for row in rows
    ]


async def list_by_slug(slug: str) -> ListInfo:
    for mailing_list in await lists():
        if mailing_list.slug == slug:
            return mailing_list
    raise NotFoundError(N_("no list with the slug %(slug)s"), slug=repr(slug))


async def valid_scopes() -> set[str]:
    known = await purposes()
    scopes = {"global"} | {f"purpose:{purpose.code}" for purpose in known}
    return scopes | {f"list:{mailing_list.slug}" for mailing_list in await lists(known)}


async def set_approval_required(code: str, required: bool) -> PurposeInfo:
    """REQ-53: whether the campaigns of this purpose need another staff member's approval."""
    async with write_transaction():
        changed = await Purpose.update({Purpose.approval_required: required}).where(Purpose.code == code).returning(
            Purpose.id)
    if not changed:
        raise NotFoundError(N_("no purpose %(purpose_code)s"), purpose_code=repr(code))
    return next(purpose for purpose in await purposes() if purpose.code == code)
