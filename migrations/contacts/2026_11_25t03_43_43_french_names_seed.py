"""Data migration: the French names of the seeded purposes and lists (messages and pages speak French first)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T03:43:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "French names of the seeded purposes and lists"

PURPOSES = {
    "press-information": "Information de la presse",
    "pr-invitations": "Invitations aux événements de relations publiques",
    "communications-newsletter": "Lettre de la communication",
    "mediation-newsletter": "Lettre de la médiation",
    "partnership-offers": "Offres de mécénat et de partenariat",
    "public-newsletter": "Lettre d'information du public",
}
LISTS = {
    "journalists": "Journalistes",
    "vips": "Personnalités",
    "patrons": "Mécènes",
    "press-releases": "Communiqués de presse",
    "teachers": "Enseignants",
    "town-halls": "Mairies",
    "associations": "Associations",
    "partners": "Partenaires",
    "public-newsletter": "Lettre d'information",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def fill():
        engine = engine_finder()
        for table, names, key in (("purpose", PURPOSES, "code"), ("mailing_list", LISTS, "slug")):
            for code, name in names.items():
                quoted = name.replace("'", "''")
                await engine.run_ddl(f"UPDATE {table} SET name_fr = '{quoted}' WHERE {key} = '{code}'")

    manager.add_raw(fill)
    return manager
