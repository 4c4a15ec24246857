"""Data migration: the museum policy's purposes, lists and current collection notice.

The tables are declared here as they were at this migration, so that later schema changes
do not alter what this migration does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, ForeignKey, Integer, Text, Varchar
from piccolo.table import Table

ID = "2026-11-25T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the purpose and list catalogue of the privacy policy"


class Purpose(Table, tablename="purpose"):
    code = Varchar(length=60)
    name = Varchar(length=200)
    description = Text()
    default_legal_basis = Varchar(length=30)
    is_direct_marketing = Boolean()
    retention_rule = Varchar(length=40)
    retention_days = Integer(null=True)


class PurposeDepartment(Table, tablename="purpose_department"):
    purpose = ForeignKey(references=Purpose)
    department = Varchar(length=40)


class MailingList(Table, tablename="mailing_list"):
    slug = Varchar(length=60)
    name = Varchar(length=200)
    purpose = ForeignKey(references=Purpose)
    audience = Text()
    audience_kind = Varchar(length=20)
    double_opt_in = Boolean()


class Notice(Table, tablename="notice"):
    version = Varchar(length=40)
    language = Varchar(length=2)
    wording = Text()


# French limitation period for contractual claims (Code civil, art. 2224): five years.
FIVE_YEARS = 5 * 365
THREE_YEARS = 3 * 365

PURPOSES = [
    # code, name, description, basis, direct marketing, retention rule, days, departments
    (
        "press-information",
        "Press information",
        "Press releases and institutional documentation sent, at their request, to journalists for their work.",
        "contract", False, "relationship_plus_legal", FIVE_YEARS, ["communications"],
    ),
    (
        "pr-invitations",
        "Public relations event invitations",
        "Invitations to the museum's public relations events and operations.",
        "legitimate_interest", True, "until_objection", None, ["events", "communications"],
    ),
    (
        "communications-newsletter",
        "Communications newsletter",
        "The newsletter of the Communications Department to its contacts: journalists, VIPs and patrons.",
        "legitimate_interest", True, "until_objection", None, ["communications"],
    ),
    (
        "mediation-newsletter",
        "Mediation newsletter",
        "The mediation newsletter to town halls, teachers and community associations.",
        "legitimate_interest", True, "until_objection", None, ["mediation"],
    ),
    (
        "partnership-offers",
        "Sponsorship and partnership offers",
        "Our activities and projects, and bespoke sponsorship and partnership offers.",
        "legitimate_interest", True, "until_objection", None, ["partnerships"],
    ),
    (
        "public-newsletter",
        "Public newsletter",
        "News of exhibitions and events for members of the public who asked for it.",
        "consent", True, "prospect_3_years", THREE_YEARS, ["communications"],
    ),
]

LISTS = [
    # slug, name, purpose code, audience, audience kind, double opt-in
    ("journalists", "Journalists", "communications-newsletter", "Journalists and editors, at their work address", "professional", False),
    ("vips", "VIPs", "communications-newsletter", "Personalities and guests of the museum", "professional", False),
    ("patrons", "Patrons", "communications-newsletter", "Patrons and sponsors of the museum", "professional", False),
    ("press-releases", "Press releases", "press-information", "Journalists who asked for press releases", "professional", False),
    ("teachers", "Teachers", "mediation-newsletter", "Teachers and school staff", "professional", False),
    ("town-halls", "Town halls", "mediation-newsletter", "Town and city halls", "professional", False),
    ("associations", "Community associations", "mediation-newsletter", "Community associations", "professional", False),
    ("partners", "Partners", "partnership-offers", "Cultural partners, sponsors and companies", "professional", False),
    ("public-newsletter", "Public newsletter", "public-newsletter", "Members of the public who subscribed", "public", True),
]

NOTICE_VERSION = "2026-11"
NOTICE_WORDING = {
    "fr": (
        "Le Rmn - Musée du Luxembourg traite vos données (identité, coordonnées, fonction) pour vous envoyer "
        "les communications que vous avez choisies. Vous pouvez vous désinscrire ou vous opposer à tout moment "
        "par le lien présent dans chaque message, et exercer vos droits d'accès, de rectification, d'effacement, "
        "de limitation, d'opposition et de portabilité, et donner des directives post-mortem. Vous pouvez "
        "introduire une réclamation auprès de la CNIL."
    ),
    "en": (
        "The Rmn - Musée du Luxembourg processes your data (identity, contact details, position) to send you "
        "the communications you chose. You may unsubscribe or object at any time through the link in every "
        "message, and exercise your rights of access, rectification, erasure, restriction, objection and "
        "portability, and give after-death instructions. You may lodge a complaint with the CNIL."
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def seed():
        purpose_ids = {}
        for code, name, description, basis, marketing, rule, days, departments in PURPOSES:
            rows = await Purpose.insert(
                Purpose(
                    code=code,
                    name=name,
                    description=description,
                    default_legal_basis=basis,
                    is_direct_marketing=marketing,
                    retention_rule=rule,
                    retention_days=days,
                )
            ).returning(Purpose.id)
            purpose_ids[code] = rows[0]["id"]
            await PurposeDepartment.insert(
                *[PurposeDepartment(purpose=purpose_ids[code], department=d) for d in departments]
            )
        await MailingList.insert(
            *[
                MailingList(
                    slug=slug,
                    name=name,
                    purpose=purpose_ids[purpose],
                    audience=audience,
                    audience_kind=kind,
                    double_opt_in=double_opt_in,
                )
                for slug, name, purpose, audience, kind, double_opt_in in LISTS
            ]
        )
        await Notice.insert(
            *[Notice(version=NOTICE_VERSION, language=lang, wording=text) for lang, text in NOTICE_WORDING.items()]
        )

    async def unseed():
        await Notice.delete().where(Notice.version == NOTICE_VERSION)
        await MailingList.delete().where(MailingList.slug.is_in([row[0] for row in LISTS]))
        codes = [row[0] for row in PURPOSES]
        await PurposeDepartment.delete().where(PurposeDepartment.purpose.code.is_in(codes))
        await Purpose.delete().where(Purpose.code.is_in(codes))

    manager.add_raw(seed)
    manager.add_raw_backwards(unseed)
    return manager
