"""Click types for what commands take: text without control characters, ids within their 32-bit column.

A refusal is click's usage error: exit status 2, the option named (contacts.text_input says why).
"""

from __future__ import annotations

import click

from contacts.cli.words import _
from contacts.text_input import INT32_MAX, control_character


class OneLineText(click.ParamType):
    name = "text"

    def convert(self, value, param, ctx):
        if (character := control_character(value, multiline=False)) is not None:
            self.fail(_("contains a control character (%(character)s), which no text may hold", character=character),
                      param, ctx)
        return value


TEXT = OneLineText()
ROW_ID = click.IntRange(min=1, max=INT32_MAX)
