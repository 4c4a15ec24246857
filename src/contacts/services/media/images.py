"""An uploaded image made safe to mail, with Pillow and no database (REQ-49).

The upload is checked (a JPEG, PNG, GIF or WebP of at most MAX_BYTES and MAX_PIXELS, whole, no decompression
bomb), then only its pixels are kept: it is turned upright by its EXIF orientation, converted to sRGB when it
carries a colour profile, and copied into a new image that has no metadata at all (no EXIF, GPS, XMP, ICC
profile, comment or PNG text chunk), at most MAX_WIDTH pixels wide, and encoded afresh:
- PNG when it has transparency, or came as PNG or GIF (drawings, logos: JPEG would blur their edges);
- JPEG otherwise (photographs).
An animated GIF becomes its first frame: Outlook on Windows shows only that one anyway, and a still image
is what every mail client shows the same way. Encoding is deterministic: the same upload gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from contacts.errors import ValidationError
from contacts.i18n import N_

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_WIDTH = 1200  # twice the 600 px layout, for high-density screens
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
JPEG_QUALITY = 85
# Pillow refuses to open an image over twice this (DecompressionBombError) and warns over it, which
# reencode() turns into a refusal too (and counts the pixels itself besides, as warning filters are
# process-wide and uploads are re-encoded on threads): nothing in this process decodes larger images.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_LOSSLESS_SOURCES = ("PNG", "GIF")
_TYPES = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


@dataclass(frozen=True)
class Encoded:
    content: bytes
    extension: str  # jpg or png
    content_type: str
    width: int
    height: int
    source_format: str  # what was uploaded: JPEG, PNG, GIF or WEBP

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def reencode(data: bytes, field: str = "file") -> Encoded:
    """The image to store; ValidationError naming `field` when the upload is not one we take."""
    if not data:
        raise ValidationError(field, N_("the file is empty"))
    if len(data) > MAX_BYTES:
        raise ValidationError(field, N_("the file is over 10 MB, the most an image may weigh"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                return _reencoded(image, field)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(field, N_("the image declares more than %(limit)s megapixels (a decompression "
                                        "bomb?); it is refused"),
                              limit=MAX_PIXELS // 1_000_000) from None
    except UnidentifiedImageError:
        if _looks_accepted(data):
            raise ValidationError(field, N_("the image is damaged: it starts as a JPEG, PNG, GIF or WebP file but "
                                            "cannot be read")) from None
        raise ValidationError(field, N_("not a JPEG, PNG, GIF or WebP image")) from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        raise ValidationError(field, N_("the image is damaged or truncated (%(error)s)"),
                              error=" ".join(str(error).split())[:80]) from None


def _reencoded(image: Image.Image, field: str) -> Encoded:
    source_format = image.format or ""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ValidationError(field, N_("the image has %(megapixels).1f megapixels (%(width)s × %(height)s); "
                                        "at most %(limit)s are accepted"),
                              megapixels=width * height / 1_000_000, width=width, height=height,
                              limit=MAX_PIXELS // 1_000_000)
    if source_format == "JPEG":
        # Decode at a reduced scale when that still leaves at least MAX_WIDTH in both directions (the
        # orientation is applied afterwards): faster and smaller in memory for a 40-megapixel photograph.
        image.draft("RGB" if image.mode != "L" else "L", (MAX_WIDTH, MAX_WIDTH))
    image.seek(0)  # an animated GIF or WebP: its first frame
    image.load()  # a truncated or corrupt file fails here, before anything is kept
    ImageOps.exif_transpose(image, in_place=True)  # no copy of a 40-megapixel image that is upright already
    pixels = _srgb(_plain_mode(image), image.info.get("icc_profile"))
    alpha = pixels.mode == "RGBA" and pixels.getchannel("A").getextrema() != (255, 255)
    if pixels.mode == "RGBA" and not alpha:
        pixels = pixels.convert("RGB")
    output = "PNG" if alpha or source_format in _LOSSLESS_SOURCES else "JPEG"
    if pixels.width > MAX_WIDTH:
        new_height = max(1, round(pixels.height * MAX_WIDTH / pixels.width))
        pixels = pixels.resize((MAX_WIDTH, new_height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # A new image from the pixels alone (once resized: less to copy): nothing of the upload's info (EXIF, XMP,
    # ICC profile, text chunks…) comes along, whatever an encoder would read from it.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    buffer = io.BytesIO()
    if output == "JPEG":
        clean.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        clean.save(buffer, "PNG", optimize=True)
    extension, content_type = _TYPES[output]
    return Encoded(content=buffer.getvalue(), extension=extension, content_type=content_type, width=clean.width,
                   height=clean.height, source_format=source_format)


def _looks_accepted(data: bytes) -> bool:
    """Whether the file starts with the signature of a format we take."""
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _plain_mode(image: Image.Image) -> Image.Image:
    """RGBA when it has transparency, L when grey, RGB otherwise."""
    if image.mode in ("LA", "PA", "RGBa", "La") or (image.mode != "RGBA" and "transparency" in image.info):
        return image.convert("RGBA")
    if image.mode == "RGBA":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit greys: to 8 bits, not clipped
        return image.point(lambda value: value / 256).convert("L") if image.mode == "I" \
            else image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGB", "L"):
        return image
    return image.convert("L" if image.mode == "1" else "RGB")


def _srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The colours as sRGB, which mail clients assume, when the upload says it uses another profile."""
    if not icc_profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are
    return converted or image
