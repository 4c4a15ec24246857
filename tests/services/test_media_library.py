"""The media library's rules (contacts.services.media.library): the database keeps re-encoded images only,
once each, with their alt texts and the audit log; refusals write nothing; an image a campaign uses stays."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from contacts.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from contacts.mail import markdown_body
from contacts.media_tables import MediaImage
from contacts.services import audit
from contacts.services.campaigns import core as campaigns
from contacts.services.media import library
from contacts.services.staff import accounts as staff
from contacts.tables import AuditEvent, Campaign

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple"
BASE_URL = "https://contacts.musee.example"


def jpeg_with_gps(size=(2400, 1600)) -> bytes:
    exif = Image.Exif()
    exif[0xA431] = "SERIAL-77"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0)})
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def test_req49_the_database_holds_the_reencoded_image_only_once():
    camille = await staff.create_user("camille", "communications", PASSWORD)
    upload = jpeg_with_gps()
    first = await library.add(camille, upload, "  L'affiche de l'exposition\n« Lumières »  ", "The poster")
    again = await library.add("cli:marie", upload, "Autre texte")
    assert first.created and not again.created and again.image == first.image  # same URL, alt texts kept
    image = first.image
    assert (image.width, image.height, image.content_type) == (1200, 800, "image/jpeg")
    assert image.alt_fr == "L'affiche de l'exposition « Lumières »" and image.uploaded_by == "staff:camille"
    assert image.url(BASE_URL) == f"{BASE_URL}/media/{image.name}" and image.name.endswith("-1200x800.jpg") and len(image.name) == 45
    assert image.markdown(BASE_URL) == f"![L'affiche de l'exposition « Lumières »]({BASE_URL}/media/{image.name})"
    assert image.markdown(BASE_URL, "en") == f"![The poster]({BASE_URL}/media/{image.name})"
    rows = await MediaImage.select(MediaImage.content, MediaImage.size)
    assert len(rows) == 1 and rows[0]["size"] == len(rows[0]["content"]) == image.size
    stored = Image.open(io.BytesIO(bytes(rows[0]["content"])))
    assert dict(stored.getexif()) == {} and b"SERIAL-77" not in bytes(rows[0]["content"])
    served = await library.file(image.name)
    assert served is not None and served.content == bytes(rows[0]["content"])
    assert await library.file("0" * 32 + ".jpg") is None and await library.file("../../etc/passwd") is None
    logged = await AuditEvent.select().where(AuditEvent.action == "media.upload")
    assert len(logged) == 1 and logged[0]["actor"] == "staff:camille" and logged[0]["object_id"] == str(image.id)


async def test_refused_uploads_write_nothing():
    camille = await staff.create_user("camille", "communications", PASSWORD)
    reader = await staff.create_user("rosa", "read_only", PASSWORD, ["communications"])
    for data, alt, field in ((b"GIF89a but not really", "x", "file"), (jpeg_with_gps(), "   ", "alt"),
                             (jpeg_with_gps(), "a" * 301, "alt"), (jpeg_with_gps(), "une\x00affiche", "alt")):
        with pytest.raises(ValidationError) as refused:
            await library.add(camille, data, alt)
        assert refused.value.field == field
    with pytest.raises(ValidationError, match="alt_en"):
        await library.add(camille, jpeg_with_gps(), "Affiche", "x" * 301)
    with pytest.raises(PermissionDeniedError):
        await library.add(reader, jpeg_with_gps(), "Affiche")
    assert await MediaImage.count() == 0
    assert await AuditEvent.count().where(AuditEvent.object_type == "media_image") == 0


async def test_an_image_a_campaign_uses_cannot_be_deleted():
    camille = await staff.create_user("camille", "communications", PASSWORD)
    used = (await library.add(camille, jpeg_with_gps(), "Affiche")).image
    unused = (await library.add(camille, jpeg_with_gps((800, 600)), "Plan")).image
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", body=f"Bonjour,\n\n{used.markdown(BASE_URL)}\n",
                                      actor="test")
    assert await library.campaigns_using(used.name) == [campaign.id]
    with pytest.raises(ConflictError, match=f"used by campaign {campaign.id}"):
        await library.delete(camille, used.id)
    assert await library.get(camille, used.id) == used
    assert (await library.delete(camille, unused.id)).id == unused.id
    with pytest.raises(NotFoundError):
        await library.get(camille, unused.id)
    with pytest.raises(NotFoundError):
        await library.delete(camille, unused.id)
    await Campaign.update({Campaign.body_fr: "plus d'image"}).where(Campaign.id == campaign.id)
    await library.delete("cli:marie", used.id)
    assert await MediaImage.count() == 0
    dpo = await staff.create_user("dpo", "dpo", PASSWORD)
    deleted = await audit.entries(dpo, action="media.delete")
    assert [(entry.actor, entry.object_id) for entry in deleted] == [
        ("staff:camille", str(unused.id)), ("cli:marie", str(used.id))]


async def test_alt_texts_are_edited_and_listing_is_paged_newest_first():
    camille = await staff.create_user("camille", "communications", PASSWORD)
    reader = await staff.create_user("rosa", "read_only", PASSWORD, ["communications"])
    added = [(await library.add(camille, jpeg_with_gps((300 + n, 200)), f"Image {n}")).image for n in range(3)]
    described = await library.describe(camille, added[0].id, "Nouvelle description", "New description")
    assert (described.alt_fr, described.alt_en, described.name) == ("Nouvelle description", "New description",
                                                                    added[0].name)
    with pytest.raises(ValidationError, match="alt"):
        await library.describe(camille, added[0].id, "")
    with pytest.raises(PermissionDeniedError):
        await library.describe(reader, added[0].id, "Autre")
    with pytest.raises(PermissionDeniedError):
        await library.delete(reader, added[0].id)
    first, second = await library.page(reader, 1, 2), await library.page(reader, 2, 2)
    assert first.total == second.total == 3
    assert [item.id for item in first.items + second.items] == [added[2].id, added[1].id, added[0].id]


async def test_a_body_names_its_images_and_the_library_gives_their_sizes_and_alt_texts():
    camille = await staff.create_user("camille", "communications", PASSWORD)
    poster = (await library.add(camille, jpeg_with_gps(), "Affiche", "Poster")).image
    plan = (await library.add(camille, jpeg_with_gps((640, 480)), "Plan d'accès")).image
    missing = "f" * 32 + "-10x10.png"
    body = (f"# Lettre\n\n{poster.markdown(BASE_URL)}\n\nLe plan : {plan.url(BASE_URL)}.\n\n"
            f"![x]({BASE_URL}/media/{missing}) et encore {poster.markdown(BASE_URL, 'en')}\n"
            f"pas une image : {BASE_URL}/media/{poster.name}x /media/../{plan.name}")
    assert library.names_in(body) == [poster.name, plan.name, missing]
    found = await library.named(library.names_in(body))
    assert set(found) == {poster.name, plan.name}
    assert (found[poster.name].width, found[poster.name].height, found[poster.name].alt("en")) == (1200, 800, "Poster")
    assert (found[plan.name].width, found[plan.name].alt("en")) == (640, "Plan d'accès")
    assert await library.named([]) == {} and await library.named(["../etc/passwd"]) == {}


async def test_req49_an_image_pasted_from_the_library_gets_its_size_and_alt_text_in_a_campaign():
    camille = await staff.create_user("camille", "communications", PASSWORD)
    image = (await library.add(camille, jpeg_with_gps(), "L'affiche")).image
    assert image.name.endswith("-1200x800.jpg") and library.names_in(image.markdown(BASE_URL)) == [image.name]
    html = markdown_body.render(image.markdown(BASE_URL)).html
    # Shown at the layout's 600 px, with the height that keeps its ratio: no reflow in mail clients.
    assert f'src="{image.url(BASE_URL)}"' in html and 'width="600"' in html and 'height="400"' in html
    assert 'alt="L&#x27;affiche"' in html or "alt=\"L'affiche\"" in html
