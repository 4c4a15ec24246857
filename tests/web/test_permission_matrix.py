"""Every staff route × every role, and no credentials at all: each answers its expected status (REQ-7, REQ-24).

The tables below must name every route under /api and /staff that the app serves: a route added without its
row fails `test_the_matrix_names_every_staff_route`. Requests that would change state are chosen so that the
allowed roles all get the same answer whatever ran before (a cancelled campaign cannot be cancelled again, a
guest list with its campaign cannot get a second one), so the order of roles does not matter.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from contacts.services.campaigns import core as campaigns
from contacts.services.invitations import events
from contacts.services.invitations import guest_lists as invitations
from contacts.services.staff import accounts as staff
from contacts.settings import get_settings
from tests.sending.smtp_server import free_port
from tests.sending.test_campaign_send import import_list

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple"
ROLES = ("admin", "communications", "communications_lead", "events", "partnerships", "mediation", "dpo", "read_only")
EVERYONE = set(ROLES)
NEWSLETTER_SENDERS = {"admin", "communications", "communications_lead"}
# read_only: of the communications department
NEWSLETTER_VIEWERS = {"admin", "communications", "communications_lead", "dpo", "read_only"}
INVITERS = {"admin", "communications", "communications_lead", "events"}  # empowered for PR invitations, and may send
APPROVERS = {"admin", "communications_lead"}  # REQ-53: another's campaign, before it is scheduled or sent
CONFIGURERS = {"admin"}  # purposes' settings
INVITATION_VIEWERS = INVITERS | {"dpo", "read_only"}
SUPPRESSORS = EVERYONE - {"read_only"}
CORRECTORS = {"admin", "communications", "communications_lead", "dpo"}
AUDITORS = {"admin", "dpo"}
RIGHTS_DESK = {"admin", "dpo"}
SENDERS = EVERYONE - {"dpo", "read_only"}  # the media library: images for any purpose's campaigns
DOOR = {"admin", "events"}  # at an event's door: guests found by name, marked arrived
CAUGHT_MAIL_READERS = {"admin", "dpo"}  # every message caught, rights answers and export links included


def by_role(allowed: set[str], ok: int, others: int = 403, **special: int) -> dict[str, int]:
    return {role: special.get(role, ok if role in allowed else others) for role in ROLES}


# A contact of the journalists list is "not found" for roles that may correct contacts but not see this one.
HIDDEN_CONTACT = {"events": 404, "partnerships": 404, "mediation": 404}


# A cancelled event: every change to it is a conflict, whatever ran before.
EVENT = {"title_fr": "Gala", "starts_at": "2027-01-15T18:30", "ends_at": "2027-01-15T21:00", "place_name": "Musée"}


def api_routes(ids: dict[str, int]) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    c, x, k, g, e = ids["draft"], ids["cancelled"], ids["contact"], ids["guests"], ids["event"]
    newsletter = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "x"}
    return [
        ("GET", "/api/lists", None, by_role(EVERYONE, 200)),
        ("GET", "/api/lists/journalists/members", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("POST", "/api/lists/journalists/subscriptions", {"contacts": [{"email": "new@presse.example"}],
                                                          "source_type": "given", "source_name": "matrix"},
         by_role(NEWSLETTER_SENDERS, 201)),
        ("GET", "/api/campaigns", None, by_role(EVERYONE, 200)),
        ("POST", "/api/campaigns", newsletter, by_role(NEWSLETTER_SENDERS, 201)),
        ("GET", f"/api/campaigns/{c}", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", f"/api/campaigns/{c}/preview", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", f"/api/campaigns/{c}/preview.eml", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("POST", f"/api/campaigns/{c}/test", {"to": "not an address"}, by_role(NEWSLETTER_SENDERS, 400)),
        ("POST", f"/api/campaigns/{c}/pause", None, by_role(NEWSLETTER_SENDERS, 409)),  # a draft
        ("POST", f"/api/campaigns/{x}/send", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/api/campaigns/{x}/cancel", None, by_role(NEWSLETTER_SENDERS, 409)),
        # not marked for the public archive: nothing to withdraw
        ("POST", f"/api/campaigns/{x}/withdraw-from-archive", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("PATCH", f"/api/campaigns/{x}", {"subject_fr": "y"}, by_role(NEWSLETTER_SENDERS, 409)),  # not a draft
        ("DELETE", f"/api/campaigns/{x}", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/api/campaigns/{x}/duplicate", None, by_role(NEWSLETTER_SENDERS, 201)),
        ("GET", f"/api/campaigns/{c}/audience", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", f"/api/campaigns/{c}/report", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", f"/api/campaigns/{c}/report.csv", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("PUT", f"/api/campaigns/{x}/clicks", {"count_clicks": False}, by_role(NEWSLETTER_SENDERS, 200)),
        ("GET", "/api/trends", None, by_role(EVERYONE, 200)),
        ("POST", f"/api/campaigns/{x}/approve", None, by_role(APPROVERS, 409)),  # not a draft
        ("POST", f"/api/campaigns/{x}/schedule", {"at": "2031-03-10T09:30"}, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/api/campaigns/{x}/unschedule", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("GET", "/api/contacts?q=presse", None, by_role(EVERYONE, 200)),
        ("GET", f"/api/contacts/{k}", None, by_role(NEWSLETTER_VIEWERS, 200, 404)),
        ("PATCH", f"/api/contacts/{k}", {"last_name": "Lovelace"}, by_role(CORRECTORS, 200, **HIDDEN_CONTACT)),
        ("POST", f"/api/contacts/{k}/unsubscribe", {"list": "press-releases"},
         by_role(CORRECTORS, 200)),  # the list's purpose is checked first
        ("GET", "/api/suppression/counts", None, by_role(EVERYONE, 200)),
        ("GET", "/api/suppression/check?email=a@b.example", None, by_role(EVERYONE, 200)),
        ("POST", "/api/suppression", {"email": "stop@presse.example"}, by_role(SUPPRESSORS, 201)),
        ("GET", "/api/audit", None, by_role(AUDITORS, 200)),
        ("GET", "/api/events", None, by_role(EVERYONE, 200)),
        ("POST", "/api/events", EVENT, by_role(INVITERS, 201)),
        ("GET", f"/api/events/{e}", None, by_role(INVITATION_VIEWERS, 200)),
        ("PATCH", f"/api/events/{e}", {"capacity": 5}, by_role(INVITERS, 409)),
        ("POST", f"/api/events/{e}/cancel", None, by_role(INVITERS, 409)),
        ("GET", "/api/invitation-lists", None, by_role(EVERYONE, 200)),
        ("POST", "/api/invitation-lists", {"name": "Gala", "lists": ["journalists"]}, by_role(INVITERS, 201)),
        ("GET", f"/api/invitation-lists/{g}", None, by_role(INVITATION_VIEWERS, 200)),
        ("GET", f"/api/invitation-lists/{g}/guests", None, by_role(INVITATION_VIEWERS, 200)),
        ("POST", f"/api/invitation-lists/{g}/campaign", {"subject": "Gala"}, by_role(INVITERS, 409)),
        ("POST", f"/api/invitation-lists/{g}/attended", {"contacts": []}, by_role(DOOR, 200)),
        ("GET", f"/api/invitation-lists/{g}/arrivals", None, by_role(DOOR, 200)),
        ("GET", f"/api/invitation-lists/{g}/door-list.csv?to=Vestiaire&why=manteaux", None, by_role(DOOR, 200)),
        ("GET", f"/api/invitation-lists/{g}/reminders", None, by_role(INVITATION_VIEWERS, 200)),
        # Its invitation campaign is a draft: nobody is invited yet, so no reminder.
        ("POST", f"/api/invitation-lists/{g}/reminders", {"kind": "no_answer", "subject": "Relance"},
         by_role(INVITERS, 409)),
        ("GET", f"/api/invitation-lists/{g}/export.csv?to=Traiteur&why=badges", None, by_role(INVITERS, 200)),
        ("GET", "/api/media", None, by_role(EVERYONE, 200)),
        ("POST", "/api/media", {"alt": "not multipart"}, by_role(SENDERS, 400)),
        ("GET", "/api/media/1", None, by_role(EVERYONE, 404)),  # the library is empty
        ("PATCH", "/api/media/1", {"alt": "Affiche"}, by_role(SENDERS, 404)),
        ("DELETE", "/api/media/1", None, by_role(SENDERS, 404)),
    ]


def page_routes(ids: dict[str, int]) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    c, x, k, g, r, e = ids["draft"], ids["cancelled"], ids["contact"], ids["guests"], ids["refused"], ids["event"]
    return [
        ("GET", "/staff/", None, by_role(EVERYONE, 200)),
        ("GET", "/staff/campaigns/", None, by_role(EVERYONE, 200)),
        ("POST", "/staff/campaigns/", {"lists": "journalists", "template": "invitation", "subject": ""},
         by_role(NEWSLETTER_SENDERS, 400)),
        ("GET", f"/staff/campaigns/{c}", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", f"/staff/campaigns/{c}/preview.html", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("POST", f"/staff/campaigns/{c}/test", {"to": "not an address"}, by_role(NEWSLETTER_SENDERS, 400)),
        ("POST", f"/staff/campaigns/{c}/pause", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/staff/campaigns/{x}/send", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/staff/campaigns/{x}/cancel", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/staff/campaigns/{x}/withdraw-from-archive", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("GET", f"/staff/campaigns/{c}/edit", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("POST", f"/staff/campaigns/{x}/edit", {"subject_fr": "y", "action": "save"}, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/staff/campaigns/{c}/preview", {"subject_fr": "y"}, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", f"/staff/campaigns/{c}/confirm", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("POST", f"/staff/campaigns/{x}/duplicate", None, by_role(NEWSLETTER_SENDERS, 303)),
        ("POST", f"/staff/campaigns/{x}/delete", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("GET", f"/staff/campaigns/{c}/report.csv", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("POST", f"/staff/campaigns/{x}/clicks", {"count_clicks": "off"}, by_role(NEWSLETTER_SENDERS, 303)),
        ("GET", "/staff/trends", None, by_role(EVERYONE, 200)),
        ("POST", f"/staff/campaigns/{x}/approve", None, by_role(APPROVERS, 409)),
        ("POST", f"/staff/campaigns/{x}/schedule", {"at": "2031-03-10T09:30"}, by_role(NEWSLETTER_SENDERS, 409)),
        ("POST", f"/staff/campaigns/{x}/unschedule", None, by_role(NEWSLETTER_SENDERS, 409)),
        ("GET", "/staff/purposes/", None, by_role(EVERYONE, 200)),
        ("POST", "/staff/purposes/communications-newsletter/approval", {"approval": "none"}, by_role(CONFIGURERS, 303)),
        ("GET", "/staff/contacts/?q=presse", None, by_role(EVERYONE, 200)),
        ("GET", f"/staff/contacts/{k}", None, by_role(NEWSLETTER_VIEWERS, 200, 404)),
        ("POST", f"/staff/contacts/{k}", {"last_name": "Lovelace"}, by_role(CORRECTORS, 303, **HIDDEN_CONTACT)),
        ("GET", "/staff/lists/", None, by_role(EVERYONE, 200)),
        ("GET", "/staff/lists/journalists", None, by_role(NEWSLETTER_VIEWERS, 200)),
        ("GET", "/staff/suppression/", None, by_role(EVERYONE, 200)),
        ("POST", "/staff/suppression/check", {"email": "a@b.example"}, by_role(EVERYONE, 200)),
        ("POST", "/staff/suppression/", {"email": "stop@presse.example", "reason": "manual"},
         by_role(SUPPRESSORS, 200)),
        ("GET", "/staff/audit/", None, by_role(AUDITORS, 200)),
        ("GET", "/staff/register/", None, by_role(EVERYONE, 200)),
        ("GET", "/staff/import/", None, by_role(EVERYONE - {"dpo", "read_only"}, 200)),
        ("POST", "/staff/import/preview", {"list_slug": "journalists"}, by_role(EVERYONE - {"dpo", "read_only"}, 400)),
        ("POST", "/staff/import/run", {"list_slug": "journalists", "upload_id": "0" * 32, "source_type": "given",
                                       "source_name": "x", "file_name": "x.csv"}, by_role(NEWSLETTER_SENDERS, 404)),
        ("GET", "/staff/events/", None, by_role(EVERYONE, 200)),
        ("GET", "/staff/events/new", None, by_role(INVITERS, 200)),
        ("POST", "/staff/events/", {"title_fr": ""}, by_role(INVITERS, 400)),
        ("GET", f"/staff/events/{e}", None, by_role(INVITATION_VIEWERS, 200)),
        ("GET", f"/staff/events/{e}/edit", None, by_role(INVITERS, 200)),
        ("POST", f"/staff/events/{e}/edit", EVENT, by_role(INVITERS, 409)),
        ("POST", f"/staff/events/{e}/cancel", None, by_role(INVITERS, 409)),
        ("POST", f"/staff/events/{e}/guest-lists", {"name": "Gala", "lists": "journalists"}, by_role(INVITERS, 400)),
        ("GET", "/staff/invitations/", None, by_role(EVERYONE, 200)),
        ("POST", "/staff/invitations/", {"name": "", "lists": "journalists"}, by_role(INVITERS, 400)),
        ("GET", f"/staff/invitations/{g}", None, by_role(INVITATION_VIEWERS, 200)),
        ("POST", f"/staff/invitations/{g}/campaign", {"subject": "Gala"}, by_role(INVITERS, 409)),
        ("POST", f"/staff/invitations/{g}/attended", {}, by_role(DOOR, 303)),
        ("GET", "/staff/door/", None, by_role(DOOR, 200)),
        ("GET", f"/staff/door/lists/{g}?q=ada", None, by_role(DOOR, 200)),
        ("GET", "/staff/door/events/999", None, by_role(DOOR, 404)),  # no such event
        ("POST", f"/staff/door/lists/{g}/arrivals", {"contact": "0"}, by_role(DOOR, 200)),  # "not on this list"
        ("POST", f"/staff/door/lists/{g}/arrivals/undo", {"contact": "0"}, by_role(DOOR, 200)),
        ("GET", "/staff/door/check-in/forged", None, by_role(DOOR, 404)),  # an unknown pass
        ("POST", "/staff/door/check-in/forged", {"who": "guest"}, by_role(DOOR, 404)),
        ("GET", f"/staff/door/lists/{g}/door-list", None, by_role(DOOR, 200)),
        ("POST", f"/staff/door/lists/{g}/door-list.csv", {"to": "Vestiaire", "why": "manteaux"}, by_role(DOOR, 200)),
        ("POST", f"/staff/invitations/{g}/reminders", {"kind": "no_answer", "subject": "Relance"},
         by_role(INVITERS, 400)),
        ("POST", f"/staff/invitations/{g}/export", {"to": "Traiteur", "why": "badges"}, by_role(INVITERS, 200)),
        # A refused request: every action on it is a conflict for the desk, whatever ran before.
        ("GET", "/staff/rights/", None, by_role(RIGHTS_DESK, 200)),
        ("POST", "/staff/rights/", {"request_type": "", "email": "a@b.example"}, by_role(RIGHTS_DESK, 400)),
        ("GET", f"/staff/rights/{r}", None, by_role(RIGHTS_DESK, 200)),
        ("POST", f"/staff/rights/{r}/identity/ask", {"what": "an ID"}, by_role(RIGHTS_DESK, 409)),
        ("POST", f"/staff/rights/{r}/identity/documents", {}, by_role(RIGHTS_DESK, 400)),
        ("GET", f"/staff/rights/{r}/identity/documents/1", None, by_role(RIGHTS_DESK, 404)),
        ("POST", f"/staff/rights/{r}/identity/verify", {"method": "letter"}, by_role(RIGHTS_DESK, 409)),
        ("POST", f"/staff/rights/{r}/extend", {"months": "1", "reason": "many"}, by_role(RIGHTS_DESK, 409)),
        ("POST", f"/staff/rights/{r}/answer", {}, by_role(RIGHTS_DESK, 409)),
        ("POST", f"/staff/rights/{r}/refuse", {"ground": "excessive"}, by_role(RIGHTS_DESK, 409)),
        ("POST", f"/staff/rights/{r}/propagations/1/told", None, by_role(RIGHTS_DESK, 404)),
        ("POST", f"/staff/rights/{r}/restrictions/1/lift", None, by_role(RIGHTS_DESK, 404)),
        ("POST", f"/staff/contacts/{k}/death-notice", {"verified_by": ""}, by_role(RIGHTS_DESK, 400)),
        ("POST", f"/staff/contacts/{k}/after-death/revoke", None, by_role(RIGHTS_DESK, 303)),
        ("GET", "/staff/media/", None, by_role(EVERYONE, 200)),
        ("POST", "/staff/media/", {"alt": "no file"}, by_role(SENDERS, 400)),
        ("POST", "/staff/media/1/alt", {"alt": "Affiche"}, by_role(SENDERS, 404)),
        ("POST", "/staff/media/1/delete", None, by_role(SENDERS, 404)),
        ("GET", "/staff/windows/", None, by_role(EVERYONE, 200)),
        # Hours that run backwards: refused whatever ran before, after the role's check.
        ("POST", "/staff/windows/press-information", {"days": "mon", "opens": "20:00", "closes": "08:00"},
         by_role({"admin"}, 400)),
        ("GET", "/staff/mail/", None, by_role(CAUGHT_MAIL_READERS, 200)),
        ("GET", "/staff/mail/20260101T000000000000-00000000", None, by_role(CAUGHT_MAIL_READERS, 404)),
        ("POST", "/staff/language", {"language": "en", "next": "/staff/"}, by_role(EVERYONE, 303)),
        ("GET", "/staff/mail/20260101T000000000000-00000000/html", None, by_role(CAUGHT_MAIL_READERS, 404)),
        # Last: it ends the session.
        ("POST", "/staff/logout", None, by_role(EVERYONE, 303)),
    ]


async def prepare(tmp_path) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """An account and a token per role, and the objects the routes name."""
    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelace,en"])
    await import_list(tmp_path, "press-releases", ["ada@presse.example,Ada,Lovelace,en"])
    headers = {}
    for role in ROLES:
        await staff.create_user(f"user-{role}", role, PASSWORD, ["communications"] if role == "read_only" else [])
        headers[role] = {"Authorization": f"Bearer {await staff.create_token(f'user-{role}', 'matrix')}"}
    admin = await staff.staff_for_token(headers["admin"]["Authorization"].removeprefix("Bearer "))
    draft = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                   subject="Draft", actor="test")
    cancelled = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                       subject="Cancelled", actor="test")
    await campaigns.change_status(cancelled.id, "cancel")
    guests = await invitations.build(admin, "Vernissage", ["journalists"])
    await invitations.create_campaign(admin, guests.id, "Vernissage")
    event = await events.create(admin, EVENT)
    await events.cancel(admin, event.event.id)
    contact = (await staff_desk_search(admin))[0]
    return headers, {"draft": draft.id, "cancelled": cancelled.id, "contact": contact, "guests": guests.id,
                     "refused": await refused_request(contact), "event": event.event.id}


async def refused_request(contact: int) -> int:
    from contacts.domain import Channel, RightsRequestStatus, RightsRequestType
    from contacts.services.rights import requests as rights
    from contacts.tables import RightsRequest

    created = await rights.record_request(contact, RightsRequestType.ACCESS, Channel.STAFF, actor="test",
                                          identity_method="letter", requester_email="ada@presse.example")
    await RightsRequest.update({RightsRequest.status: RightsRequestStatus.REFUSED}).where(
        RightsRequest.id == created["id"])
    return created["id"]


async def staff_desk_search(admin) -> list[int]:
    from contacts.services.people import people_operations

    found, _ = await people_operations.search_contacts(admin, "ada")
    return [item.id for item in found]


def pattern(path: str) -> str:
    """A requested path as the app's route pattern: ids and slugs are its parameters."""
    path = path.split("?")[0].rstrip("/") or "/"
    path = re.sub(r"/staff/mail/[^/]+(/html)?$", lambda m: "/staff/mail/{mail_id:str}" + (m.group(1) or ""), path)
    path = re.sub(r"^/staff/door/(lists|events|check-in)/[^/]+", lambda m: "/staff/door/" + m.group(1) + "/" + {
        "lists": "{list_id:int}", "events": "{event_id:int}", "check-in": "{token:str}"}[m.group(1)], path)
    path = re.sub(r"/lists/[a-z-]+", "/lists/{slug:str}", path)
    path = re.sub(r"/purposes/[a-z-]+", "/purposes/{code:str}", path)
    path = re.sub(r"/staff/windows/[a-z-]+", "/staff/windows/{code:str}", path)
    return re.sub(r"/(campaigns|contacts|invitation-lists|invitations|rights|documents|propagations|restrictions|media|"
                  r"events)"
                  r"/\d+",
                  lambda m: {
        "campaigns": "/campaigns/{campaign_id:int}", "contacts": "/contacts/{contact_id:int}",
        "invitation-lists": "/invitation-lists/{list_id:int}", "invitations": "/invitations/{list_id:int}",
        "rights": "/rights/{request_id:int}", "documents": "/documents/{document_id:int}",
        "propagations": "/propagations/{propagation_id:int}", "restrictions": "/restrictions/{restriction_id:int}",
        "media": "/media/{image_id:int}", "events": "/events/{event_id:int}",
    }[m.group(1)], path)


