"""Data migration: the public descriptions of the seeded purposes, in English and French. A description
someone has written since is kept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T18:30:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "public descriptions of the seeded purposes"

PUBLIC_DESCRIPTIONS = {
    "public-newsletter": ("News of the museum's exhibitions and events.",
                          "L'actualité des expositions et des événements du musée."),
    "mediation-newsletter": ("The museum's outreach activities for town halls, teachers and associations.",
                             "Les activités de médiation du musée pour les mairies, les enseignants et les "
                             "associations."),
    "press-information": ("The museum's press releases and documentation.",
                          "Les communiqués de presse et la documentation du musée."),
    "pr-invitations": ("Invitations to the museum's events.", "Les invitations aux événements du musée."),
    "communications-newsletter": ("The museum's newsletter.", "La lettre d'information du musée."),
    "partnership-offers": ("Our activities and projects, and our sponsorship and partnership offers.",
                           "Nos activités, nos projets et nos offres de mécénat et de partenariat."),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def fill():
        engine = engine_finder()
        for code, (english, french) in PUBLIC_DESCRIPTIONS.items():
            english, french = english.replace("'", "''"), french.replace("'", "''")
            await engine.run_ddl(f"UPDATE purpose SET public_description = '{english}', "
                                 f"public_description_fr = '{french}' WHERE code = '{code}' "
                                 "AND public_description = '' AND public_description_fr = ''")

    async def empty():
        codes = ", ".join(f"'{code}'" for code in PUBLIC_DESCRIPTIONS)
        await engine_finder().run_ddl(
            f"UPDATE purpose SET public_description = '', public_description_fr = '' WHERE code IN ({codes})")

    manager.add_raw(fill)
    manager.add_raw_backwards(empty)
    return manager
