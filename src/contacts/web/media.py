"""The media library's images at /media/<content hash>.<ext>, for mail clients and browsers: anyone may fetch
them (they are in mail), they never change (the name is the content's hash), and no cookie is set or read."""

from __future__ import annotations

from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.params import FromPath

from contacts.errors import NotFoundError
from contacts.services.media import library
from contacts.web.public.pages import without_body_for_head

HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    # Nothing in an image runs or loads anything; said for browsers that open one as a page.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "cross-origin",  # webmail shows it from its own origin
}


# HEAD too: link checkers and mail scanners ask it first.
@route("/media/{name:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD], middleware=[without_body_for_head],
       summary="An image of the media library", tags=["media"], include_in_schema=False)
async def media_file(request: Request, name: FromPath[str]) -> Response[bytes]:
    etag = f'"{name.partition(".")[0]}"'
    headers = {**HEADERS, "ETag": etag}
    # The name is the content's hash: a cache that holds it holds the right bytes, if the image is still there.
    if etag in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        if not await library.exists(name):
            raise NotFoundError(f"no image {name}")
        return Response(b"", status_code=304, headers=headers)
    stored = await library.file(name)
    if stored is None:
        raise NotFoundError(f"no image {name}")
    return Response(stored.content, media_type=stored.content_type, headers=headers)
