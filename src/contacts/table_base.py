"""The base of our tables: Piccolo's `Table`, with the `id` it adds stated for the type checker."""

from typing import TYPE_CHECKING

from piccolo.table import Table as PiccoloTable

if TYPE_CHECKING:
    from piccolo.columns import Serial

    class Table(PiccoloTable):
        """Piccolo gives a table without a primary key of its own a serial `id` when the class is made, which no
        annotation states. Declared here for the type checker alone, it changes no schema."""

        id: Serial

else:
    Table = PiccoloTable

__all__ = ["PiccoloTable", "Table"]
