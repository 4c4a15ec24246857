"""The staff pages: sign-in with server-side sessions, CSRF on every form, role scoping, campaigns and
caught mail, all without JavaScript."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import UTC, datetime

import pytest

from contacts.event_tables import Invitation
from contacts.i18n import gettext
from contacts.services.staff import accounts as staff
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Campaign, StaffSession
from tests.sending.test_campaign_send import import_list
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_public_pages import PageAudit

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple"


def csrf_of(page: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


async def signed_in(client, username: str, role: str = "communications", *departments: str,
                    language: str = "en") -> str:
    """Signs in (to English pages unless asked otherwise); returns a CSRF token for the forms."""
    await staff.create_user(username, role, PASSWORD, departments, language=language)
    token = csrf_of((await client.get("/staff/login")).text)
    answer = await client.post("/staff/login", data={"_csrf_token": token, "username": username,
                                                     "password": PASSWORD, "next": "/staff/campaigns/"})
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/campaigns/"
    return csrf_of((await client.get("/staff/")).text)


# REQ-24: staff pages need a signed-in session; the way back after signing in stays on our own pages.
async def test_req24_pages_send_strangers_to_sign_in_and_back(http_client):
    async with http_client() as client:
        for path in ("/staff/", "/staff/campaigns/", "/staff/campaigns/1"):
            answer = await client.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login?next=/staff")
        page = (await client.get("/staff/login?next=https://evil.example/")).text
        assert 'name="next" value="/staff/"' in page
        assert '<html lang="fr">' in page and '<label for="username">' in page and '<label for="password">' in page


# REQ-24: a wrong password is refused without saying whether the name exists; sign-in is rate-limited.
async def test_req24_wrong_passwords_are_refused_and_rate_limited(http_client):
    await staff.create_user("camille", "communications", PASSWORD)
    async with http_client() as client:
        token = csrf_of((await client.get("/staff/login")).text)
        answers = [await client.post("/staff/login", data={"_csrf_token": token, "username": name,
                                                           "password": "not the password"})
                   for name in ("camille", "nobody")]
        assert [a.status_code for a in answers] == [401, 401]
        assert answers[0].text.replace("camille", "nobody") == answers[1].text.replace("camille", "nobody")
        codes = [(await client.post("/staff/login", data={"_csrf_token": token, "username": "camille",
                                                          "password": "wrong"})).status_code for _ in range(12)]
        assert 429 in codes


# REQ-24: every staff form needs its CSRF token; the recipients' pages set no cookie at all (REQ-11).
async def test_req24_forms_need_the_csrf_token_and_public_pages_set_no_cookie(http_client):
    async with http_client() as client:
        await signed_in(client, "camille")
        forged = await client.post("/staff/campaigns/", data={"lists": "journalists", "template": "invitation",
                                                              "subject": "x"})
        assert forged.status_code == 403
        assert (await client.post("/staff/logout")).status_code == 403
    async with http_client() as stranger:
        for path in ("/u/garbage", "/p/garbage", "/subscribe/public-newsletter", "/health"):
            assert "set-cookie" not in (await stranger.get(path)).headers, path


# REQ-24: the session cookie is HttpOnly, SameSite=Strict and scoped to /staff; the store keeps only its hash;
# signing out, or disabling the account, ends it.
async def test_req24_sessions_are_server_side_and_end(http_client):
    async with http_client() as client:
        token = await signed_in(client, "camille")
        cookie = next(c for c in client.cookies.jar if c.name == "contacts_staff")
        assert cookie.path == "/staff" and cookie.has_nonstandard_attr("HttpOnly")
        assert (await StaffSession.count()) == 1
        stored = (await StaffSession.select().first())["key_hash"]
        assert cookie.value not in stored and len(stored) == 64 and stored != hashlib.sha256(b"").hexdigest()
        assert (await client.post("/staff/logout", data={"_csrf_token": token})).status_code == 303
        assert (await client.get("/staff/")).status_code == 303
    async with http_client() as client:
        await signed_in(client, "dominique", "dpo")
        await staff.set_active("dominique", False)
        assert (await client.get("/staff/")).status_code == 303


# REQ-7: the communications role cannot send to the mediation lists, and does not see them.
async def test_req7_pages_show_and_act_only_on_the_roles_purposes(http_client):
    async with http_client() as client:
        token = await signed_in(client, "camille")
        page = (await client.get("/staff/campaigns/")).text
        assert 'value="journalists"' in page and 'value="teachers"' not in page
        refused = await client.post("/staff/campaigns/", data={"_csrf_token": token, "lists": "teachers",
                                                               "template": "newsletter-mediation", "subject": "x"})
        assert refused.status_code == 403 and "not empowered" in refused.text
        dashboard = (await client.get("/staff/")).text
        assert "Journalists" in dashboard and "Teachers" not in dashboard


# REQ-27, REQ-8: a campaign created, previewed, sent and followed from the pages; each step is audited.
async def test_req27_a_campaign_from_the_pages_reaches_the_catcher(http_client, tmp_path, monkeypatch):
    from contacts import devmail
    from contacts.sending import worker
    from tests.sending.smtp_server import TestSmtpServer

    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,Jeanne{i},Dupont,fr" for i in range(4)])
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url, mail_catcher=True,
                                       database_url=f"sqlite:///{tmp_path / 'x.db'}")
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        async with http_client(settings) as client:
            token = await signed_in(client, "camille")
            created = await client.post("/staff/campaigns/", data={
                "_csrf_token": token, "lists": "journalists", "template": "newsletter-communications",
                "subject": "La lettre", "body": "Bonjour."})
            assert created.status_code == 303
            location = created.headers["location"]
            page = (await client.get(location)).text
            assert "draft" in page and "Se désinscrire" in page
            campaign_path = location.split("?")[0]
            html = await client.get(f"{campaign_path}/preview.html")
            assert "sandbox" in html.headers["content-security-policy"] and "<html" in html.text.lower()
            assert (await client.post(f"{campaign_path}/send", data={"_csrf_token": token,
                                                                      "expected_count": "4"})).status_code == 303
            running = (await client.get(campaign_path)).text
            assert 'http-equiv="refresh"' in running and "<progress" in running
            assert "still being written" not in running  # started from this page: built before it runs
            campaign_id = int(campaign_path.rsplit("/", 1)[1])
            await Campaign.update({Campaign.audience_built_at: None}).where(Campaign.id == campaign_id)
            assert "The audience is still being written" in (await client.get(campaign_path)).text  # as a sender builds it
            await Campaign.update({Campaign.audience_built_at: datetime.now(UTC)}).where(Campaign.id == campaign_id)
            await worker.drain_running(worker.SendOptions(concurrency=2, wait_for_retries=False))
            finished = (await client.get(campaign_path)).text
            assert "finished" in finished and re.search(r"<th scope=\"row\">sent</th><td>4</td>", finished)
            for mail in server.handler.received:  # as the catcher keeps them
                handler = devmail.CatchingHandler(settings.mail_catcher_dir)
                settings.mail_catcher_dir.mkdir(parents=True, exist_ok=True)
                await handler.handle_DATA(None, None, mail)
            assert (await client.get("/staff/mail/")).status_code == 403  # admin and DPO only
        async with http_client(settings) as client:
            await signed_in(client, "dominique", "dpo")
            caught = (await client.get("/staff/mail/")).text
            assert caught.count("La lettre") == 4
            first = re.search(r'href="(/staff/mail/[^"]+)"', caught).group(1)
            message = (await client.get(first)).text
            assert "List-Unsubscribe-Post" in message and "One-Click" in message
    actions = {row["action"] for row in await AuditEvent.select(AuditEvent.action)}
    assert {"campaign.create", "campaign.send"} <= actions


# REQ-8, REQ-42: contact search and detail (audited), the suppression list's check and add, and the audit log.
async def test_req8_req42_contacts_suppression_and_audit_pages(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelace,en"])
    async with http_client() as client:
        token = await signed_in(client, "camille")
        results = (await client.get("/staff/contacts/?q=lovelace")).text
        link = re.search(r'href="(/staff/contacts/\d+)"', results).group(1)
        detail = (await client.get(link)).text
        assert "ada@presse.example" in detail and "journalists" in detail and "Not on the suppression list" in detail
        added = await client.post("/staff/suppression/", data={"_csrf_token": token, "email": "ada@presse.example",
                                                               "reason": "manual", "scope": "global"})
        assert added.status_code == 200 and "Added: every mailing, added by staff" in added.text
        bad = await client.post("/staff/suppression/", data={"_csrf_token": token, "email": "ada@presse.example",
                                                             "reason": "manual", "scope": "list:nowhere"})
        assert bad.status_code == 400 and "scope" in bad.text
        checked = await client.post("/staff/suppression/check", data={"_csrf_token": token,
                                                                      "email": "ADA@presse.example"})
        assert "is suppressed: every mailing (added by staff" in checked.text
        assert "<li>every mailing: added by staff since" in (await client.get(link)).text
    async with http_client() as client:
        await signed_in(client, "dominique", "dpo")
        log = (await client.get("/staff/audit/?action=contact.view")).text
    assert "staff:camille" in log and "contact.view" in log and "suppression.add" not in log


# REQ-7, REQ-8, REQ-40: the import page previews a file with its row report and writes nothing, then
# imports it as previewed; another department's list is refused; the import is audited.
async def test_req7_req8_the_import_page_previews_then_imports(http_client):
    from contacts.tables import Contact, Subscription

    content = "email;nom\nada@presse.example;Lovelace\nbroken@;Nobody\nbob@presse.example;Bob\n".encode()
    async with http_client() as client:
        token = await signed_in(client, "camille")
        form = {"_csrf_token": token, "list_slug": "journalists", "source_type": "third_party",
                "source_name": "Annuaire presse"}
        preview = await client.post("/staff/import/preview", data=form,
                                    files={"file": ("presse.csv", content, "text/csv")})
        assert preview.status_code == 200, preview.text
        assert "nothing is written yet" in preview.text and "<td>invalid</td>" in preview.text
        assert await Contact.count() == 0
        upload_id = re.search(r'name="upload_id" value="([0-9a-f]+)"', preview.text).group(1)
        done = await client.post("/staff/import/run", data={**form, "upload_id": upload_id, "file_name": "presse.csv"})
        assert done.status_code == 200 and "Import done" in done.text
        assert await Subscription.count() == 2
        again = await client.post("/staff/import/run", data={**form, "upload_id": upload_id, "file_name": "x"})
        assert again.status_code == 404  # the staged file is deleted once imported
        refused = await client.post("/staff/import/preview", data={**form, "list_slug": "teachers"},
                                    files={"file": ("x.csv", content, "text/csv")})
        assert refused.status_code == 403
        no_file = await client.post("/staff/import/preview", data=form)
        assert no_file.status_code == 400 and "file" in no_file.text
    assert "import" in {row["action"] for row in await AuditEvent.select(AuditEvent.action)}


# REQ-8: correcting a contact from its page is recorded in its consent history.
async def test_req8_a_correction_from_the_contact_page_shows_in_its_history(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelase,en"])
    async with http_client() as client:
        token = await signed_in(client, "camille")
        link = re.search(r'href="(/staff/contacts/\d+)"', (await client.get("/staff/contacts/?q=ada")).text).group(1)
        page = (await client.get(link)).text
        assert '<label for="edit-last_name">' in page
        saved = await client.post(link, data={"_csrf_token": token, "last_name": "Lovelace", "first_name": "Ada",
                                              "language": "en"})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?notice=rectified")
        after = (await client.get(saved.headers["location"])).text
        assert "rectified" in after and 'value="Lovelace"' in after
        too_long = await client.post(link, data={"_csrf_token": token, "title": "x" * 50})
        assert too_long.status_code == 400 and "title" in too_long.text


# REQ-7, REQ-8, REQ-21: a list's members by status; the event team builds a guest list, invites, marks who
# came and exports with to whom and why, from the pages.
async def test_req7_lists_and_invitation_pages(http_client, tmp_path):
    from contacts.domain import Channel
    from contacts.services.people import suppression as suppression_service

    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelace,en", "bo@presse.example,Bo,B,fr"])
    await suppression_service.suppress("bo@presse.example", "objection", scope="purpose:pr-invitations",
                                       actor="test", channel=Channel.OBJECTION_PAGE)
    async with http_client() as client:
        await signed_in(client, "camille")
        members = (await client.get("/staff/lists/journalists?status=subscribed")).text
        assert "2 members." in members and "ada@presse.example" in members
        assert (await client.get("/staff/lists/teachers")).status_code == 403
    async with http_client() as client:
        token = await signed_in(client, "eva", "events")
        built = await client.post("/staff/invitations/", data={"_csrf_token": token, "name": "Vernissage",
                                                               "lists": "journalists"})
        assert built.status_code == 303
        page = (await client.get(built.headers["location"])).text
        assert "ada@presse.example" in page and "bo@presse.example" not in page and "left out: suppressed" in page
        assert 'id="came-' not in page  # only accepted guests can arrive
        await Invitation.update({Invitation.status: "accepted"}).where(Invitation.id > 0)  # Ada accepted
        ada = re.search(r'id="came-(\d+)"', (await client.get(built.headers["location"])).text).group(1)
        assert (await client.post(f"{built.headers['location']}/attended",
                                  data={"_csrf_token": token, "contacts": ada})).status_code == 303
        arrived = (await client.get(built.headers["location"])).text
        assert "<td>accepted</td>" in arrived and "arrived on " in arrived and 'id="came-' not in arrived
        export = await client.post(f"{built.headers['location']}/export",
                                   data={"_csrf_token": token, "to": "Traiteur", "why": "badges"})
        assert export.status_code == 200 and "ada@presse.example" in export.text
        invite = await client.post(f"{built.headers['location']}/campaign",
                                   data={"_csrf_token": token, "subject": "Vernissage", "body": "Venez."})
        assert invite.status_code == 303 and invite.headers["location"].startswith("/staff/campaigns/")
        assert "Vernissage" in (await client.get(invite.headers["location"])).text


class StaffPageAudit(PageAudit):
    """The public pages' checks, and what the staff layout adds: the skip link's target, named regions."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.labelled_by: list[str] = []

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a":
            self.hrefs.append(attrs.get("href") or "")
        if attrs.get("aria-labelledby"):
            self.labelled_by.append(attrs["aria-labelledby"])


