"""A bounded random fuzz of every public form: whatever the body, the answer is never a server error
(issue 18). Hypothesis draws the bodies, derandomized so that every run sends the same ones."""

from __future__ import annotations

import dataclasses
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.settings import get_settings
from contacts.tokens import TokenAction
from contacts.web.staff import routes as staff_routes
from tests.web.conftest import contact_id, import_to, seal
from tests.web.test_staff_pages import PASSWORD, csrf_of

pytestmark = pytest.mark.usefixtures("database_url")
EXAMPLES_PER_FORM = 60  # seven forms: 420 bodies

# Each form with the fields its page reads.
FORMS = {
    "signup": ("/subscribe/public-newsletter", ["email", "first_name", "last_name", "language", "lists"]),
    "rights": ("/rights", ["request_type", "email", "name", "details"]),
    "preferences": ("/p/{preferences}", ["form", "shown", "keep", "language", "request_type", "details"]),
    "objection": ("/o/{objection}", ["scope", "reason"]),
    "unsubscribe": ("/u/{unsubscribe}", ["List-Unsubscribe"]),
    "rsvp": ("/r/{rsvp}", ["answer"]),
    "staff-login": ("/staff/login", ["_csrf_token", "username", "password", "next"]),
}
VALUES = st.one_of(
    st.text(max_size=40),  # any character but lone surrogates, which no client can encode
    st.sampled_from(["", "all", "purpose", "lists", "everything", "rights", "access", "fr", "en", "One-Click",
                     "public-newsletter", "journalists", "camille", "a@example.org", "\x00", "x" * 5000]),
)
RAW = st.binary(max_size=200)
CONTENT_TYPES = st.sampled_from([
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ", "multipart/form-data",
    "application/json", "text/plain", "application/x-www-form-urlencoded; charset=latin-1", ""])


def fields(names: list[str]):
    return st.lists(st.tuples(st.one_of(st.sampled_from(names), st.text(max_size=10)), VALUES), max_size=8)


def multipart(pairs: list[tuple[str, bytes]]) -> bytes:
    parts = [b'--XyZ\r\nContent-Disposition: form-data; name="' + name.encode("utf-8", "replace") + b'"\r\n\r\n'
             + value + b"\r\n" for name, value in pairs]
    return b"".join(parts) + b"--XyZ--\r\n"


def bodies(names: list[str]):
    """(content-type, body bytes): well-formed forms with odd values, multipart with odd bytes, and noise."""
    form = fields(names).map(lambda pairs: ("application/x-www-form-urlencoded",
                                             urllib.parse.urlencode(pairs, encoding="utf-8", errors="replace").encode()))
    parts = st.lists(st.tuples(st.sampled_from(names), st.one_of(RAW, VALUES.map(lambda v: v.encode("utf-8")))),
                     max_size=5).map(lambda pairs: ("multipart/form-data; boundary=XyZ", multipart(pairs)))
    noise = st.tuples(CONTENT_TYPES, RAW)
    return st.one_of(form, parts, noise)


def drawn(names: list[str]) -> list[tuple[str, bytes, str]]:
    """The bodies hypothesis draws for a form, with a query string each; the same on every run."""
    examples: list[tuple[str, bytes, str]] = []

    @settings(max_examples=EXAMPLES_PER_FORM, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(bodies(names), st.sampled_from(["", "?lang=en", "?lang=%FF", "?lang=%00"]))
    def collect(body, query):
        examples.append((*body, query))

    collect()
    return examples


@pytest.mark.parametrize("form", FORMS)
async def test_every_public_form_answers_random_bodies_without_a_server_error(http_client, mailbox, tmp_path,
                                                                              monkeypatch, form):
    await import_to(tmp_path, "journalists", "zoe@presse.example")
    zoe = await contact_id("zoe@presse.example")
    tokens = {"preferences": seal(TokenAction.PREFERENCES, zoe), "objection": seal(TokenAction.OBJECT, zoe, 0),
              "unsubscribe": seal(TokenAction.UNSUBSCRIBE, zoe, 1), "rsvp": seal(TokenAction.RSVP_ACCEPT, zoe, 1)}
    path, names = FORMS[form]
    path = path.format(**tokens)
    monkeypatch.setattr(staff_routes, "LOGIN_ATTEMPTS_PER_MINUTE", 100_000)  # the limit is tested elsewhere
    unlimited = dataclasses.replace(get_settings(), public_rate_limit=0, signup_rate_limit=0)
    from contacts.services.staff import accounts as staff

    await staff.create_user("camille", "communications", PASSWORD, ())
    async with http_client(unlimited) as client:
        csrf = csrf_of((await client.get("/staff/login")).text)
        for content_type, body, query in drawn(names):
            body = body.replace(b"_csrf_token=", b"_csrf_token=" + csrf.encode() + b"&ignored=", 1)
            answer = await client.post(path + query, content=body, headers={"content-type": content_type} if
                                       content_type else {})
            assert answer.status_code < 500, (form, content_type, body[:300], answer.text[:300])
