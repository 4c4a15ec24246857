"""Jinja2 in the catalogue's languages, for the pages and the mails alike.

Environments get the i18n extension (`{% trans %}`, `_()`) in its new style, and filters that format
dates, numbers and codes for the render's language. The gettext callables go in each render's context,
built once per language: nothing is looked up per recipient or per request beyond one dict.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from contacts import i18n
from contacts.i18n import N_
from contacts.words import (
    CAMPAIGN_STEPS,
    CODE_WORDS,
    actor_words,
    code_word,
    stored_reason,
)


def install(environment: Environment) -> None:
    environment.add_extension("jinja2.ext.i18n")
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    environment.filters.update({"when": _when, "day": _day, "number": _number, "word": _word,
                                "names": _names, "shown": _shown, "coded": _coded,
                                "scope": _scope, "reason": _reason, "actor": _actor,
                                "campaign_step": _campaign_step})
    environment.filters["opening"] = _opening  # a sending window's next opening: "lundi 7 décembre à 08:00"


@functools.cache
def callables(lang: str) -> Mapping[str, Any]:
    """What a render in this language adds to its context: `lang`, `_`, `gettext` and `ngettext`."""
    lang = i18n.language_of(lang)
    catalogue = i18n.translations(lang)
    gettext = _new_style(catalogue.gettext)
    return {"lang": lang, "_": gettext, "gettext": gettext, "ngettext": _new_style_plural(catalogue.ngettext)}


def localised(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context with its language's callables (French when it names none)."""
    return {**callables(i18n.language_of(context.get("lang"))), **context}


def _new_style(translate: Callable[[str], str]) -> Callable[..., str]:
    @pass_context
    def gettext(context: Context, text: str, /, **variables: Any) -> str:
        translated = translate(text)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % variables  # as Jinja's own new style does: `%%` in every message id
    return gettext


def _new_style_plural(translate: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        translated = translate(singular, plural, num)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % {"num": num, **variables}
    return ngettext


@pass_context
def _when(context: Context, value: datetime | date | str | None) -> str:
    return i18n.when(value, context.get("lang", i18n.DEFAULT_LANGUAGE))


@pass_context
def _day(context: Context, value: datetime | date | str | None) -> str:
    return i18n.when(value, context.get("lang", i18n.DEFAULT_LANGUAGE), with_time=False)


@pass_context
def _opening(context: Context, value: datetime) -> str:
    return i18n.opening(value, context.get("lang", i18n.DEFAULT_LANGUAGE))


@pass_context
def _number(context: Context, value: int | float) -> str:
    return i18n.number(value, context.get("lang", i18n.DEFAULT_LANGUAGE))


@pass_context
def _word(context: Context, code: object) -> str:
    return code_word(str(code), context.get("lang", i18n.DEFAULT_LANGUAGE))


@pass_context
def _names(context: Context, items: Any) -> str:
    """Lists or purposes by their names in the render's language, joined."""
    lang = context.get("lang", i18n.DEFAULT_LANGUAGE)
    return ", ".join(item.display_name(lang) for item in items)


@pass_context
def _shown(context: Context, value: object) -> object:
    """A value of a record as a person reads it: dates in words, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)) or (isinstance(value, str) and _ISO_MOMENT.fullmatch(value)):
        return i18n.when(value, context.get("lang", i18n.DEFAULT_LANGUAGE))
    return value


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


_SCOPES = {"global": N_("every mailing"), "purpose": N_("purpose %(code)s"), "list": N_("list %(code)s")}


@pass_context
def _scope(context: Context, scope: str) -> str:
    """A suppression scope in words: `purpose:press` is "purpose press"."""
    kind, _, code = str(scope).partition(":")
    words = _SCOPES.get(kind)
    return i18n.gettext(context.get("lang", i18n.DEFAULT_LANGUAGE), words, code=code) if words else str(scope)


@pass_context
def _reason(context: Context, reason: str | None) -> str:
    """A consent event's reason: stored sentences in the render's language, codes in words."""
    return stored_reason(reason, context.get("lang", i18n.DEFAULT_LANGUAGE)) if reason else ""


@pass_context
def _coded(context: Context, value: object) -> object:
    """A value that may be a code (`third_party`): its words when it is one, else as `shown` gives it."""
    if isinstance(value, str) and value in CODE_WORDS:
        return code_word(value, context.get("lang", i18n.DEFAULT_LANGUAGE))
    if isinstance(value, (list, tuple)):  # a list of codes or values, as words, not as Python writes it
        return ", ".join(str(_coded(context, item)) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{code_word(str(key), context.get('lang', i18n.DEFAULT_LANGUAGE))} {_coded(context, item)}"
                         for key, item in value.items())
    return _shown(context, value)


@pass_context
def _actor(context: Context, actor: str | None) -> str:
    return actor_words(actor or "", context.get("lang", i18n.DEFAULT_LANGUAGE))


PAUSES_BY_THE_SENDER = {"relay": "pause_relay", "complaint rate": "pause_complaints"}


@pass_context
def _campaign_step(context: Context, step: Any) -> str:
    """A line of a campaign's timeline in words (services.campaigns.schedule_operations.Step)."""
    lang = context.get("lang", i18n.DEFAULT_LANGUAGE)
    action = step.action
    if action == "start" and step.details.get("late_by_seconds", 0) > 60:
        action = "start_late"
    elif action == "pause" and step.details.get("why") in PAUSES_BY_THE_SENDER:
        action = PAUSES_BY_THE_SENDER[step.details["why"]]
    words = CAMPAIGN_STEPS.get(action)
    if words is None:
        return code_word(step.action, lang)
    return i18n.gettext(lang, words, who=actor_words(step.actor, lang),
                        at=i18n.when(step.details.get("at") or step.details.get("scheduled_at"), lang),
                        reason=step.details.get(f"reason_{lang}") or step.details.get("reason", ""))
