"""`contacts serve`'s standard error, as a service manager reads it: one event per line in the chosen format,
the mail catcher's SMTP dialogue kept out, no address and no token, also in its `--workers` processes and
in the access log (contacts.logs)."""

from __future__ import annotations

import json
import re
import smtplib
from email.message import EmailMessage

import httpx

from tests.conftest import ENGINE
from tests.sending.smtp_server import free_port
from tests.serving import contacts_serve
from tests.unit.test_logs import TEXT_LINE, TOKEN

ADDRESS = "zoe.martin@presse.example"


def visit(base_url: str) -> None:
    """A recipient's links, a bad one, and the staff sign-in."""
    for path in (f"/u/{TOKEN}", f"/p/{TOKEN}", f"/v/{TOKEN}", "/staff/login", "/health"):
        httpx.get(base_url + path, timeout=10)
    httpx.post(f"{base_url}/u/{TOKEN}", data={"List-Unsubscribe": "One-Click"}, timeout=10)


def test_req32_serve_writes_text_lines_without_the_mail_catchers_chatter_nor_an_address(cli_env, tmp_path):
    catcher = free_port()
    env = {**cli_env, "CONTACTS_MAIL_CATCHER_PORT": str(catcher)}
    env.pop("CONTACTS_SMTP_URL", None)
    env.pop("CONTACTS_LOG_FORMAT", None)
    with contacts_serve(env, tmp_path, log_file=tmp_path / "serve.log") as base_url:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "communication@musee.example", ADDRESS, "Bonjour"
        message.set_content(f"Votre lien : {base_url}/u/{TOKEN}")
        with smtplib.SMTP("127.0.0.1", catcher, timeout=10) as smtp:
            smtp.send_message(message)
        visit(base_url)
    log = (tmp_path / "serve.log").read_text()
    lines = log.splitlines()
    assert any(" INFO contacts.devmail mail catcher on 127.0.0.1:" in line for line in lines)
    assert any(" INFO uvicorn.error Application startup complete." in line for line in lines)
    assert all(TEXT_LINE.match(line) for line in lines), log  # no traceback either: nothing failed
    assert "mail.log" not in log and "@presse.example" not in log and TOKEN not in log
    assert "/u/" not in log  # no access log unless asked for


def test_req32_serve_writes_json_lines_and_masks_the_access_log_in_every_worker(cli_env, tmp_path):
    env = {**cli_env, "CONTACTS_LOG_FORMAT": "json", "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9"}
    workers = ("--workers", "2") if ENGINE == "postgresql" else ()  # SQLite has one server process
    with contacts_serve(env, tmp_path, "--access-log", *workers, log_file=tmp_path / "serve.log") as base_url:
        visit(base_url)
    log = (tmp_path / "serve.log").read_text()
    events = [json.loads(line) for line in log.splitlines()]
    assert all(list(event)[:4] == ["time", "level", "logger", "message"] for event in events)
    assert all(TEXT_LINE.match(f"{event['time']} {event['level']} {event['logger']} ") for event in events)
    started = [event for event in events if event["message"].startswith("Started server process")]
    assert len(started) == (2 if workers else 1)  # each worker process writes in the same format
    access = [event["message"] for event in events if event["logger"] == "uvicorn.access"]
    assert '- - "POST /u/… HTTP/1.1" 200' in access and '- - "GET /health HTTP/1.1" 200' in access
    assert not [line for line in access if re.search(r"\d+\.\d+\.\d+\.\d+", line)]  # no client address
    assert "@presse.example" not in log and TOKEN not in log
