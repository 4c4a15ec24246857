"""The served app: health, the OpenAPI schema, the error format, the development mail catcher, and its heap."""

from __future__ import annotations

import dataclasses

import aiosmtplib
import pytest

from contacts.settings import get_settings, load_settings
from tests.ports import free_port

pytestmark = pytest.mark.usefixtures("database_url")


async def test_health_reports_status_and_database_kind(http_client):
    async with http_client() as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": get_settings().database_kind}


# The started app's objects are kept out of the garbage collector's full passes while it serves, and given
# back when it stops.
async def test_the_started_app_is_frozen_out_of_full_collections_while_it_serves(http_client):
    import gc

    async with http_client() as client:
        await client.get("/health")
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_openapi_schema_is_served(http_client):
    async with http_client() as client:
        response = await client.get("/schema/openapi.json")
        page = await client.get("/schema")
    assert response.status_code == 200
    assert "/health" in response.json()["paths"]
    assert page.status_code == 200


async def test_unknown_route_uses_the_one_error_format(http_client):
    async with http_client() as client:
        response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


async def test_development_mail_catcher_keeps_sent_mail_and_shows_it(tmp_path, http_client):
    settings = load_settings({"CONTACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}", "CONTACTS_SECRET_KEY": "k" * 32})
    assert settings.mail_catcher  # no CONTACTS_SMTP_URL in development
    port = free_port()
    settings = dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    async with http_client(settings) as client:
        await aiosmtplib.send(
            "From: a@example.org\r\nTo: b@example.org\r\nSubject: Bonjour\r\n\r\nHello\r\n",
            sender="a@example.org", recipients=["b@example.org"], hostname="127.0.0.1", port=port,
        )
        dpo = await api_token("dominique", "dpo")
        listing = (await client.get("/dev/mail", headers=dpo)).json()
        assert [(m["subject"], m["recipients"]) for m in listing] == [("Bonjour", "b@example.org")]
        raw = await client.get(f"/dev/mail/{listing[0]['id']}", headers=dpo)
        assert raw.status_code == 200 and "Hello" in raw.text
        assert (await client.get("/dev/mail/..%2Fetc", headers=dpo)).status_code == 404


