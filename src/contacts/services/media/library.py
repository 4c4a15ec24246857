"""The media library's rules: who may add, list, describe and delete images, the alt texts, the deduplication
by content hash, and the refusal to delete an image a campaign uses. The pixels are handled by
contacts.services.media.images (REQ-49).

An image is named by the hash of its re-encoded bytes, `<32 hex digits>.<jpg|png>`, served at
`CONTACTS_BASE_URL/media/<name>` forever: the same upload twice gives the same image. A campaign uses an
image when one of its bodies holds `/media/<name>`.

Staff need the send permission to add, describe or delete images (as to write campaigns), the view
permission to list them; images belong to no purpose. The command line acts as `cli:<login>`. Every change is
in the audit log (REQ-8).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from piccolo.custom_types import Combinable

from contacts.db.engine import write_transaction
from contacts.domain import Permission
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.i18n import N_
from contacts.media_tables import MediaImage
from contacts.services import audit
from contacts.services.media import images
from contacts.services.staff.accounts import Staff
from contacts.tables import Campaign
from contacts.text_input import control_character

ALT_MAX_LENGTH = 300
PER_PAGE_LIMIT = 200
PATH_PREFIX = "/media/"
_NAME_HEX_DIGITS = 32
# <hash>-<width>x<height>.<ext>: the size in the name lets a campaign's Markdown give each image its size
# (contacts.mail.images) without asking the database.
_NAME = rf"[0-9a-f]{{{_NAME_HEX_DIGITS}}}-[1-9][0-9]{{0,4}}x[1-9][0-9]{{0,4}}\.(?:jpg|png)"
_NAME_IN_TEXT = re.compile(rf"{PATH_PREFIX}({_NAME})(?!\w)")
# Re-encoding a 40-megapixel image takes seconds of CPU and a few hundred megabytes: off the event loop, on a
# thread of its own (not the default executor, which SQLite's queries use), one upload at a time per process.
_encoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="media-encoding")
_LISTED = (MediaImage.id, MediaImage.name, MediaImage.content_type, MediaImage.width, MediaImage.height,
           MediaImage.size, MediaImage.alt_fr, MediaImage.alt_en, MediaImage.uploaded_by, MediaImage.uploaded_at)


@dataclass(frozen=True)
class MediaInfo:
    id: int
    name: str  # <hash>-<width>x<height>.<ext>
    content_type: str
    width: int
    height: int
    size: int  # bytes
    alt_fr: str
    alt_en: str  # empty: alt_fr serves
    uploaded_by: str
    uploaded_at: datetime

    @property
    def path(self) -> str:
        return PATH_PREFIX + self.name

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path

    def alt(self, language: str = "fr") -> str:
        return (self.alt_en or self.alt_fr) if language == "en" else self.alt_fr

    def markdown(self, base_url: str, language: str = "fr") -> str:
        """The snippet to paste in a campaign's body: `![alt](url)`, the alt text escaped for Markdown."""
        alt = self.alt(language).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"![{alt}]({self.url(base_url)})"


@dataclass(frozen=True)
class Added:
    image: MediaInfo
    created: bool  # False: the same image was already there, and is returned as it is


@dataclass(frozen=True)
class MediaPage:
    items: list[MediaInfo]
    total: int


@dataclass(frozen=True)
class StoredFile:
    content: bytes
    content_type: str


async def add(by: Staff | str, data: bytes, alt_fr: str, alt_en: str = "") -> Added:
    """Check, re-encode and keep an upload; ValidationError naming `file`, `alt` or `alt_en` when refused, and
    then nothing is written."""
    _require(by, Permission.SEND)
    alt_fr, alt_en = _alt("alt", alt_fr, required=True), _alt("alt_en", alt_en, required=False)
    encoded = await asyncio.get_running_loop().run_in_executor(_encoding, images.reencode, data, "file")
    name = f"{encoded.digest[:_NAME_HEX_DIGITS]}-{encoded.width}x{encoded.height}.{encoded.extension}"
    details = {"name": name, "width": encoded.width, "height": encoded.height, "bytes": len(encoded.content),
               "uploaded_as": encoded.source_format, "uploaded_bytes": len(data)}
    async with write_transaction():  # two uploads of the same image at once: one row, the other finds it
        inserted = await MediaImage.insert(MediaImage(
            name=name, content_type=encoded.content_type, content=encoded.content, width=encoded.width,
            height=encoded.height, size=len(encoded.content), alt_fr=alt_fr, alt_en=alt_en,
            uploaded_by=_actor_name(by))).on_conflict(target=MediaImage.name, action="DO NOTHING") \
            .returning(MediaImage.id)
        if inserted:
            await audit.record(by, "media.upload", "media_image", inserted[0]["id"], details=details)
    image = await _by_name(name)
    return Added(image=image, created=bool(inserted))


async def page(by: Staff | str, page_number: int = 1, per_page: int = 50) -> MediaPage:
    """Newest first."""
    _require(by, Permission.VIEW)
    total = await MediaImage.count()
    rows = await MediaImage.select(*_LISTED).order_by(MediaImage.id, ascending=False) \
        .offset((page_number - 1) * per_page).limit(per_page)
    return MediaPage(items=[_info(row) for row in rows], total=total)


