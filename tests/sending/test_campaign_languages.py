"""A campaign's French and English versions: each recipient gets theirs, the preheader rides in the HTML
only, a missing language is handled as staff chose (or stops the start), and the audience counted before
the start is the one the ledger then holds."""

from __future__ import annotations

import re

import pytest

from contacts.domain import Channel, ContactStatus
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.sending.worker import SendOptions, send_campaign, start_campaign
from contacts.services.campaigns import audience_count, drafts
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.tables import Contact, Delivery, MailingList, Subscription
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, received, settings_for

pytestmark = pytest.mark.usefixtures("database_url")

BILINGUAL = {"subject_fr": "La lettre de décembre", "preheader_fr": "Trois expositions à voir",
             "body_fr": "Bonjour à toutes et à tous.\n\nLe musée ouvre à 10 h.",
             "subject_en": "The December letter", "preheader_en": "Three exhibitions to see",
             "body_en": "Hello everyone.\n\nThe museum opens at 10 am."}


async def bilingual(*slugs: str, **overrides) -> campaigns.CampaignInfo:
    content = {**BILINGUAL, **overrides.pop("content", {})}
    overrides.setdefault("greeting", "first_name")
    return await campaigns.create(list_slugs=list(slugs) or ["journalists"], template="newsletter-communications",
                                  actor="test", content=content, **overrides)


# REQ-5, REQ-27, REQ-37, REQ-38: each language version names the sender, carries the unsubscribe link and
# the RFC 8058 headers, text first, no line over 998 octets; the preheader is hidden in the HTML only.
async def test_req5_req27_req37_req38_each_recipient_gets_their_language(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr", "bob@press.example,Bob,Lee,en"])
    campaign = await bilingual()
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=2), settings=settings_for(server))
    assert (summary.sent, summary.outcome) == (2, "finished")
    mail = received(server)
    for address, language, subject, body, preheader, other in (
            ("ana@presse.example", "fr", "La lettre de décembre", "Le musée ouvre à 10 h.", "Trois expositions à voir",
             "The museum"),
            ("bob@press.example", "en", "The December letter", "The museum opens at 10 am.", "Three exhibitions to see",
             "Le musée")):
        message = mail[address]
        assert message["Subject"] == subject
        text, html = message.get_payload()
        assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"  # REQ-37
        text, html = text.get_content(), html.get_content()
        assert body in text and body in html and other not in text + html
        assert preheader in html and preheader not in text
        assert re.search(r'<div class="preheader" style="display:none[^"]*">' + re.escape(preheader), html)
        assert f'<html lang="{language}">' in html
        assert "Rmn - Musée du Luxembourg" in text and "Rmn - Musée du Luxembourg" in html  # REQ-5
        assert message["List-Unsubscribe"].startswith("<http") and "/u/" in text  # REQ-5, REQ-27
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and message["Message-ID"]
        raw = message.as_bytes()
        assert max(len(line) for line in raw.split(b"\n")) <= 998  # REQ-38
    assert "Dear Bob," in mail["bob@press.example"].get_payload()[0].get_content()


async def test_without_a_choice_a_missing_language_stops_the_start_and_says_what_to_set(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr", "bob@press.example,Bob,Lee,en",
                                                "cy@press.example,Cy,Ng,en"])
    campaign = await bilingual(content={"subject_en": "", "preheader_en": "", "body_en": ""})
    assert campaign.missing_languages == ("en",) and campaign.missing_language is None
    with pytest.raises(ValidationError) as refused:
        await start_campaign(campaign.id)
    assert refused.value.field == "missing_language"
    assert "2 recipients" in str(refused.value) and "other" in str(refused.value) and "skip" in str(refused.value)
    assert (await campaigns.get(campaign.id)).status == "draft" and await Delivery.count() == 0
    # A French-only campaign to French speakers only needs no choice.
    only_french = await bilingual("vips", content={"subject_en": "", "preheader_en": "", "body_en": ""})
    await start_campaign(only_french.id)


@pytest.mark.parametrize("choice", ["other", "skip"])
async def test_a_missing_language_is_handled_as_staff_chose_and_counted(tmp_path, choice):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr", "bob@press.example,Bob,Lee,en"])
    campaign = await bilingual(content={"subject_en": "", "preheader_en": "", "body_en": ""}, missing_language=choice)
    counted = await audience_count.of_campaign(campaign)
    assert counted.without_version == {"en": 1} and counted.undecided == 0
    with TestSmtpServer() as server:
        await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    mail = received(server)
    progress = await campaigns.progress(campaign.id)
    if choice == "other":
        assert counted.receiving == 2 and counted.by_language == {"fr": 2}
        assert mail["bob@press.example"]["Subject"] == "La lettre de décembre"
        english = mail["bob@press.example"].get_payload()[0].get_content()
        assert "Bonjour Bob," in english  # the whole message in the language of its version
    else:
        assert counted.receiving == 1 and counted.skipped_by_reason == {"no_translation": 1}
        assert sorted(mail) == ["ana@presse.example"]
        assert progress.skipped_by_reason == {"no_translation": 1}