# The caught mail holds every message, rights answers and export links included: admin and DPO only.
async def test_only_admin_and_dpo_read_the_caught_mail(http_client):
    settings = dataclasses.replace(get_settings(), mail_catcher=True, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    async with http_client(settings) as client:
        for path in ("/dev/mail", "/dev/mail/20260101T000000000000-00000000"):
            refused = await client.get(path)
            assert refused.status_code == 401 and refused.json()["error"]["status"] == 401
            for role in ("communications", "read_only"):
                forbidden = await client.get(path, headers=await api_token(f"user-{role}", role))
                assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden", path
        assert (await client.get("/dev/mail", headers=await api_token("alix", "admin"))).status_code == 200


async def api_token(username: str, role: str) -> dict[str, str]:
    from contacts.services.staff import accounts as staff

    if not any(account.username == username for account, _ in await staff.users()):
        await staff.create_user(username, role, "correct horse battery staple",
                                ["communications"] if role == "read_only" else [])
    return {"Authorization": f"Bearer {await staff.create_token(username, 'mail')}"}


def test_the_mail_catcher_port_can_move_off_8025():
    from contacts.errors import ConfigurationError

    base = {"CONTACTS_DATABASE_URL": "sqlite:///x.db", "CONTACTS_SECRET_KEY": "k" * 32}
    assert load_settings(base).smtp_url == "smtp://127.0.0.1:8025"
    moved = load_settings({**base, "CONTACTS_MAIL_CATCHER_PORT": "18025"})
    assert moved.mail_catcher and moved.smtp_url == "smtp://127.0.0.1:18025"
    relay = load_settings({**base, "CONTACTS_MAIL_CATCHER_PORT": "18025", "CONTACTS_SMTP_URL": "smtp://relay:25"})
    assert not relay.mail_catcher and relay.smtp_url == "smtp://relay:25"
    for wrong in ("0", "70000", "port"):
        with pytest.raises(ConfigurationError, match="CONTACTS_MAIL_CATCHER_PORT"):
            load_settings({**base, "CONTACTS_MAIL_CATCHER_PORT": wrong})


def test_the_brand_colour_and_logo_settings_are_checked():
    from contacts.errors import ConfigurationError

    base = {"CONTACTS_DATABASE_URL": "sqlite:///x.db", "CONTACTS_SECRET_KEY": "k" * 32}
    assert (load_settings(base).brand_colour, load_settings(base).logo_url) == ("#1a3d7c", "")
    branded = load_settings({**base, "CONTACTS_BRAND_COLOUR": "#7A1F3D",
                             "CONTACTS_LOGO_URL": "https://musee.example/media/logo-400x120.png"})
    assert (branded.brand_colour, branded.logo_url) == ("#7a1f3d", "https://musee.example/media/logo-400x120.png")
    for name, wrong in (("CONTACTS_BRAND_COLOUR", "red"), ("CONTACTS_BRAND_COLOUR", "#12345"),
                        ("CONTACTS_BRAND_COLOUR", "#123456;}"), ("CONTACTS_LOGO_URL", "javascript:alert(1)"),
                        ("CONTACTS_LOGO_URL", '/logo.png'), ("CONTACTS_LOGO_URL", 'https://x.example/a"b.png')):
        with pytest.raises(ConfigurationError, match=name):
            load_settings({**base, name: wrong})


def test_production_needs_a_secret_key_and_an_smtp_server():
    from contacts.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="CONTACTS_SECRET_KEY"):
        load_settings({"CONTACTS_ENV": "production"})
    with pytest.raises(ConfigurationError, match="CONTACTS_SMTP_URL"):
        load_settings({"CONTACTS_ENV": "production", "CONTACTS_SECRET_KEY": "k" * 32})
    production = load_settings({"CONTACTS_ENV": "production", "CONTACTS_SECRET_KEY": "k" * 32,
                                "CONTACTS_SMTP_URL": "smtp://relay:587?starttls=true",
                                "CONTACTS_BASE_URL": "https://contacts.musee.example"})
    assert not production.mail_catcher


def test_development_secret_key_is_kept_in_a_private_file_beside_the_database(tmp_path):
    environ = {"CONTACTS_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'contacts.db'}"}
    first = load_settings(environ)
    key_file = tmp_path / "data" / "contacts.db.secret-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert load_settings(environ).secret_key == first.secret_key  # kept, not regenerated


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"CONTACTS_DATABASE_URL": "mysql://x"}, "CONTACTS_DATABASE_URL"),
        ({"CONTACTS_DATABASE_URL": "postgresql://u@h/db"}, "CONTACTS_SECRET_KEY"),
        ({"CONTACTS_SECRET_KEY": "short"}, "CONTACTS_SECRET_KEY"),
        ({"CONTACTS_ENV": "staging"}, "CONTACTS_ENV"),
        ({"CONTACTS_SMTP_URL": "http://x", "CONTACTS_SECRET_KEY": "k" * 32}, "CONTACTS_SMTP_URL"),
        ({"CONTACTS_BASE_URL": "musee.example"}, "CONTACTS_BASE_URL"),
        ({"CONTACTS_ENV": "production", "CONTACTS_SECRET_KEY": "k" * 32, "CONTACTS_SMTP_URL": "smtp://relay",
          "CONTACTS_BASE_URL": "http://musee.example"}, "CONTACTS_BASE_URL"),
    ],
)
def test_bad_settings_name_their_variable(environ, variable, tmp_path):
    from contacts.errors import ConfigurationError

    environ.setdefault("CONTACTS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigurationError, match=variable):
        load_settings(environ)
