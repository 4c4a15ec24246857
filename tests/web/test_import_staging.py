"""Files uploaded on the import page are kept in the database between their preview and their import: any
server process can import what another previewed, and nothing stays once imported or expired."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from contacts.errors import NotFoundError
from contacts.machinery_tables import StagedUpload, StagedUploadChunk
from contacts.services.importing import staging
from contacts.tables import Subscription
from tests.web.test_staff_pages import PASSWORD, csrf_of, signed_in

pytestmark = pytest.mark.usefixtures("database_url")
FORM = {"list_slug": "journalists", "source_type": "third_party", "source_name": "Annuaire presse"}


async def _staged() -> tuple[int, int]:
    return await StagedUpload.count(), await StagedUploadChunk.count()


async def test_a_preview_made_on_one_server_is_imported_on_another_then_deleted(http_client, monkeypatch):
    monkeypatch.setattr(staging, "CHUNK_BYTES", 16)  # several chunks, to put back together in order
    monkeypatch.setattr(staging, "DELETE_CHUNKS_AT_ONCE", 2)
    content = "email;nom\n" + "".join(f"p{i}@presse.example;Nom {i}\n" for i in range(20))
    async with http_client() as first, http_client() as second:
        token = await signed_in(first, "camille")
        preview = await first.post("/staff/import/preview", data={"_csrf_token": token, **FORM},
                                   files={"file": ("presse.csv", content.encode(), "text/csv")})
        assert preview.status_code == 200 and "nothing is written yet" in preview.text
        upload_id = re.search(r'name="upload_id" value="([0-9a-f]+)"', preview.text).group(1)
        assert await _staged() == (1, -(-len(content) // 16))
        # The same account, signed in on another server process.
        login = csrf_of((await second.get("/staff/login")).text)
        await second.post("/staff/login", data={"_csrf_token": login, "username": "camille", "password": PASSWORD})
        token = csrf_of((await second.get("/staff/")).text)
        done = await second.post("/staff/import/run", data={"_csrf_token": token, **FORM, "upload_id": upload_id,
                                                             "file_name": "presse.csv"})
        assert done.status_code == 200 and "Import done" in done.text
    assert await Subscription.count() == 20
    assert await _staged() == (0, 0)


async def test_an_upload_is_for_its_owner_only_and_is_swept_once_expired():
    long_ago = datetime.now(UTC) - staging.KEPT_FOR - timedelta(minutes=1)
    expired = await staging.stage(1, b"email\nold@example.org\n", now=long_ago)
    kept = await staging.stage(1, b"email\nnew@example.org\n")  # sweeps what expired
    assert [row["key"] for row in await StagedUpload.select(StagedUpload.key)] == [kept]
    assert await StagedUploadChunk.count() == 1
    with pytest.raises(NotFoundError):
        await staging.copy_to(1, expired, "unused.csv")
    with pytest.raises(NotFoundError):
        await staging.copy_to(2, kept, "unused.csv")  # another account
    with pytest.raises(NotFoundError):
        await staging.copy_to(1, "../../etc/passwd", "unused.csv")
