"""Data migration: the French descriptions of the seeded purposes, in the words of the museum's privacy
policy. A description someone has written since is kept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T07:05:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "French descriptions of the seeded purposes"

DESCRIPTIONS = {
    "press-information": "Les communiqués de presse et la documentation institutionnelle, adressés à leur demande "
                         "aux journalistes pour leur travail.",
    "pr-invitations": "Les invitations aux événements et opérations de relations publiques du musée.",
    "communications-newsletter": "La lettre d'information de la direction de la communication à ses contacts : "
                                 "journalistes, personnalités et mécènes.",
    "mediation-newsletter": "La lettre de la médiation, adressée aux mairies, aux enseignants et aux associations.",
    "partnership-offers": "Nos activités et nos projets, et des offres de mécénat et de partenariat personnalisées.",
    "public-newsletter": "L'actualité des expositions et des événements, pour les personnes qui ont demandé à la "
                         "recevoir.",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def fill():
        engine = engine_finder()
        for code, text in DESCRIPTIONS.items():
            quoted = text.replace("'", "''")
            await engine.run_ddl(
                f"UPDATE purpose SET description_fr = '{quoted}' WHERE code = '{code}' AND description_fr = ''")

    async def empty():
        codes = ", ".join(f"'{code}'" for code in DESCRIPTIONS)
        await engine_finder().run_ddl(f"UPDATE purpose SET description_fr = '' WHERE code IN ({codes})")

    manager.add_raw(fill)
    manager.add_raw_backwards(empty)
    return manager
