"""The public copy behind "view in your browser": rendered by the mail's own path, once per (campaign, language),
again after an edit, never for a deleted campaign (issue 20, item 8)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from contacts.db.engine import write_transaction
from contacts.mail.render import TemplateLibrary
from contacts.sending.browser_view import BrowserViews
from contacts.sending.compose import Composer
from contacts.sending.view_links import view_url
from contacts.services.campaigns import core as campaigns
from contacts.settings import get_settings
from contacts.tables import Campaign, CampaignList
from contacts.tokens import codec_for
from tests.sending.test_campaign_send import import_list, new_campaign

pytestmark = pytest.mark.usefixtures("database_url")


def token(campaign_id: int, language: str) -> str:
    settings = get_settings()
    return view_url(codec_for(settings.secret_keys), settings.base_url, campaign_id, language).rsplit("/", 1)[1]


@pytest.fixture
async def campaign(tmp_path):
    await import_list(tmp_path, "journalists", ["zoe@presse.example,Zoé,Lefèvre,fr"])
    return await new_campaign("journalists", subject="La lettre de décembre", greeting="first_name",
                              content={"subject_en": "The December letter", "body_en": "First paragraph."})


async def test_a_burst_of_views_renders_each_language_once(campaign):
    views = BrowserViews(get_settings())
    french = await asyncio.gather(*(views.page(token(campaign.id, "fr")) for _ in range(20)))
    assert views.renders == 1 and len(set(french)) == 1
    language, html = french[0]
    assert language == "fr" and "La lettre de décembre" in html and "Bonjour," in html
    english = await views.page(token(campaign.id, "en"))
    assert english is not None and english[0] == "en" and "Hello," in english[1] and views.renders == 2
    await views.page(token(campaign.id, "fr"))
    assert views.renders == 2


async def test_an_edit_is_shown_and_a_deleted_campaign_shows_nothing(campaign):
    views = BrowserViews(get_settings())
    assert "Premier paragraphe." in (await views.page(token(campaign.id, "fr")))[1]
    async with write_transaction():
        await Campaign.update({Campaign.body_fr: "Un tout autre texte."}).where(Campaign.id == campaign.id)
    edited = (await views.page(token(campaign.id, "fr")))[1]
    assert "Un tout autre texte." in edited and "Premier paragraphe." not in edited and views.renders == 2
    async with write_transaction():
        await CampaignList.delete().where(CampaignList.campaign == campaign.id)
        await Campaign.delete().where(Campaign.id == campaign.id)
    assert await views.page(token(campaign.id, "fr")) is None


async def test_the_cache_keeps_the_pages_seen_last(campaign):
    views = BrowserViews(get_settings(), size=2)
    for language in ("fr", "en", "fr"):
        await views.page(token(campaign.id, language))
    assert views.renders == 2
    other = await new_campaign("journalists", subject="La lettre de janvier")
    await views.page(token(other.id, "fr"))  # pushes out the English page, seen least lately
    await views.page(token(campaign.id, "fr"))
    assert views.renders == 3
    await views.page(token(campaign.id, "en"))
    assert views.renders == 4


async def test_an_invitation_shows_where_the_answer_links_are_instead_of_them(campaign):
    settings = get_settings()
    invitation = dataclasses.replace(await campaigns.get(campaign.id), template="invitation", invitation_list_id=1)
    library = TemplateLibrary(settings.templates_dir)
    composer = Composer(invitation, settings, library)
    mail = library.render("invitation", composer.variant_context("fr", invitation.lists[0].id, "consent", False))
    assert "Je viendrai" in mail.html
    view = library.render("invitation", composer.browser_view_context("fr")).html
    assert "Je viendrai" not in view and "/r/" not in view
    assert "Pour répondre à l’invitation, utilisez les liens du message que vous avez reçu." in view
