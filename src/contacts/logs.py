"""The logs of the long-running commands (`serve`, `worker`, `inbound`, `campaign send`): one line per event on
standard error (journald keeps it), as text or as JSON (CONTACTS_LOG_FORMAT), at CONTACTS_LOG_LEVEL.

Quiet by default: the per-message and per-connection chatter of the libraries (aiosmtpd's SMTP dialogue, the
drivers, asyncio) is shown only at the debug level, and labelled DEBUG. A campaign writes its start, its end,
its pauses and its errors, never a line per message.

Never an address or a token: whatever a call site wrote, the handler's last filter masks e-mail addresses,
the token segment of a recipient's link (`/u/…`, `/p/…`) and any long token-looking word, in the message and
in the traceback, and the access log (`serve --access-log`) loses the client's address.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
import time
from typing import Any, TextIO

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
# Libraries that write a line per message or per connection: below WARNING, their lines are debug lines.
CHATTER = ("mail.log", "asyncio", "piccolo", "aiosqlite", "asyncpg", "aiosmtplib", "httpx", "httpcore",
           "multipart", "PIL")

MASK = "…"
_ADDRESS = re.compile(r"[\w.!#$%&'*+=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# The segment after a path that carries a recipient's token (contacts.web.public's pages, the door's check-in).
_TOKEN_SEGMENT = re.compile(r"(?<=/)(u|o|p|r|d|v|l|confirm|verify|check-in)/[^/\s?#\"'<>]+")
# A word of 32 or more base64url characters with a digit and both cases: a token, a key, a hash.
_TOKEN_WORD = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{32,}(?![\w-])")
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def mask(text: str) -> str:
    """`text` without e-mail addresses or tokens. Cheap when there is nothing that could be one."""
    if "@" in text:
        text = _ADDRESS.sub("<address>", text)
    if "/" in text:
        text = _TOKEN_SEGMENT.sub(lambda found: f"{found.group(1)}/{MASK}", text)
    if len(text) >= 32:
        text = _TOKEN_WORD.sub(MASK, text)
    return text


class QuietChatter(logging.Filter):
    """Relabels the libraries' chatter below WARNING as DEBUG, and lets it through only at the debug level."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or not record.name.startswith(CHATTER):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return self.level <= logging.DEBUG


class MaskPersonalData(logging.Filter):
    """The last line of defence: the final message, the traceback and the extras' text, masked (see `mask`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            record.args = ("-", *record.args[1:])  # the client's address: a recipient's, on their links
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for name, value in extras(record).items():
            if isinstance(value, str):
                setattr(record, name, mask(value))
        return True


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """What the call site passed with `extra=`."""
    return {name: value for name, value in record.__dict__.items() if name not in _RECORD_FIELDS}


def _utc_time(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))


class TextFormatter(logging.Formatter):
    """`2026-12-07T00:12:03Z INFO contacts.sending.worker campaign 12 finished: 1600 sent`; a traceback follows."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\r", "").replace("\n", " \\n ")
        line = f"{_utc_time(record)} {record.levelname} {record.name} {message}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + record.stack_info
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the extras, and `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {"time": _utc_time(record), "level": record.levelname, "logger": record.name,
                                 "message": record.getMessage()}
        for name, value in extras(record).items():
            event.setdefault(name, value if isinstance(value, (str, int, float, bool, type(None))) else mask(str(value)))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exception"] = record.exc_text
        if record.stack_info:
            event["stack"] = record.stack_info
        return json.dumps(event, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (as logging's last resort does), never a stream closed since;
    or to the stream it is given."""

    def __init__(self, stream: TextIO | None = None) -> None:
        logging.Handler.__init__(self)
        self._given = stream

    @property
    def stream(self) -> TextIO:
        return self._given or sys.stderr


def event_handler(log_format: str, level_name: str, stream: TextIO | None = None) -> logging.Handler:
    """The one handler: its format, the chatter kept quiet, then everything masked."""
    handler = StderrHandler(stream)
    handler.setLevel(LEVELS[level_name])
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(QuietChatter(LEVELS[level_name]))
    handler.addFilter(MaskPersonalData())
    return handler


def logging_config(log_format: str = "text", level: str = "info") -> dict[str, Any]:
    """For logging.config.dictConfig, and for uvicorn's log_config (which its `--workers` children apply too)."""
    quiet = LEVELS[level] > logging.DEBUG
    loggers: dict[str, Any] = {name: {"handlers": [], "propagate": True}
                               for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    loggers.update({name: {"level": "WARNING" if quiet else "DEBUG"} for name in CHATTER})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"events": {"()": "contacts.logs.event_handler", "log_format": log_format,
                                "level_name": level}},
        "root": {"level": level.upper(), "handlers": ["events"]},
        "loggers": loggers,
    }


def configure_logging() -> None:
    """For a long-running command: its logs as CONTACTS_LOG_FORMAT and CONTACTS_LOG_LEVEL say."""
    from contacts.settings import get_settings

    settings = get_settings()
    logging.config.dictConfig(logging_config(settings.log_format, settings.log_level))
