"""The JSON API for the media library: upload (multipart), list, describe and delete images."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeAlias

from litestar import Controller, Response, delete, get, patch, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.handlers import BaseRouteHandler
from litestar.params import Body, KwargDefinition, QueryParameter

from contacts.domain import Permission
from contacts.services.media import images, library
from contacts.services.media.library import MediaInfo
from contacts.services.staff.accounts import Staff
from contacts.settings import Settings
from contacts.text_input import MULTILINE_PATTERN, MULTILINE_TEXT_PATTERN
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import BodyIn, Page, PageNumber, RowId, StrictJSONBody

# The file and the form's few fields: a little over the largest file taken, which the service refuses by name;
# a larger body is refused by Litestar before it is read (413).
UPLOAD_MAX_BODY = images.MAX_BYTES + 64 * 1024
MediaPerPage: TypeAlias = Annotated[int, QueryParameter(ge=1, le=library.PER_PAGE_LIMIT)]
AltText: TypeAlias = Annotated[str, KwargDefinition(min_length=1, max_length=library.ALT_MAX_LENGTH,
                                                    pattern=MULTILINE_TEXT_PATTERN)]
OptionalAltText: TypeAlias = Annotated[str, KwargDefinition(max_length=library.ALT_MAX_LENGTH,
                                                            pattern=MULTILINE_PATTERN)]


class MediaUploadIn(BodyIn):
    file: UploadFile  # JPEG, PNG, GIF or WebP, at most 10 MB and 40 megapixels
    alt: AltText  # the default alt text (French, and English too unless alt_en is given)
    alt_en: OptionalAltText = ""


class MediaAltIn(BodyIn):
    alt: AltText
    alt_en: OptionalAltText = ""


@dataclass
class MediaOut:
    id: int
    url: str  # under CONTACTS_BASE_URL, named by the content's hash: it never changes
    width: int
    height: int
    size: int  # bytes
    content_type: str
    alt: str
    alt_en: str  # empty: alt serves in English too
    markdown: str  # `![alt](url)`, to paste in a campaign's body
    uploaded_by: str
    uploaded_at: datetime

    @classmethod
    def of(cls, image: MediaInfo, base_url: str) -> MediaOut:
        return cls(id=image.id, url=image.url(base_url), width=image.width, height=image.height, size=image.size,
                   content_type=image.content_type, alt=image.alt_fr, alt_en=image.alt_en,
                   markdown=image.markdown(base_url), uploaded_by=image.uploaded_by, uploaded_at=image.uploaded_at)


def may(permission: Permission):
    """A guard: the caller's role may do this, checked before a body (an upload) is read."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.scope.get("method") != "OPTIONS":
            connection.state.staff.require(permission)

    return guard


class MediaController(Controller):
    path = "/api/media"
    tags = ["media"]

    @get("/", summary="The media library's images, newest first", responses=refusals(400, 403))
    async def index(self, staff: NamedDependency[Staff], settings: NamedDependency[Settings], page: PageNumber = 1,
                    per_page: MediaPerPage = 50) -> Page[MediaOut]:
        found = await library.page(staff, page, per_page)
        return Page(items=[MediaOut.of(item, settings.base_url) for item in found.items], page=page,
                    per_page=per_page, total=found.total)

    @post("/", summary="Upload an image: re-encoded without metadata, at most 1,200 px wide. 201 when new, 200 "
                       "when the same image is already there (its URL, unchanged)",
          guards=[may(Permission.SEND)], request_max_body_size=UPLOAD_MAX_BODY, responses=refusals(400, 403, 413))
    async def upload(self, staff: NamedDependency[Staff], settings: NamedDependency[Settings],
                     data: Annotated[MediaUploadIn, Body(media_type=RequestEncodingType.MULTI_PART,
                                                          schema_extra={"additionalProperties": False})]
                     ) -> Response[MediaOut]:
        added = await library.add(staff, await data.file.read(), data.alt, data.alt_en)
        return Response(MediaOut.of(added.image, settings.base_url), status_code=201 if added.created else 200)

    @get("/{image_id:int}", summary="One image", responses=refusals(400, 403, 404))
    async def one(self, staff: NamedDependency[Staff], settings: NamedDependency[Settings],
                  image_id: RowId) -> MediaOut:
        return MediaOut.of(await library.get(staff, image_id), settings.base_url)

    @patch("/{image_id:int}", summary="Change an image's default alt texts", responses=refusals(400, 403, 404))
    async def describe(self, staff: NamedDependency[Staff], settings: NamedDependency[Settings], image_id: RowId,
                       data: StrictJSONBody[MediaAltIn]) -> MediaOut:
        return MediaOut.of(await library.describe(staff, image_id, data.alt, data.alt_en), settings.base_url)

    @delete("/{image_id:int}", summary="Delete an image that no campaign uses (409 naming those that do)",
            responses=refusals(400, 403, 404, 409))
    async def remove(self, staff: NamedDependency[Staff], image_id: RowId) -> None:
        await library.delete(staff, image_id)