def assert_accessible_basics(page, path: str, lang: str = "en") -> None:
    audit = StaffPageAudit()
    audit.feed(page.text)
    assert audit.lang == lang, path
    unlabelled = [control for control in audit.controls if control[1] not in audit.label_targets]
    assert unlabelled == [], (path, unlabelled)
    assert audit.headings.count("h1") == 1, path
    assert audit.hrefs[0] == "#content" and "content" in audit.ids, path  # the skip link comes first
    assert all(target in audit.ids for target in audit.labelled_by), path
    assert audit.external == [], path
    assert "default-src 'none'" in page.headers["content-security-policy"], path


# WCAG 2.1 AA basics on every staff page, in each state a newcomer meets: the page's language, a label for
# every control, one h1, a skip link to the content, named regions, nothing from elsewhere.
@pytest.mark.parametrize("language", ["fr", "en"])
async def test_wcag_basics_on_every_staff_page(http_client, tmp_path, monkeypatch, language):
    """In French and in English: a French page also has French typography and no English sentence of
    the catalogue (REQ-11 and REQ-25 hold on the recipients' pages, checked in test_public_pages)."""
    from aiosmtpd.smtp import Envelope

    from contacts import devmail
    from contacts.sending.preview import preview
    from tests.sending.smtp_server import free_port

    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,Jeanne{i},Dupont,fr" for i in range(2)])
    settings = dataclasses.replace(get_settings(), smtp_url=f"smtp://127.0.0.1:{free_port()}", mail_catcher=True,
                                   database_url=f"sqlite:///{tmp_path / 'x.db'}")
    async with http_client(settings) as client:
        checked = []

        async def check(path: str, answer, status: int = 200, lang: str = language) -> None:
            assert answer.status_code == status, (path, answer.status_code)
            assert_accessible_basics(answer, path, lang)
            if lang == "fr":
                assert_reads_in_french(answer.text, path)
            checked.append(path)

        # Before signing in, the pages are in French.
        await check("/staff/login", await client.get("/staff/login"), lang="fr")
        token = csrf_of((await client.get("/staff/login")).text)
        await staff.create_user("camille", "communications", PASSWORD, language=language)
        await check("/staff/login (refused)", await client.post("/staff/login", data={
            "_csrf_token": token, "username": "camille", "password": "not the password"}), 401, lang="fr")
        await client.post("/staff/login", data={"_csrf_token": token, "username": "camille", "password": PASSWORD})
        dashboard = await client.get("/staff/")
        await check("/staff/", dashboard)
        # the request's path is /staff
        assert f'<a href="/staff/" aria-current="page">{gettext(language, "Dashboard")}</a>' in dashboard.text
        await check("/staff/campaigns/ (none)", await client.get("/staff/campaigns/"))
        await check("/staff/campaigns/ (refused)", await client.post("/staff/campaigns/", data={
            "_csrf_token": token, "lists": "journalists", "template": "invitation", "subject": ""}), 400)
        created = await client.post("/staff/campaigns/", data={
            "_csrf_token": token, "lists": "journalists", "template": "newsletter-communications",
            "subject": "La lettre", "body": "Bonjour."})
        campaign_path = created.headers["location"].split("?")[0]
        await check("/staff/campaigns/ (one)", await client.get("/staff/campaigns/"))
        await check(f"{campaign_path} (draft)", await client.get(created.headers["location"]))
        await check(f"{campaign_path} (test refused)", await client.post(f"{campaign_path}/test", data={
            "_csrf_token": token, "to": "not an address"}), 400)
        await check(f"{campaign_path}/edit", await client.get(f"{campaign_path}/edit"))
        await check(f"{campaign_path}/edit (preview)", await client.post(f"{campaign_path}/edit", data={
            "_csrf_token": token, "subject_fr": "La lettre", "body_fr": "Bonjour !", "action": "preview"}))
        await check(f"{campaign_path}/confirm", await client.get(f"{campaign_path}/confirm"))
        await client.post(f"{campaign_path}/send", data={"_csrf_token": token, "expected_count": "2"})
        running = await client.get(f"{campaign_path}?notice=sending")
        await check(f"{campaign_path} (running)", running)
        # The refresh comes back without the notice: "Sending has started" is said once, not until the end.
        assert f'<meta http-equiv="refresh" content="3; url={campaign_path}">' in running.text
        await check("/staff/campaigns/999 (not found)", await client.get("/staff/campaigns/999"), 404)

        settings.mail_catcher_dir.mkdir(parents=True, exist_ok=True)
        envelope = Envelope()
        envelope.rcpt_tos = ["j0@presse.example"]
        envelope.content = await preview(int(campaign_path.rsplit("/", 1)[1]))
        await devmail.CatchingHandler(settings.mail_catcher_dir).handle_DATA(None, None, envelope)
        results = await client.get("/staff/contacts/?q=presse")
        await check("/staff/contacts/", results)
        await check("/staff/contacts/ID", await client.get(re.search(r'href="(/staff/contacts/\d+)"',
                                                                     results.text).group(1)))
        await check("/staff/suppression/", await client.get("/staff/suppression/"))
        await check("/staff/import/", await client.get("/staff/import/"))
        await check("/staff/lists/", await client.get("/staff/lists/"))
        await check("/staff/lists/journalists", await client.get("/staff/lists/journalists"))
        await check("/staff/invitations/", await client.get("/staff/invitations/"))
        built = await client.post("/staff/invitations/", data={"_csrf_token": token, "name": "Gala",
                                                               "lists": "journalists"})
        await check("/staff/invitations/ID", await client.get(built.headers["location"]))
        css = await client.get("/static/staff.css")
    async with http_client(settings) as client:
        await staff.create_user("dominique", "dpo", PASSWORD, language=language)
        token = csrf_of((await client.get("/staff/login")).text)
        await client.post("/staff/login", data={"_csrf_token": token, "username": "dominique", "password": PASSWORD})
        await check("/staff/audit/", await client.get("/staff/audit/"))
        listing = await client.get("/staff/mail/")
        await check("/staff/mail/", listing)
        await check("/staff/mail/ID", await client.get(re.search(r'href="(/staff/mail/[^"]+)"', listing.text).group(1)))
    assert css.status_code == 200 and ":focus-visible" in css.text and "outline" in css.text
    assert len(checked) == 24


