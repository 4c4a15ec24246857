"""Piccolo's engine, chosen from CONTACTS_DATABASE_URL. PICCOLO_CONF points here (see contacts/__init__.py)."""

from piccolo.conf.apps import AppRegistry

from contacts.db.engine import make_engine
from contacts.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=["contacts.db.piccolo_app"])
