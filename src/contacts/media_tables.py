"""The media library's table, beside contacts.tables (which is at the layout's size limit); Piccolo's app
finds both (contacts.db.piccolo_app). Only contacts.services.media touches it."""

from piccolo.columns import Bytea, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from contacts.table_base import Table


class MediaImage(Table, tablename="media_image"):
    """An image of the media library, re-encoded without metadata: its bytes are in the database, so every
    server, on any machine, serves it. Named by its content's hash: immutable, and stored once."""

    name = Varchar(length=40, unique=True)  # <32 hex digits of its SHA-256>.<jpg|png>: the end of its URL
    content_type = Varchar(length=20)
    content = Bytea()
    width = Integer()
    height = Integer()
    size = Integer()  # bytes
    alt_fr = Varchar(length=300)  # the default alt text
    alt_en = Varchar(length=300, default="")  # empty: the French one serves
    uploaded_by = Varchar(length=100)  # the audit log's actor: staff:<username> or cli:<login>
    uploaded_at = Timestamptz(default=TimestamptzNow())