def settings_with_catcher():
    return dataclasses.replace(get_settings(), mail_catcher=True, smtp_url=f"smtp://127.0.0.1:{free_port()}")


def test_the_matrix_names_every_staff_route(tmp_path):
    from contacts.app import create_app

    ids = {"draft": 1, "cancelled": 2, "contact": 3, "guests": 4, "refused": 5, "event": 6}
    served = {(method, route.path) for route in create_app(settings_with_catcher()).routes
              if route.path.startswith(("/api", "/staff")) for method in route.methods
              if method not in ("HEAD", "OPTIONS")}
    listed = {(method, pattern(path)) for method, path, _, _ in api_routes(ids) + page_routes(ids)}
    listed |= {("GET", "/staff/login"), ("POST", "/staff/login")}  # before signing in: test_staff_pages.py
    assert served - listed == set() and listed - served == set()


# REQ-7, REQ-24
async def test_req7_req24_every_api_route_answers_each_role_as_expected(http_client, tmp_path):
    headers, ids = await prepare(tmp_path)
    seen, wanted = {}, {}
    async with http_client() as client:
        for method, path, body, expected in api_routes(ids):
            seen[(method, path, "anonymous")] = (await client.request(method, path, json=body)).status_code
            wanted[(method, path, "anonymous")] = 401
            for role in ROLES:
                answer = await client.request(method, path, json=body, headers=headers[role])
                seen[(method, path, role)], wanted[(method, path, role)] = answer.status_code, expected[role]
    assert {key: value for key, value in seen.items() if value != wanted[key]} == {}


# REQ-7, REQ-24
async def test_req7_req24_every_staff_page_answers_each_role_as_expected(http_client, tmp_path):
    _, ids = await prepare(tmp_path)
    settings = settings_with_catcher()
    seen, wanted = {}, {}
    async with http_client(settings) as client:
        token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/staff/login")).text).group(1)
        for method, path, body, _ in page_routes(ids):
            answer = await client.request(method, path, data={"_csrf_token": token, **(body or {})}
                                          if method == "POST" else None)
            seen[(method, path, "anonymous")], wanted[(method, path, "anonymous")] = answer.status_code, 303
    for role in ROLES:
        async with http_client(settings) as client:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/staff/login")).text).group(1)
            signed = await client.post("/staff/login", data={"_csrf_token": token, "username": f"user-{role}",
                                                             "password": PASSWORD})
            assert signed.status_code == 303
            for method, path, body, expected in page_routes(ids):
                answer = await client.request(method, path, data={"_csrf_token": token, **(body or {})}
                                              if method == "POST" else None)
                seen[(method, path, role)], wanted[(method, path, role)] = answer.status_code, expected[role]
    assert {key: (value, wanted[key]) for key, value in seen.items() if value != wanted[key]} == {}
