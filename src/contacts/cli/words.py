"""What the `contacts` command says, in the operator's language: CONTACTS_LANGUAGE (fr or en) when set, else
the process locale (LC_ALL, LC_MESSAGES, then LANG: French when it starts with "fr"), else English.

`_` and `ngettext` are named as pybabel looks for them, so their messages are extracted into the catalogue.
French text gets French typography (U+202F before `: ; ! ?`) before the values go in: a subject, an address
or a path is printed as it is. Click's own messages (usage errors, help headings) are translated too, and so
is each command's help (`help=N_("…")` on commands and options), when click shows it.
"""

from __future__ import annotations

import functools
import os

import click

from contacts.i18n import LANGUAGES, N_, translations
from contacts.typography import french

LANGUAGE_VARIABLE = "CONTACTS_LANGUAGE"


@functools.cache
def language() -> str:
    configured = os.environ.get(LANGUAGE_VARIABLE, "").strip().lower()
    if configured in LANGUAGES:
        return configured
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):  # the order in which POSIX reads them
        value = os.environ.get(variable, "").strip()
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def language_problem() -> str | None:
    """The fault of a CONTACTS_LANGUAGE that is neither fr nor en, said in both languages (it names the
    language the rest is said in)."""
    configured = os.environ.get(LANGUAGE_VARIABLE, "").strip().lower()
    if not configured or configured in LANGUAGES:
        return None
    return (f"{LANGUAGE_VARIABLE}\u202f: fr ou en, pas {configured!r} / "
            f"{LANGUAGE_VARIABLE}: fr or en, not {configured!r}")


def _set(text: str) -> str:
    return french(text) if language() == "fr" else text


def _(text: str, **values: object) -> str:
    """The message in the operator's language, its `%(name)s` values filled in."""
    said = _set(translations(language()).gettext(text))
    return said % values if values else said


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """`ngettext("%(num)s row", "%(num)s rows", n)`: the form for the count, in the operator's language."""
    said = _set(translations(language()).ngettext(singular, plural, count))
    return said % {"num": count, **values}


def term(code: str) -> str:
    """A status, a reason or a scope's code: its words in French, the code itself in English (what options
    take and scripts read)."""
    if language() == "en":
        return code
    from contacts.words import code_word

    return code_word(code, "fr")


def error(message: str) -> str:
    """"error: …", the start of every refusal."""
    return _("error: %(message)s", message=message)


# Click's own messages that an operator reads (usage errors, help headings), translated when click shows
# them: click calls `gettext` and `ngettext` of the standard library, which `install_in_click` replaces.
CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Missing argument"), N_("Missing option"),
    N_("Missing parameter"), N_("Missing command."), N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"), N_("No such command {name!r}."), N_("No such option {name!r}."),
    N_("Option {name!r} does not take a value."), N_("Aborted!"), N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."), N_("Do you want to continue?"), N_("default: {default}"),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a directory."), N_("file"),
    N_("directory"), N_("path"), N_("Could not open file {filename!r}: {message}"), N_("Error: invalid input"),
    # click's plural messages name other values in each form ({choice}, {choices}): two messages each
    N_("Got unexpected extra argument ({args})"), N_("Got unexpected extra arguments ({args})"),
    N_("{value!r} is not {choice}."), N_("{value!r} is not one of {choices}."),
    N_("Option {name!r} requires an argument."), N_("Option {name!r} requires {nargs} arguments."),
    N_("Did you mean {possibility}?"), N_("(Did you mean one of: {possibilities}?)"), N_("Positional arguments"),
)


def _click_gettext(text: str) -> str:
    return _set(translations(language()).gettext(text))


def _click_ngettext(singular: str, plural: str, count: int) -> str:
    return _click_gettext(singular if count == 1 else plural)


def install_in_click() -> None:
    """Click's modules import `gettext as _` and `ngettext` at their top: theirs are replaced by ours, in
    French only (in English, click's own words are already the ones to show)."""
    if language() == "en":
        return
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types
    import click.utils

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                   click.types, click.utils):
        if hasattr(module, "_"):
            module._ = _click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


# What click calls an option's value (TEXT, INTEGER RANGE) after its type, when the option names it no other way
VALUE_NAMES = (N_("text"), N_("integer"), N_("integer range"), N_("float"), N_("float range"))


def help_in_language(root: click.Command) -> None:
    """Every command of the tree shows its help in the operator's language: their contexts translate the
    commands' and options' help the first time click formats one (`--help`, a group run bare), so that a
    command that shows none never reads the catalogue. Help the catalogue lacks stays as it is, in English."""
    for command in _tree(root):
        if command.context_class is click.Context:  # a command with a context of its own is left to it
            command.context_class = _HelpInLanguage


class _HelpInLanguage(click.Context):
    def get_help(self) -> str:
        _translate_help(self.find_root().command)
        # click joins some pieces itself ("[défaut : 4; 1<=x<=32]"): the whole page is set once more
        return _set(super().get_help())


@functools.cache  # once per process: the help is translated in place, and the language does not change
def _translate_help(root: click.Command) -> None:
    if language() == "en":
        return  # the help is written in English
    for command in _tree(root):
        command.help, command.short_help = _help_words(command.help), _help_words(command.short_help)
        command.epilog = _help_words(command.epilog)
        for param in command.params:
            param.help = _help_words(param.help)
            if isinstance(param, click.Option) and param.metavar is None and param.type.name in VALUE_NAMES:
                param.metavar = _click_gettext(param.type.name).upper() + ("..." if param.nargs != 1 else "")


def _tree(command: click.Command):
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _tree(sub)


def _help_words(text: str | None) -> str | None:
    return _click_gettext(text) if text else text  # set in French before click wraps it
