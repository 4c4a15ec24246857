"""The media library through its doors: the API (multipart upload, list, describe, delete), the images served
at /media/<hash>.<ext> with their cache headers, the staff page, and `contacts media` (REQ-49)."""

from __future__ import annotations

import html
import io
import re

import pytest
from PIL import Image, PngImagePlugin

from contacts.media_tables import MediaImage
from contacts.services.campaigns import core as campaigns
from contacts.tables import AuditEvent, Campaign
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import assert_accessible_basics, signed_in

pytestmark = pytest.mark.usefixtures("database_url")
BASE_URL = "http://127.0.0.1:8000"  # the tests' CONTACTS_BASE_URL: the default


def jpeg(size=(1800, 1200), colour=(180, 40, 40)) -> bytes:
    exif = Image.Exif()
    exif[0x010F], exif[0xA431] = "Nikon", "SN-123456"
    exif.get_ifd(0x8825).update({1: "N", 2: (43.0, 17.0, 46.0)})
    buffer = io.BytesIO()
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste(colour, (0, 0, size[0] // 2, size[1] // 2))
    image.save(buffer, "JPEG", exif=exif, xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>", quality=92)
    return buffer.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a prompt")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")
    buffer = io.BytesIO()
    Image.new("RGBA", (500, 300), (10, 120, 200, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def path_of(url: str) -> str:
    assert url.startswith(f"{BASE_URL}/media/")
    return url.removeprefix(BASE_URL)


# REQ-49: through the API, a JPEG with GPS, camera serial and XMP and a PNG with text chunks are served bare.
async def test_req49_api_upload_serves_the_image_without_metadata_once_per_content(http_client):
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        created = await client.post("/api/media", headers=headers, data={"alt": "Affiche", "alt_en": "Poster"},
                                    files={"file": ("affiche.jpg", jpeg(), "image/jpeg")})
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["width"], body["height"], body["content_type"]) == (1200, 800, "image/jpeg")
        assert re.fullmatch(rf"{re.escape(BASE_URL)}/media/[0-9a-f]{{32}}-1200x800\.jpg", body["url"])
        assert body["markdown"] == f"![Affiche]({body['url']})" and body["alt_en"] == "Poster"
        again = await client.post("/api/media", headers=headers, data={"alt": "Autre"},
                                  files={"file": ("copie.jpg", jpeg(), "image/jpeg")})
        assert again.status_code == 200 and again.json()["url"] == body["url"] and again.json()["alt"] == "Affiche"
        png = await client.post("/api/media", headers=headers, data={"alt": "Logo"},
                                files={"file": ("logo.png", png_with_text(), "image/png")})
        assert png.status_code == 201 and png.json()["url"].endswith(".png")
        for url, kind in ((body["url"], "JPEG"), (png.json()["url"], "PNG")):
            served = await client.get(path_of(url))
            image = Image.open(io.BytesIO(served.content))
            assert image.format == kind and dict(image.getexif()) == {}
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "parameters", "icc_profile"} & set(image.info)
            assert b"SN-123456" not in served.content and b"xmpmeta" not in served.content
        listed = (await client.get("/api/media?per_page=1", headers=headers)).json()
        assert (listed["total"], listed["per_page"], [item["id"] for item in listed["items"]]) == (
            2, 1, [png.json()["id"]])
        assert (await client.get(f"/api/media/{body['id']}", headers=headers)).json()["url"] == body["url"]
    assert await MediaImage.count() == 2


async def test_served_images_are_immutable_cacheable_and_set_no_cookie(http_client):
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        url = (await client.post("/api/media", headers=headers, data={"alt": "Affiche"},
                                 files={"file": ("a.jpg", jpeg(), "image/jpeg")})).json()["url"]
        served = await client.get(path_of(url), headers={"Cookie": "contacts_staff=whatever"})
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["x-content-type-options"] == "nosniff"
        etag = served.headers["etag"]
        assert etag == f'"{path_of(url).removeprefix("/media/").split(".")[0]}"'
        assert "set-cookie" not in served.headers and int(served.headers["content-length"]) == len(served.content)
        head = await client.head(path_of(url))
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
        assert int(head.headers["content-length"]) == len(served.content)
        unchanged = await client.get(path_of(url), headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == etag
        for unknown in ("/media/" + "0" * 32 + ".jpg", "/media/nothing.png", "/media/" + path_of(url)[7:-4] + ".png"):
            missing = await client.get(unknown)
            assert missing.status_code == 404 and missing.json()["error"]["code"] == "notfound", unknown
            assert "set-cookie" not in missing.headers


async def test_api_refusals_name_the_field_and_save_nothing(http_client):
    headers = await token_for("camille", "communications")
    reader = await token_for("rosa", "read_only", "communications")
    huge = b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)
    async with http_client() as client:
        for files, data, field in (
            ({"file": ("notes.txt", b"pas une image", "text/plain")}, {"alt": "x"}, "file"),
            ({"file": ("grand.jpg", huge, "image/jpeg")}, {"alt": "x"}, "file"),
            ({"file": ("a.jpg", jpeg(), "image/jpeg")}, {"alt": " "}, "alt"),
            ({"file": ("a.jpg", jpeg(), "image/jpeg")}, {}, "alt"),
            ({"image": ("a.jpg", jpeg(), "image/jpeg")}, {"alt": "x"}, "image"),  # a misnamed part is refused
        ):
            refused = await client.post("/api/media", headers=headers, data=data, files=files)
            assert refused.status_code == 400, (field, refused.text)
            assert refused.json()["error"]["field"] == field, refused.text
        forbidden = await client.post("/api/media", headers=reader, data={"alt": "x"},
                                      files={"file": ("a.jpg", jpeg(), "image/jpeg")})
        assert forbidden.status_code == 403
        too_large = await client.post("/api/media", headers=headers, data={"alt": "x"},
                                      files={"file": ("a.jpg", huge * 2, "image/jpeg")})
        assert too_large.status_code == 413
    assert await MediaImage.count() == 0
    assert await AuditEvent.count().where(AuditEvent.object_type == "media_image") == 0


async def test_api_deletes_only_what_no_campaign_uses(http_client):
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        image = (await client.post("/api/media", headers=headers, data={"alt": "Affiche"},
                                   files={"file": ("a.jpg", jpeg(), "image/jpeg")})).json()
        campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                          subject="La lettre", body=f"Voici :\n\n{image['markdown']}", actor="test")
        refused = await client.delete(f"/api/media/{image['id']}", headers=headers)
        assert refused.status_code == 409 and f"campaign {campaign.id}" in refused.json()["error"]["message"]
        described = await client.patch(f"/api/media/{image['id']}", headers=headers, json={"alt": "Nouvelle"})
        assert described.status_code == 200 and described.json()["alt"] == "Nouvelle"
        assert (await client.patch(f"/api/media/{image['id']}", headers=headers,
                                   json={"alt": "x", "typo": 1})).status_code == 400
        other = (await client.post("/api/media", headers=headers, data={"alt": "Plan"},
                                   files={"file": ("b.jpg", jpeg(colour=(0, 90, 0)), "image/jpeg")})).json()
        assert other["url"] != image["url"]
        assert (await client.delete(f"/api/media/{other['id']}", headers=headers)).status_code == 204
        assert (await client.delete(f"/api/media/{other['id']}", headers=headers)).status_code == 404
        assert (await client.get(path_of(other["url"]))).status_code == 404
        gone_etag = '"' + path_of(other["url"]).removeprefix("/media/").split(".")[0] + '"'
        assert (await client.get(path_of(other["url"]), headers={"If-None-Match": gone_etag})).status_code == 404
        assert (await client.get(path_of(image["url"]))).status_code == 200


async def test_the_staff_page_uploads_lists_describes_and_deletes(http_client):
    async with http_client() as client:
        token = await signed_in(client, "camille")
        page = await client.get("/staff/media/")
        assert page.status_code == 200 and '<a href="/staff/media/" aria-current="page">Media</a>' in page.text
        assert "No images yet." in page.text
        assert_accessible_basics(page, "/staff/media/ (empty)")
        uploaded = await client.post("/staff/media/", data={"_csrf_token": token, "alt": "Affiche « Lumières »"},
                                     files={"file": ("affiche.jpg", jpeg(), "image/jpeg")})
        assert uploaded.status_code == 303 and "notice=media-added" in uploaded.headers["location"]
        image = (await MediaImage.select(MediaImage.id, MediaImage.name).first())
        listed = await client.get(uploaded.headers["location"])
        assert_accessible_basics(listed, "/staff/media/ (an image)")
        page = html.unescape(listed.text)
        assert "The image is added" in page and f'src="/media/{image["name"]}"' in page
        assert f"![Affiche « Lumières »]({BASE_URL}/media/{image['name']})" in page and "1200 × 800 px" in page
        assert (await client.get(f"/media/{image['name']}")).status_code == 200
        refused = await client.post("/staff/media/", data={"_csrf_token": token, "alt": "x"},
                                    files={"file": ("notes.txt", b"pas une image", "text/plain")})
        assert refused.status_code == 400 and "File: not a JPEG, PNG, GIF or WebP image" in refused.text
        assert_accessible_basics(refused, "/staff/media/ (refused upload)")
        described = await client.post(f"/staff/media/{image['id']}/alt",
                                      data={"_csrf_token": token, "alt": "Affiche", "alt_en": "Poster"})
        assert described.status_code == 303
        page = html.unescape((await client.get("/staff/media/")).text)
        assert f"![Poster]({BASE_URL}/media/{image['name']})" in page
        await campaigns.create(list_slugs=["journalists"], template="newsletter-communications", subject="x",
                               body=f"![Affiche]({BASE_URL}/media/{image['name']})", actor="test")
        in_use = await client.post(f"/staff/media/{image['id']}/delete", data={"_csrf_token": token})
        assert in_use.status_code == 409 and "cannot be deleted while a campaign uses it" in in_use.text
        assert_accessible_basics(in_use, "/staff/media/ (deletion refused)")
        assert await MediaImage.count() == 1
        await Campaign.update({Campaign.body_fr: "Sans image."}).where(Campaign.id > 0)
        deleted = await client.post(f"/staff/media/{image['id']}/delete", data={"_csrf_token": token})
        assert deleted.status_code == 303 and deleted.headers["location"] == "/staff/media/?notice=media-deleted"
        assert "The image is deleted." in (await client.get(deleted.headers["location"])).text
        assert await MediaImage.count() == 0
        assert (await client.get(f"/media/{image['name']}")).status_code == 404


async def test_read_only_staff_see_the_library_without_its_forms(http_client):
    async with http_client() as client:
        token = await signed_in(client, "rosa", "read_only", "communications")
        page = await client.get("/staff/media/")
        assert page.status_code == 200 and 'enctype="multipart/form-data"' not in page.text
        refused = await client.post("/staff/media/", data={"_csrf_token": token, "alt": "x"},
                                    files={"file": ("a.jpg", jpeg(), "image/jpeg")})
        assert refused.status_code == 403
    assert await MediaImage.count() == 0


def test_req49_cli_media_add_prints_the_url_and_refuses_bad_files(contacts_cli, tmp_path):
    (tmp_path / "affiche.jpg").write_bytes(jpeg())
    (tmp_path / "notes.txt").write_bytes(b"pas une image")
    added = contacts_cli("media", "add", "affiche.jpg", "--alt", "Affiche")
    url = added.stdout.strip().splitlines()[-1]
    assert re.fullmatch(rf"{re.escape(BASE_URL)}/media/[0-9a-f]{{32}}-1200x800\.jpg", url) and "1200 × 800" in added.stderr
    again = contacts_cli("media", "add", "affiche.jpg", "--alt", "Autre")
    assert again.stdout.strip() == url and "already in the library" in again.stderr
    bad = contacts_cli("media", "add", "notes.txt", "--alt", "x", check=False)
    assert bad.returncode == 2 and "file: not a JPEG, PNG, GIF or WebP image" in bad.stderr
    no_alt = contacts_cli("media", "add", "affiche.jpg", check=False)
    assert no_alt.returncode == 2 and "--alt" in no_alt.stderr
    listed = contacts_cli("media", "list").stdout
    assert url in listed and "1200x800" in listed and "Affiche" in listed
    image_id = listed.split("\t")[0]
    assert "deleted image" in contacts_cli("media", "delete", image_id).stdout
    assert contacts_cli("media", "delete", image_id, check=False).returncode == 2
