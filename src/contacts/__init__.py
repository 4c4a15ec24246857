"""contacts: a consent-first contact-list and communications-preference manager."""

import os

# Tables bind to their engine on first use, so Piccolo must find our configuration before any import.
os.environ.setdefault("PICCOLO_CONF", "contacts.db.piccolo_conf")
