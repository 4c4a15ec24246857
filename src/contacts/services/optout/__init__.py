"""Opting out through a link: one-click unsubscribe (RFC 8058), the unsubscribe page, objection (Art. 21)."""
