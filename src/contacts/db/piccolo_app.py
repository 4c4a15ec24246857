from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

# Migrations live in the top-level migrations/ folder, one sub-folder per Piccolo app.
MIGRATIONS_FOLDER = Path(__file__).resolve().parents[3] / "migrations" / "contacts"

APP_CONFIG = AppConfig(
    app_name="contacts",
    migrations_folder_path=str(MIGRATIONS_FOLDER),
    table_classes=table_finder(modules=["contacts.tables", "contacts.event_tables", "contacts.machinery_tables", "contacts.media_tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
