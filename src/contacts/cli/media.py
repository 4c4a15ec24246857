"""`contacts media …`: the media library from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from contacts.cli.params import ROW_ID, TEXT
from contacts.cli.runner import actor, fail, run
from contacts.cli.words import _, ngettext
from contacts.i18n import N_


@click.group(name="media", help=N_("The media library: images for campaigns, served at CONTACTS_BASE_URL/media/…"))
def media_group() -> None:
    pass


@media_group.command(name="add",
                     help=N_("Add a JPEG, PNG, GIF or WebP image (at most 10 MB and 40 megapixels), re-encoded "
                             "without its metadata; prints its URL alone on the last line. The same image twice gives "
                             "the same URL."))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--alt", type=TEXT, required=True, help=N_("The default alt text (French; English too unless --alt-en)."))
@click.option("--alt-en", type=TEXT, default="", help=N_("The alt text in English."))
def add_command(file: Path, alt: str, alt_en: str) -> None:
    from contacts.services.media import images, library  # start-up: imported when run
    from contacts.settings import get_settings  # start-up: imported when run

    try:
        with open(file, "rb") as handle:
            data = handle.read(images.MAX_BYTES + 1)  # one byte more is enough to refuse it
    except OSError as error:
        fail(_("FILE: cannot read %(path)s (%(cause)s)", path=file, cause=error.strerror))
    added = run(lambda: library.add(actor(), data, alt, alt_en))
    image = added.image
    facts = {"id": image.id, "width": image.width, "height": image.height, "size": image.size,
             "type": image.content_type}
    click.echo(_("added: image %(id)s, %(width)s × %(height)s px, %(size)s bytes, %(type)s", **facts) if added.created
               else _("already in the library: image %(id)s, %(width)s × %(height)s px, %(size)s bytes, %(type)s",
                      **facts), err=True)
    click.echo(image.url(get_settings().base_url))


@media_group.command(name="list", help=N_("The images, newest first: id, URL, size in pixels and bytes, alt text."))
@click.option("--page", type=ROW_ID, default=1, show_default=True)
def list_command(page: int) -> None:
    from contacts.services.media import library  # start-up: imported when run
    from contacts.settings import get_settings  # start-up: imported when run

    found = run(lambda: library.page(actor(), page, 50))
    base_url = get_settings().base_url
    for image in found.items:
        click.echo(f"{image.id}\t{image.url(base_url)}\t{image.width}x{image.height}\t{image.size}\t{image.alt_fr}")
    click.echo(ngettext("%(num)s image", "%(num)s images", found.total), err=True)


@media_group.command(name="delete", help=N_("Delete an image that no campaign uses (exit 2 naming those that do)."))
@click.argument("image_id", type=ROW_ID)
def delete_command(image_id: int) -> None:
    from contacts.services.media import library  # start-up: imported when run

    image = run(lambda: library.delete(actor(), image_id))
    click.echo(_("deleted image %(id)s (%(name)s)", id=image.id, name=image.name))
