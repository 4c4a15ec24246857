"""One frozen settings object, read from CONTACTS_* environment variables (and `.env`)."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

from contacts.errors import ConfigurationError
from contacts.i18n import N_

DEFAULT_DATABASE_URL = "sqlite:///contacts.db"
# In development, mail goes to the built-in catcher that `contacts serve` starts (CONTACTS_MAIL_CATCHER_PORT).
DEV_SMTP_HOST = "127.0.0.1"
DEV_SMTP_PORT = 8025
ENVIRONMENTS = ("development", "production")
LOG_FORMATS = ("text", "json")  # the first is the default
LOG_LEVELS = ("info", "debug", "warning", "error")


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    base_url: str
    secret_keys: tuple[str, ...]  # first signs; all verify, so keys rotate without breaking links
    smtp_url: str
    from_address: str
    organisation: str
    templates_dir: Path
    mail_catcher: bool  # development without CONTACTS_SMTP_URL: `serve` catches mail locally
    signup_checks_dns: bool = False  # REQ-40: deliverability is checked at interactive signup only
    public_rate_limit: int = 600  # requests per minute per client on the public pages; 0: no limit
    signup_rate_limit: int = 10  # signup requests per minute per client (each may send a mail); 0: no limit
    # Reverse proxies whose X-Forwarded-For is believed; with none, a client is the address it connects from.
    trusted_proxies: tuple[str, ...] = ()  # networks, e.g. "10.0.0.5/32", checked and normalized
    dpo_contact: str = "dpo@musee.example"  # the data protection officer, as the register and notices name them
    serve_sends: bool = False  # `serve` also sends running campaigns (development default; else `contacts worker`)
    soft_bounce_limit: int = 3  # REQ-41: this many soft-bounced messages to a person within the window suppress them
    soft_bounce_window_days: int = 14
    export_link_days: int = 7  # REQ-16/17: how long the link to a person's export opens
    retention_daily: bool = True  # REQ-9: `serve` runs the retention engine once a day
    retention_grace_days: int = 30  # REQ-9: how long data stays after the person opted out of its last purpose
    companion_retention_days: int = 7  # REQ-51: companions' names are deleted this many days after the event
    database_outage_limit: int = 180  # seconds a sender or background job waits for its database before giving up
    brand_colour: str = "#1a3d7c"  # the messages' accent: the band atop, links, quotes' rule, buttons (#rrggbb)
    logo_url: str = ""  # the museum's logo atop every message (https://…, opaque background); none when empty
    approval_required: bool = False  # REQ-53: every campaign needs another staff member's approval
    sending_windows: bool = False  # REQ-54: campaigns keep their purpose's sending window (production default)
    log_format: str = "text"  # the long-running commands' log lines: text, or one JSON object each (contacts.logs)
    log_level: str = "info"  # debug shows the libraries' per-message chatter too
    metrics_token: str = ""  # the bearer token GET /metrics asks for; empty: no /metrics at all

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.database_url.startswith(("postgresql:", "postgres:")) else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        if self.database_kind != "sqlite":
            raise ConfigurationError(N_("CONTACTS_DATABASE_URL is not a SQLite URL"))
        return sqlite_path_from_url(self.database_url)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def mail_catcher_dir(self) -> Path:
        """Where the development mail catcher keeps what it catches: beside the SQLite file."""
        if self.database_kind == "sqlite":
            return self.sqlite_path.with_name(self.sqlite_path.name + ".mail")
        # One folder per database: two instances (or two test runs) never show each other's mail.
        digest = hashlib.sha256(self.database_url.encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"contacts-mail-{digest}"

    @property
    def sender_domain(self) -> str:
        """The domain of CONTACTS_FROM: Message-IDs, bounce and unsubscribe addresses are made under it."""
        return self.from_address.rsplit("@", 1)[1]

    @property
    def secret_key(self) -> str:
        return self.secret_keys[0]


def sqlite_path_from_url(url: str) -> Path:
    """`sqlite:///contacts.db` is relative to the working directory, `sqlite:////var/x.db` absolute."""
    if not url.startswith("sqlite:///"):
        raise ConfigurationError(N_("CONTACTS_DATABASE_URL: expected sqlite:///path, got %(url)r"), url=url)
    path = url[len("sqlite:///") :]
    if not path:
        raise ConfigurationError(N_("CONTACTS_DATABASE_URL: the SQLite URL names no file"))
    return Path(path)


def _validate_database_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        sqlite_path_from_url(url)
    elif scheme not in ("postgresql", "postgres"):
        raise ConfigurationError(N_("CONTACTS_DATABASE_URL: unsupported scheme %(scheme)r; use sqlite:///path or "
                                    "postgresql://user@host:port/db"), scheme=scheme)
    return url


def _development_secret_key(database_url: str) -> str:
    """A random key kept in a 0600 file beside the SQLite file, created on first use."""
    db_path = sqlite_path_from_url(database_url)
    key_file = db_path.with_name(db_path.name + ".secret-key")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = key_file.read_text(encoding="ascii").strip()
        if not key:
            raise ConfigurationError(N_("%(path)s is empty; delete it or set CONTACTS_SECRET_KEY"), path=key_file) from None
        return key
    key = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _default_templates_dir() -> Path:
    # A checkout (or editable install) has templates/ at the top; an installed wheel ships none,
    # so CONTACTS_TEMPLATES_DIR must then point at a copy.
    return Path(__file__).resolve().parents[2] / "templates"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    if environ is None:
        _load_dotenv()
        environ = dict(os.environ)
    environment = environ.get("CONTACTS_ENV", "development").strip() or "development"
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(N_("CONTACTS_ENV: expected one of %(accepted)s, got %(raw)r"),
                                 accepted=", ".join(ENVIRONMENTS), raw=environment)
    database_url = _validate_database_url(environ.get("CONTACTS_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL)

    raw_keys = environ.get("CONTACTS_SECRET_KEY", "").strip()
    if raw_keys:
        keys = tuple(k.strip() for k in raw_keys.split(",") if k.strip())
        if any(len(k) < 16 for k in keys):
            raise ConfigurationError(N_("CONTACTS_SECRET_KEY: every key must be at least 16 characters"))
    elif environment == "production":
        raise ConfigurationError(N_("CONTACTS_SECRET_KEY is required in production; refusing to start without it"))
    elif not database_url.startswith("sqlite:"):
        raise ConfigurationError(N_("CONTACTS_SECRET_KEY is required with PostgreSQL (there is no SQLite file to keep a key "
                                    "beside)"))
    else:
        keys = (_development_secret_key(database_url),)

    smtp_url = environ.get("CONTACTS_SMTP_URL", "").strip()
    mail_catcher = not smtp_url
    if not smtp_url:
        if environment == "production":
            raise ConfigurationError(N_("CONTACTS_SMTP_URL is required in production"))
        smtp_url = f"smtp://{DEV_SMTP_HOST}:{_port(environ, 'CONTACTS_MAIL_CATCHER_PORT', DEV_SMTP_PORT)}"
    if urlsplit(smtp_url).scheme not in ("smtp", "smtps"):
        raise ConfigurationError(N_("CONTACTS_SMTP_URL: expected smtp://… or smtps://…, got %(raw)r"), raw=smtp_url)

    base_url = (environ.get("CONTACTS_BASE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")
    parsed_base = urlsplit(base_url)
    if parsed_base.scheme not in ("http", "https") or not parsed_base.netloc:
        raise ConfigurationError(N_("CONTACTS_BASE_URL: expected http(s)://host[/path], got %(raw)r"), raw=base_url)
    if environment == "production" and parsed_base.scheme != "https":
        raise ConfigurationError(N_("CONTACTS_BASE_URL must be https:// in production: links carry tokens"))

    return Settings(
        environment=environment,
        database_url=database_url,
        base_url=base_url,
        secret_keys=keys,
        smtp_url=smtp_url,
        from_address=environ.get("CONTACTS_FROM", "").strip() or "communication@musee.example",
        organisation=environ.get("CONTACTS_ORGANISATION", "").strip() or "Rmn - Musée du Luxembourg",
        templates_dir=Path(environ.get("CONTACTS_TEMPLATES_DIR", "").strip() or _default_templates_dir()),
        mail_catcher=mail_catcher,
        signup_checks_dns=_flag(environ, "CONTACTS_SIGNUP_CHECK_DNS", default=environment == "production"),
        public_rate_limit=_count(environ, "CONTACTS_PUBLIC_RATE_LIMIT", 600),
        signup_rate_limit=_count(environ, "CONTACTS_SIGNUP_RATE_LIMIT", 10),
        trusted_proxies=_networks(environ, "CONTACTS_TRUSTED_PROXIES"),
        serve_sends=_flag(environ, "CONTACTS_SERVE_SENDS", default=environment != "production"),
        sending_windows=_flag(environ, "CONTACTS_SENDING_WINDOWS", default=environment == "production"),
        dpo_contact=environ.get("CONTACTS_DPO_CONTACT", "").strip() or "dpo@musee.example",
        soft_bounce_limit=_positive(environ, "CONTACTS_SOFT_BOUNCE_LIMIT", 3),
        soft_bounce_window_days=_positive(environ, "CONTACTS_SOFT_BOUNCE_WINDOW_DAYS", 14),
        export_link_days=_positive(environ, "CONTACTS_EXPORT_LINK_DAYS", 7),
        retention_daily=_flag(environ, "CONTACTS_RETENTION_DAILY", default=True),
        retention_grace_days=_count(environ, "CONTACTS_RETENTION_GRACE_DAYS", 30),
        companion_retention_days=_count(environ, "CONTACTS_COMPANION_RETENTION_DAYS", 7),
        database_outage_limit=_positive(environ, "CONTACTS_DATABASE_OUTAGE_LIMIT", 180),
        brand_colour=_colour(environ, "CONTACTS_BRAND_COLOUR", "#1a3d7c"),
        logo_url=_logo_url(environ, "CONTACTS_LOGO_URL"),
        approval_required=_approval(environ, "CONTACTS_APPROVAL", environment),
        log_format=_choice(environ, "CONTACTS_LOG_FORMAT", LOG_FORMATS),
        log_level=_choice(environ, "CONTACTS_LOG_LEVEL", LOG_LEVELS),
        metrics_token=_metrics_token(environ, "CONTACTS_METRICS_TOKEN"),
    )


def _metrics_token(environ: dict[str, str], name: str) -> str:
    """A bearer token for GET /metrics: long enough not to be guessed, and sendable in a header."""
    raw = environ.get(name, "").strip()
    if raw and (len(raw) < 16 or not re.fullmatch(r"[A-Za-z0-9._~+/=-]+", raw)):
        raise ConfigurationError(N_("%(name)s: expected at least 16 letters, digits or -._~+/= characters"),
                                 name=name)
    return raw


def _approval(environ: dict[str, str], name: str, environment: str) -> bool:
    """`required` or `none`: required by default in production, where a second pair of eyes is the rule."""
    if not environ.get(name, "").strip():
        return environment == "production"
    return _choice(environ, name, ("none", "required")) == "required"


def _choice(environ: dict[str, str], name: str, accepted: tuple[str, ...]) -> str:
    """One of `accepted` (any letter case); the first when unset."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return accepted[0]
    if raw not in accepted:
        raise ConfigurationError(N_("%(name)s: expected one of %(accepted)s, got %(raw)r"), name=name,
                                 accepted=", ".join(accepted), raw=raw)
    return raw


