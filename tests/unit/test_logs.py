"""The log lines' format, their masking of addresses and tokens, and the settings that choose them (contacts.logs)."""

from __future__ import annotations

import json
import logging
import re

import pytest

from contacts.errors import ConfigurationError
from contacts.logs import event_handler, logging_config, mask
from contacts.settings import load_settings

TOKEN = "AQEAAAB3q9Zk1m0xT-hV_s2RbN8cYpLq4WfE0uJi"  # the shape of a sealed link token
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+ ")


def rendered(handler: logging.Handler, name: str, level: int, message: str, *args, exc_info=None,
             **extra) -> str:
    record = logging.getLogger(name).makeRecord(name, level, __file__, 1, message, args, exc_info, extra=extra)
    assert handler.filter(record)
    return handler.format(record)


def failure(text: str):
    try:
        raise RuntimeError(text)
    except RuntimeError as error:
        return (type(error), error, error.__traceback__)


@pytest.mark.parametrize("text", [
    "mail to jeanne.dupont@presse.example refused",
    "550 5.1.1 <émile.zola+lettres@sous-domaine.musee.example>: no such user",
    f"POST /u/{TOKEN} failed", f"GET /p/{TOKEN}?lang=fr", f"/r/{TOKEN}/", f"https://musee.example/l/{TOKEN}",
    f"/staff/events/3/check-in/{TOKEN}", f"/rights/verify/{TOKEN}", f"bounces+{TOKEN.lower()}@musee.example",
    f"a token alone: {TOKEN}.",
])
def test_req32_addresses_and_tokens_are_masked_wherever_they_are(text):
    masked = mask(text)
    assert "@presse" not in masked and "@sous-domaine" not in masked and TOKEN not in masked
    assert TOKEN.lower() not in masked and "jeanne" not in masked and "zola" not in masked


@pytest.mark.parametrize("text", [
    "campaign 12: 1600 sent, 0 failed, 0 skipped, 0 to retry; finished",
    "mail catcher on 127.0.0.1:8025, keeping mail in /srv/contacts/contacts.db.mail",
    "GET /staff/campaigns/12 failed", "the background sender failed; trying again in 5 s",
])
def test_what_names_no_one_stays_as_it_was(text):
    assert mask(text) == text


def test_text_lines_carry_utc_time_level_logger_and_message_and_the_traceback_follows():
    handler = event_handler("text", "info")
    line = rendered(handler, "contacts.sending", logging.INFO, "campaign %s: %d sent", 12, 1600)
    assert TEXT_LINE.match(line) and line.endswith(" INFO contacts.sending campaign 12: 1600 sent")
    broken = rendered(handler, "contacts.web.errors", logging.ERROR, "two\nlines")
    assert "\n" not in broken and broken.endswith("two \\n lines")  # one line per event
    failed = rendered(handler, "contacts.mail.notices", logging.ERROR, "sending to %s failed", "zoe@presse.example",
                      exc_info=failure(f"refused zoe@presse.example at /u/{TOKEN}"))
    first, *traceback = failed.splitlines()
    assert first.endswith("sending to <address> failed") and traceback[0].startswith("Traceback")
    assert "zoe@" not in failed and TOKEN not in failed and traceback[-1].endswith("/u/…")


def test_json_lines_are_one_object_with_time_level_logger_message_extras_and_the_exception():
    handler = event_handler("json", "info")
    line = rendered(handler, "contacts.sending", logging.INFO, "campaign %s finished", 12, campaign=12, sent=1600,
                    to="zoe@presse.example")
    event = json.loads(line)
    assert list(event)[:4] == ["time", "level", "logger", "message"] and TEXT_LINE.match(f"{event['time']} INFO a ")
    assert (event["level"], event["logger"], event["message"]) == ("INFO", "contacts.sending", "campaign 12 finished")
    assert (event["campaign"], event["sent"], event["to"]) == (12, 1600, "<address>")
    failed = rendered(handler, "contacts.web.errors", logging.ERROR, "GET /p/%s failed", TOKEN,
                      exc_info=failure(f"no page for zoe@presse.example\nat /p/{TOKEN}"))
    assert "\n" not in failed
    event = json.loads(failed)
    assert event["message"] == "GET /p/… failed" and event["exception"].startswith("Traceback")
    assert "zoe@" not in event["exception"] and TOKEN not in event["exception"]


def test_the_access_log_loses_the_client_address_and_the_token():
    handler = event_handler("text", "info")
    line = rendered(handler, "uvicorn.access", logging.INFO, '%s - "%s %s HTTP/%s" %d', "203.0.113.9:51234", "POST",
                    f"/u/{TOKEN}", "1.1", 200)
    assert line.endswith(' INFO uvicorn.access - - "POST /u/… HTTP/1.1" 200') and "203.0.113" not in line


def test_the_smtp_chatter_is_debug_and_shown_only_at_the_debug_level():
    chatter = ("mail.log", logging.INFO, "%r >> %r", ("127.0.0.1", 4242), b"RCPT TO:<zoe@presse.example>")
    quiet, talkative = event_handler("text", "info"), event_handler("text", "debug")
    record = logging.getLogger(chatter[0]).makeRecord(chatter[0], chatter[1], __file__, 1, chatter[2], chatter[3:],
                                                      None)
    assert not quiet.filter(record)
    assert talkative.filter(record) and " DEBUG mail.log " in talkative.format(record)
    assert "zoe@" not in talkative.format(record)
    config = logging_config("text", "info")
    assert config["loggers"]["mail.log"]["level"] == "WARNING"  # not even made into a record at the info level
    assert logging_config("json", "debug")["loggers"]["mail.log"]["level"] == "DEBUG"


@pytest.mark.parametrize(("name", "value"), [("CONTACTS_LOG_FORMAT", "yaml"), ("CONTACTS_LOG_FORMAT", "JSON lines"),
                                             ("CONTACTS_LOG_LEVEL", "verbose")])
def test_a_log_setting_out_of_its_choices_is_refused_naming_the_variable(name, value):
    with pytest.raises(ConfigurationError) as refused:
        load_settings({"CONTACTS_SECRET_KEY": "k" * 32, name: value})
    assert str(refused.value).startswith(f"{name}: expected one of ")


def test_the_log_settings_default_to_text_at_the_info_level_and_read_any_case():
    settings = load_settings({"CONTACTS_SECRET_KEY": "k" * 32})
    assert (settings.log_format, settings.log_level) == ("text", "info")
    settings = load_settings({"CONTACTS_SECRET_KEY": "k" * 32, "CONTACTS_LOG_FORMAT": "JSON",
                              "CONTACTS_LOG_LEVEL": " Debug "})
    assert (settings.log_format, settings.log_level) == ("json", "debug")
