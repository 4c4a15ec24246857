"""Data migration: the French audience of the seeded lists, where their English audience is still the seeded
one and no French has been written since."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T21:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "French audience of the seeded lists"

AUDIENCES = {
    "journalists": ("Journalists and editors, at their work address",
                    "Journalistes et rédactions, à leur adresse professionnelle"),
    "vips": ("Personalities and guests of the museum", "Personnalités et invités du musée"),
    "patrons": ("Patrons and sponsors of the museum", "Mécènes et donateurs du musée"),
    "press-releases": ("Journalists who asked for press releases", "Journalistes ayant demandé les communiqués de presse"),
    "teachers": ("Teachers and school staff", "Enseignants et personnels des établissements scolaires"),
    "town-halls": ("Town and city halls", "Mairies"),
    "associations": ("Community associations", "Associations"),
    "partners": ("Cultural partners, sponsors and companies", "Partenaires culturels, mécènes et entreprises"),
    "public-newsletter": ("Members of the public who subscribed", "Personnes du public qui se sont inscrites"),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def fill():
        engine = engine_finder()
        for slug, (english, french) in AUDIENCES.items():
            english, french = english.replace("'", "''"), french.replace("'", "''")
            await engine.run_ddl(f"UPDATE mailing_list SET audience_fr = '{french}' WHERE slug = '{slug}' "
                                 f"AND audience = '{english}' AND audience_fr = ''")

    async def empty():
        slugs = ", ".join(f"'{slug}'" for slug in AUDIENCES)
        await engine_finder().run_ddl(f"UPDATE mailing_list SET audience_fr = '' WHERE slug IN ({slugs})")

    manager.add_raw(fill)
    manager.add_raw_backwards(empty)
    return manager