async def get(by: Staff | str, image_id: int) -> MediaInfo:
    _require(by, Permission.VIEW)
    row = await MediaImage.select(*_LISTED).where(MediaImage.id == image_id).first()
    if row is None:
        raise NotFoundError(N_("no image %(image_id)s"), image_id=image_id)
    return _info(row)


async def describe(by: Staff | str, image_id: int, alt_fr: str, alt_en: str = "") -> MediaInfo:
    """Change an image's default alt texts (what campaigns already hold is theirs)."""
    _require(by, Permission.SEND)
    alt_fr, alt_en = _alt("alt", alt_fr, required=True), _alt("alt_en", alt_en, required=False)
    async with write_transaction():
        before = await get(by, image_id)
        await MediaImage.update({MediaImage.alt_fr: alt_fr, MediaImage.alt_en: alt_en}).where(
            MediaImage.id == image_id)
        await audit.record(by, "media.describe", "media_image", image_id, details={"name": before.name})
    return await get(by, image_id)


async def delete(by: Staff | str, image_id: int) -> MediaInfo:
    """Delete an image no campaign uses; ConflictError naming the campaigns otherwise."""
    _require(by, Permission.SEND)
    async with write_transaction():
        image = await get(by, image_id)
        users = await campaigns_using(image.name)
        if users:
            listed = ", ".join(str(number) for number in users[:10]) + (" …" if len(users) > 10 else "")
            raise ConflictError(N_("image %(image_id)s is used by campaign %(listed)s; it cannot be deleted while a "
                                   "campaign uses it") if len(users) == 1 else
                                N_("image %(image_id)s is used by campaigns %(listed)s; it cannot be deleted while a "
                                   "campaign uses it"), image_id=image_id, listed=listed)
        await MediaImage.delete().where(MediaImage.id == image_id)
        await audit.record(by, "media.delete", "media_image", image_id, details={"name": image.name})
    return image


async def campaigns_using(name: str) -> list[int]:
    """The ids of the campaigns whose body (in any language) holds this image's path."""
    holding = [column.like(f"%{PATH_PREFIX}{name}%") for column in Campaign._meta.columns
               if column._meta.name.startswith("body")]
    if not holding:
        return []
    condition: Combinable = holding[0]
    for holds in holding[1:]:
        condition = condition | holds
    return [row["id"] for row in await Campaign.select(Campaign.id).where(condition).order_by(Campaign.id)]


def names_in(text: str) -> list[str]:
    """The names of the library's images that a text (a campaign's body) points to, in order, once each."""
    return list(dict.fromkeys(_NAME_IN_TEXT.findall(text)))


async def named(names: Iterable[str]) -> dict[str, MediaInfo]:
    """The images of these names that are in the library (their sizes and alt texts, not their bytes): what a
    renderer needs to give each image of a message its width, height and default alt text."""
    wanted = [name for name in dict.fromkeys(names) if _is_name(name)]
    if not wanted:
        return {}
    rows = await MediaImage.select(*_LISTED).where(MediaImage.name.is_in(wanted))
    return {row["name"]: _info(row) for row in rows}


async def file(name: str) -> StoredFile | None:
    """An image's bytes and type, for anyone (they are public once mailed); None for an unknown name."""
    if not _is_name(name):
        return None
    row = await MediaImage.select(MediaImage.content, MediaImage.content_type).where(MediaImage.name == name).first()
    return None if row is None else StoredFile(content=bytes(row["content"]), content_type=row["content_type"])


async def exists(name: str) -> bool:
    """Whether an image of this name is in the library, without reading its bytes (a cache revalidating)."""
    return _is_name(name) and await MediaImage.exists().where(MediaImage.name == name)


def _is_name(name: str) -> bool:
    return re.fullmatch(_NAME, name) is not None


async def _by_name(name: str) -> MediaInfo:
    row = await MediaImage.select(*_LISTED).where(MediaImage.name == name).first()
    if row is None:  # deleted meanwhile
        raise NotFoundError(N_("no image %(name)s"), name=name)
    return _info(row)


def _alt(field: str, text: str, *, required: bool) -> str:
    text = " ".join(text.split()) if control_character(text, multiline=True) is None else text
    if (character := control_character(text, multiline=False)) is not None:
        raise ValidationError(field, N_("contains a control character (%(character)s), which no text may hold"),
                character=character)
    if required and not text:
        raise ValidationError(field, N_("an image needs an alt text: what it shows, for those who cannot see it"))
    if len(text) > ALT_MAX_LENGTH:
        raise ValidationError(field, N_("at most %(limit)s characters (%(length)s given)"),
                limit=ALT_MAX_LENGTH, length=len(text))
    return text


def _require(by: Staff | str, permission: Permission) -> None:
    if isinstance(by, Staff):
        by.require(permission)


def _actor_name(by: Staff | str) -> str:
    return by.actor if isinstance(by, Staff) else by


def _info(row: dict) -> MediaInfo:
    return MediaInfo(**{key: row[key] for key in MediaInfo.__dataclass_fields__})