# REQ-27: lists of several purposes need one named, and the form has the field for it.
async def test_req27_the_form_names_the_purpose_of_lists_that_serve_several(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["j0@presse.example,Jeanne,Dupont,fr"])
    async with http_client() as client:
        token = await signed_in(client, "camille")
        form = {"_csrf_token": token, "lists": ["journalists", "press-releases"], "template": "newsletter-communications",
                "subject": "La lettre", "body": "Bonjour."}
        refused = await client.post("/staff/campaigns/", data=form)
        assert refused.status_code == 400 and "several purposes" in refused.text
        assert '<select id="purpose" name="purpose">' in refused.text
        assert '<option value="communications-newsletter">' in refused.text
        assert 'value="journalists" checked' in refused.text and 'value="press-releases" checked' in refused.text
        created = await client.post("/staff/campaigns/", data={**form, "purpose": "communications-newsletter"})
        assert created.status_code == 303
        page = (await client.get(created.headers["location"])).text
        assert "purpose\nCommunications newsletter" in page or "purpose Communications newsletter" in page


# REQ-24: Litestar's own refusals on staff pages (a stale CSRF token, a malformed id, an unknown caught mail)
# are pages with the staff headers, not JSON.
async def test_req24_framework_errors_on_staff_pages_are_pages(http_client):
    async with http_client() as client:
        await signed_in(client, "camille")
        for path, method, status in (("/staff/campaigns/abc", "GET", 404), ("/staff/logout", "POST", 403)):
            answer = await client.request(method, path)
            assert answer.status_code == status, path
            assert answer.headers["content-type"].startswith("text/html"), path
            assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert "reload the page" in (await client.post("/staff/logout")).text
