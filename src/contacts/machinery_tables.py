"""Tables of the product's own machinery, not of anyone's data: daily job runs, uploads staged between a
preview and an import, the rate-limit counts every server process shares, and each campaign's sending pace."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Bytea,
    Date,
    DoublePrecision,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from contacts.table_base import PiccoloTable, Table


class JobRun(Table, tablename="job_run"):
    """A daily job's run (the retention engine's, say): claimed once per Paris day by whichever server
    process gets there first, through a unique index on (job, day)."""

    job = Varchar(length=40)
    day = Date()
    actor = Varchar(length=100)
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    summary = JSON(default="{}")  # counts only, never personal data


class StagedUpload(Table, tablename="staged_upload"):
    """A CSV file uploaded on the import page, kept between its preview and its import: in the database, so
    that any server process can import what another previewed. Its bytes are its chunks; it is deleted after
    the import, or once expired. Written last, so an upload without it is incomplete."""

    key = Varchar(length=32, unique=True)  # random, named in the preview's form
    owner = Integer()  # the StaffUser who uploaded it: nobody else can name it
    size = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)


class StagedUploadChunk(Table, tablename="staged_upload_chunk"):
    """A part of a StagedUpload's bytes (unique by upload and number); each carries the upload's expiry, so an
    upload cut short is swept too."""

    upload_key = Varchar(length=32)
    number = Integer()
    content = Bytea()
    expires_at = Timestamptz(index=True)


class RateLimitCount(PiccoloTable, tablename="rate_limit_count"):
    """A client's requests in the current minute and the one before, for one rate limit, counted in the
    database so that every server process shares the count (PostgreSQL; one SQLite process counts in
    memory). One row per client and limit; rows older than the previous minute are swept. Unlogged on
    PostgreSQL: a crash may forget the counts, which matter for a minute."""

    bucket = Varchar(length=200, primary_key=True)  # the limit's name and the client's address
    window_start = BigInt()  # the current minute, in seconds since the epoch by the database's clock
    hits = Integer(default=0)  # in that minute
    previous_hits = Integer(default=0)  # in the minute before it


class SendingPace(PiccoloTable, tablename="sending_pace"):
    """A campaign's next free sending slot, shared by every process that sends it (the command, `contacts
    serve`, each `contacts worker`), so that its rate holds across them all (sending/pace.py). A process
    takes a few slots at a time by moving it on with one UPDATE."""

    campaign = Integer(primary_key=True)  # the Campaign's id
    next_slot = DoublePrecision(default=0.0)  # seconds since the epoch, by the database's clock
