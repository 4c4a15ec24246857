"""Uploaded images, re-encoded by Pillow with no database (contacts.services.media.images): metadata gone
(REQ-49), upright, at most 1,200 px wide, in a format every mail client shows; anything else refused by name.
Every test image is drawn here with Pillow."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from contacts.errors import ValidationError
from contacts.services.media import images

GPS_IFD = 0x8825
SERIAL = "CAMERA-SERIAL-4242"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Jeanne Photographe"/>'
       b'</rdf:RDF></x:xmpmeta>')


def photo(size=(1600, 1000), mode="RGB") -> Image.Image:
    """Not a flat colour: a gradient, so that resizing and encoding have something to do."""
    grey = Image.linear_gradient("L").resize(size)
    colour = Image.merge("RGB", (grey, Image.linear_gradient("L").rotate(90).resize(size), Image.new("L", size, 90)))
    return grey if mode == "L" else colour.convert(mode)


def exif_with_gps_and_serial(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R5"  # Model
    exif[0xA431] = SERIAL  # BodySerialNumber
    exif[0x0131] = "Firmware 1.8"  # Software
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (48.0, 50.0, 42.0), 3: "E", 4: (2.0, 19.0, 55.0)})  # Paris
    return exif


def encoded(image: Image.Image, kind: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **params)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert dict(image.getexif()) == {}
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "parameters", "Comment", "Author",
                "dpi", "transparency"} & set(image.info)
    if image.format == "PNG":
        assert image.text == {}
    for trace in (b"Exif", b"GPS", SERIAL.encode(), b"Canon", b"xmpmeta", b"adobe", b"Jeanne", b"ICC_PROFILE",
                  b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP", b"secret prompt"):
        assert trace not in data, trace


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds almost nothing: what a decompression bomb starts with."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


# REQ-49: a JPEG's EXIF (GPS position, camera and its serial number), XMP, ICC profile and comment do not survive.
def test_req49_a_jpeg_loses_its_gps_position_camera_serial_xmp_and_comment():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encoded(photo(), "JPEG", exif=exif_with_gps_and_serial(), xmp=XMP, icc_profile=srgb,
                     comment=b"secret prompt")
    source = opened(upload)  # the upload really holds it all
    assert source.getexif()[0xA431] == SERIAL and source.getexif().get_ifd(GPS_IFD)[1] == "N"
    assert "xmp" in source.info and "icc_profile" in source.info and source.info["comment"] == b"secret prompt"
    result = images.reencode(upload)
    assert result.content_type == "image/jpeg" and result.extension == "jpg"
    assert_no_metadata(result.content)


# REQ-49: a PNG's text chunks (a generator's "parameters", XMP, comments) and its eXIf chunk do not survive.
def test_req49_a_png_loses_its_text_chunks_and_exif():
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "secret prompt, seed 1234")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add_text("Comment", "secret prompt", zip=True)
    info.add_text("Author", "Jeanne Photographe")
    upload = encoded(photo(mode="RGBA"), "PNG", pnginfo=info, exif=exif_with_gps_and_serial(), dpi=(300, 300))
    source = opened(upload)
    assert {"parameters", "XML:com.adobe.xmp", "Comment", "Author"} <= set(source.text)
    assert source.getexif()[0xA431] == SERIAL
    result = images.reencode(upload)
    assert result.content_type == "image/png"
    assert_no_metadata(result.content)


# REQ-49: WebP and GIF uploads come out without their metadata too.
def test_req49_webp_and_gif_lose_their_metadata():
    webp = encoded(photo(), "WEBP", exif=exif_with_gps_and_serial(), xmp=XMP)
    assert opened(webp).getexif()[0xA431] == SERIAL
    assert_no_metadata(images.reencode(webp).content)
    gif = encoded(photo(mode="RGB").convert("P"), "GIF", comment=b"secret prompt")
    assert opened(gif).info["comment"] == b"secret prompt"
    assert_no_metadata(images.reencode(gif).content)


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    image = Image.new("RGB", (300, 200), "white")
    image.paste((255, 0, 0), (0, 0, 150, 200))  # left half red
    upload = encoded(image, "JPEG", exif=exif_with_gps_and_serial(orientation=6), quality=95)  # turn 90° right
    result = opened(images.reencode(upload).content)
    assert result.size == (200, 300)
    red = result.getpixel((100, 50))
    white = result.getpixel((100, 250))
    assert red[0] > 200 and red[1] < 60 and min(white) > 200  # the red half is now on top


def test_wide_images_are_made_1200_px_wide_keeping_their_ratio_and_small_ones_keep_their_size():
    wide = images.reencode(encoded(photo((3000, 1500)), "JPEG"))
    assert (wide.width, wide.height) == (1200, 600) and opened(wide.content).size == (1200, 600)
    tall = images.reencode(encoded(photo((1000, 4000)), "PNG"))
    assert (tall.width, tall.height) == (1000, 4000)
    small = images.reencode(encoded(photo((640, 480)), "WEBP"))
    assert (small.width, small.height) == (640, 480)


def test_formats_are_converted_to_ones_every_mail_client_shows():
    transparent = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    transparent.paste((200, 30, 30, 255), (100, 100, 300, 200))
    cases = {
        "photo JPEG": (encoded(photo(), "JPEG"), "image/jpeg", "RGB"),
        "photo WebP": (encoded(photo(), "WEBP"), "image/jpeg", "RGB"),
        "opaque RGBA WebP": (encoded(photo().convert("RGBA"), "WEBP", lossless=True), "image/jpeg", "RGB"),
        "transparent WebP": (encoded(transparent, "WEBP", lossless=True), "image/png", "RGBA"),
        "transparent PNG": (encoded(transparent, "PNG"), "image/png", "RGBA"),
        "drawing PNG": (encoded(photo(), "PNG"), "image/png", "RGB"),
        "CMYK JPEG": (encoded(photo().convert("CMYK"), "JPEG"), "image/jpeg", "RGB"),
        "grey JPEG": (encoded(photo(mode="L"), "JPEG"), "image/jpeg", "L"),
        "16-bit grey PNG": (encoded(Image.new("I;16", (300, 200), 40000), "PNG"), "image/png", "L"),
    }
    for name, (upload, content_type, mode) in cases.items():
        result = images.reencode(upload)
        assert (result.content_type, opened(result.content).mode) == (content_type, mode), name
        assert opened(result.content).format == content_type.split("/")[1].upper(), name
    grey = opened(images.reencode(cases["16-bit grey PNG"][0]).content)
    assert grey.getpixel((0, 0)) == 40000 // 256  # scaled to 8 bits, not clipped to white


def test_an_animated_gif_becomes_its_first_frame():
    frames = [Image.new("RGB", (120, 80), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    upload = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert opened(upload).n_frames == 3
    result = images.reencode(upload)
    still = opened(result.content)
    assert result.content_type == "image/png" and getattr(still, "n_frames", 1) == 1
    assert still.convert("RGB").getpixel((10, 10)) == (255, 0, 0)


def test_the_same_upload_gives_the_same_bytes():
    upload = encoded(photo(), "JPEG", exif=exif_with_gps_and_serial())
    assert images.reencode(upload).content == images.reencode(upload).content
    assert images.reencode(upload).digest == images.reencode(upload).digest


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        images.reencode(data, "file")
    assert refused.value.field == "file"
    return refused.value.message


def test_what_is_not_an_accepted_image_is_refused_naming_the_field():
    assert "empty" in refusal(b"")
    assert "not a JPEG, PNG, GIF or WebP" in refusal(b"%PDF-1.7 not an image at all")
    assert "not a JPEG, PNG, GIF or WebP" in refusal(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    for kind in ("BMP", "TIFF", "ICO"):  # images, but not of a type we take
        assert "not a JPEG, PNG, GIF or WebP" in refusal(encoded(photo((64, 64)), kind)), kind
    whole = encoded(photo((1200, 900)), "JPEG")
    assert "damaged or truncated" in refusal(whole[: len(whole) // 2])
    png = encoded(photo((600, 400)), "PNG")
    assert "damaged or truncated" in refusal(png[: len(png) // 2])
    assert "damaged" in refusal(png[:33] + b"\x00" * 40 + png[73:])  # a broken chunk


def test_oversized_files_bombs_and_too_many_megapixels_are_refused():
    noise = random.Random(49).randbytes(2000 * 2000 * 3)  # does not compress
    big = encoded(Image.frombytes("RGB", (2000, 2000), noise), "PNG")
    assert len(big) > images.MAX_BYTES
    assert "over 10 MB" in refusal(big)
    assert "over 10 MB" in refusal(b"\xff\xd8\xff" + b"\x00" * images.MAX_BYTES)  # size first, content unread
    assert "megapixels" in refusal(png_header_only(20_000, 20_000))  # 400 megapixels in 100 bytes
    assert "megapixels" in refusal(png_header_only(8000, 6000))  # 48: over the limit, under Pillow's own bomb limit
    assert "megapixels" in refusal(png_header_only(40_000_000 + 1, 1))
