"""Access and portability (REQ-16/17): everything held about one person, as JSON (against the documented
schema at contacts/schemas/subject-export.schema.json), CSV, or a readable HTML summary in their language,
delivered through an expiring sealed link `/d/{token}`.

- assemble: `build(contact_id, language=)`, the data and REQ-16 (a)-(h);
- formats: the three forms, and the schema;
- link: the link, the mail that carries it, and the audited download.
"""

from contacts.services.rights.export.assemble import SCHEMA_VERSION, build
from contacts.services.rights.export.formats import (
    as_csv,
    as_csv_bytes,
    as_html,
    as_json,
    csv_rows,
    schema,
)
from contacts.services.rights.export.link import (
    EXPORTABLE,
    FORMATS,
    Opened,
    download,
    export_link,
    link_expiry,
    open_link,
    send_export_link,
)

__all__ = ["EXPORTABLE", "FORMATS", "SCHEMA_VERSION", "Opened", "as_csv", "as_csv_bytes", "as_html", "as_json",
           "build", "csv_rows", "download", "export_link", "link_expiry", "open_link", "schema",
           "send_export_link"]