def _colour(environ: dict[str, str], name: str, default: str) -> str:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", raw):
        raise ConfigurationError(N_("%(name)s: expected a colour such as #1a3d7c, got %(raw)r"), name=name, raw=raw)
    return raw.lower()


def _logo_url(environ: dict[str, str], name: str) -> str:
    raw = environ.get(name, "").strip()
    parsed = urlsplit(raw)
    if raw and (parsed.scheme not in ("https", "http") or not parsed.netloc or any(c in raw for c in ' "<>')):
        raise ConfigurationError(N_("%(name)s: expected https://host/path of an image, got %(raw)r"), name=name,
                                 raw=raw)
    return raw


def _flag(environ: dict[str, str], name: str, *, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(N_("%(name)s: expected true or false, got %(raw)r"), name=name, raw=raw)


def _count(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigurationError(N_("%(name)s: expected a whole number (0 for no limit), got %(raw)r"), name=name,
                                 raw=raw)
    return int(raw)


def _networks(environ: dict[str, str], name: str) -> tuple[str, ...]:
    networks = []
    for item in (part.strip() for part in environ.get(name, "").split(",")):
        if item:
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                raise ConfigurationError(N_("%(name)s: expected addresses or networks such as 10.0.0.5 or "
                                            "10.0.0.0/24, comma-separated; got %(raw)r"), name=name, raw=item) from None
    return tuple(networks)


def _positive(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(N_("%(name)s: expected a whole number of 1 or more, got %(raw)r"), name=name,
                                 raw=raw)
    return int(raw)


def _port(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigurationError(N_("%(name)s: expected a TCP port from 1 to 65535, got %(raw)r"), name=name,
                                 raw=raw)
    return int(raw)


def _load_dotenv() -> None:
    # Real environment variables win over the file.
    load_dotenv(Path.cwd() / ".env", override=False)


@functools.cache
def get_settings() -> Settings:
    return load_settings()