# REQ-42, REQ-46, REQ-20, REQ-21: the count before the start is the ledger after it, reason by reason; and
# counting writes nothing.
async def test_req42_the_audience_count_is_the_ledger_it_announces(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J{i},D,{'en' if i % 3 == 0 else 'fr'}"
                                                for i in range(12)])
    await import_list(tmp_path, "vips", ["j0@presse.example,J0,D,en", "v@vip.example,V,H,en", "w@vip.example,W,H,fr",
                                         "j5@presse.example,J5,D,fr"])
    await suppression.suppress("j1@presse.example", "objection", actor="test", channel=Channel.CLI)
    await suppression.suppress("j2@presse.example", "objection", scope="list:journalists", actor="test",
                               channel=Channel.CLI)
    await suppression.suppress("w@vip.example", "objection", scope="list:journalists", actor="test",
                               channel=Channel.CLI)  # another list's scope: still receives through vips
    restricted = await Contact.select(Contact.id).where(Contact.email == "j4@presse.example").first()
    await Contact.update({Contact.status: ContactStatus.RESTRICTED}).where(Contact.id == restricted["id"])
    gone = await Contact.select(Contact.id).where(Contact.email == "j5@presse.example").first()
    vips = await MailingList.select(MailingList.id).where(MailingList.slug == "vips").first()
    await Subscription.update({Subscription.status: "unsubscribed"}).where(  # left the purpose through another list
        Subscription.contact == gone["id"], Subscription.mailing_list == vips["id"])
    campaign = await bilingual("journalists", "vips", content={"subject_en": "", "preheader_en": "", "body_en": ""},
                               missing_language="skip")
    counted = await audience_count.of_campaign(campaign)
    assert await Delivery.count() == 0  # read-only
    # English speakers: j0, j3, j6, j9 and v; w's suppression is for another list than the one it is reached through.
    assert counted.skipped_by_reason == {"no_translation": 5, "restricted": 1, "suppressed": 2, "unsubscribed": 1}
    assert counted.receiving == 5 and counted.by_list == {"journalists": 4, "vips": 1}
    assert counted.by_language == {"fr": 5}
    await start_campaign(campaign.id)
    ledger = await campaigns.progress(campaign.id)
    assert ledger.by_status == {"queued": counted.receiving, "skipped": counted.skipped}
    assert ledger.skipped_by_reason == counted.skipped_by_reason


async def test_drafts_are_edited_duplicated_and_deleted_until_they_start(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr"])
    campaign = await bilingual()
    edited, changed = await drafts.update(campaign.id, {"body_en": "New.", "missing_language": "skip", "rate": 5})
    assert edited.contents["en"].body == "New." and edited.missing_language == "skip" and edited.rate == 5
    assert changed == ["body_en", "missing_language", "rate"]
    with pytest.raises(ValidationError) as refused:
        await drafts.update(campaign.id, {"subject_en": "", "body_fr": "x"})  # an English body without its subject
    assert refused.value.field == "subject_en"
    assert (await campaigns.get(campaign.id)).contents["fr"].body == BILINGUAL["body_fr"]  # nothing half-saved
    with pytest.raises(ValidationError, match="lists"):
        await drafts.update(campaign.id, {"lists": []})
    copy = await drafts.duplicate(campaign.id, "test")
    assert copy.id != campaign.id and copy.contents == edited.contents and copy.status == "draft"
    await start_campaign(campaign.id)
    for attempt in (drafts.update(campaign.id, {"subject_fr": "Autre"}), drafts.delete(campaign.id)):
        with pytest.raises(ConflictError, match="only a draft"):
            await attempt
    assert (await drafts.duplicate(campaign.id, "test")).status == "draft"  # a sent campaign can be duplicated
    await drafts.delete(copy.id)
    with pytest.raises(NotFoundError):
        await campaigns.get(copy.id)


def test_a_version_needs_its_subject_and_at_least_one_language_is_given():
    from contacts.services.campaigns.content import contents_from

    with pytest.raises(ValidationError) as refused:
        contents_from({"preheader_en": "Hello"})
    assert refused.value.field == "subject_en"
    with pytest.raises(ValidationError) as refused:
        contents_from({})
    assert refused.value.field == "subject_fr"
    with pytest.raises(ValidationError, match="at most 300"):
        contents_from({"subject_fr": "x", "preheader_fr": "y" * 301})
    assert list(contents_from({"subject_en": "Only English"})) == ["en"]


# REQ-42: an invitation campaign's audience (its guests, through the list each was invited from) is counted
# as its ledger then holds it.
async def test_req42_an_invitation_audience_is_counted_as_its_ledger(tmp_path):
    from contacts.services.invitations import guest_lists
    from contacts.services.staff import accounts

    await import_list(tmp_path, "journalists", [f"g{i}@presse.example,G{i},D,{'en' if i % 2 else 'fr'}"
                                                for i in range(6)])
    admin = await accounts.create_user("ines", "admin", "correct horse battery staple")
    guests = await guest_lists.build(admin, "Vernissage", ["journalists"])
    await suppression.suppress("g2@presse.example", "objection", actor="test", channel=Channel.CLI)
    campaign = await guest_lists.create_campaign(admin, guests.id, "Vernissage", "Venez.")
    counted = await audience_count.of_campaign(campaign)
    assert counted.receiving == 5 and counted.skipped_by_reason == {"suppressed": 1}
    assert counted.by_language == {"fr": 5} and counted.without_version == {"en": 3}  # French for every guest
    await start_campaign(campaign.id)
    ledger = await campaigns.progress(campaign.id)
    assert ledger.by_status == {"queued": 5, "skipped": 1} and ledger.skipped_by_reason == {"suppressed": 1}
