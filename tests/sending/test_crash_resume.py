"""A sender killed with SIGKILL mid-campaign, then resumed: nothing lost, nothing sent twice but what was in
flight, and a repeat is the same message (same Message-ID). Runs the real `contacts` command."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from email import policy

import pytest

from tests.sending.smtp_server import TestSmtpServer

pytestmark = pytest.mark.usefixtures("database_url")
CONCURRENCY = 4


def test_kill_9_mid_campaign_then_resume_sends_every_message_once(contacts_cli, cli_env, tmp_path):
    (tmp_path / "j.csv").write_text("email\n" + "\n".join(f"j{i}@presse.example" for i in range(80)) + "\n")
    contacts_cli("import", "j.csv", "--list", "journalists", "--source-type", "given", "--source", "test")
    campaign_id = contacts_cli("campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                               "--subject", "Crash test").stdout.strip().splitlines()[-1]
    with TestSmtpServer() as server:
        server.handler.delay = 0.03
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url}
        sender = subprocess.Popen([sys.executable, "-m", "contacts", "campaign", "send", campaign_id,
                                   "--concurrency", str(CONCURRENCY)], env=env, cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(server.handler.received) < 20:
            assert sender.poll() is None, sender.stderr.read().decode()
            assert time.monotonic() < deadline, "the sender made no progress"
            time.sleep(0.01)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        before_resume = len(server.handler.received)
        assert before_resume < 80, "the campaign finished before the kill: make the server slower"

        resumed = subprocess.run([sys.executable, "-m", "contacts", "campaign", "send", campaign_id],
                                 env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        messages = list(server.handler.received)

    by_recipient: dict[str, list[str]] = defaultdict(list)
    for envelope in messages:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        by_recipient[envelope.rcpt_tos[0]].append(message["Message-ID"])
    assert set(by_recipient) == {f"j{i}@presse.example" for i in range(80)}  # nothing lost
    repeats = {rcpt: ids for rcpt, ids in by_recipient.items() if len(ids) > 1}
    assert all(len(set(ids)) == 1 for ids in repeats.values()), repeats  # a repeat is the same message
    assert len(repeats) <= CONCURRENCY, repeats  # at most what was in flight
    status = contacts_cli("campaign", "status", campaign_id).stdout
    assert "sent: 80" in status and "queued: 0" in status and "sending: 0" in status
    assert "/ finished)" in status
