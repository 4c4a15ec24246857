"""REQ-42: nothing is sent twice across a database restart. The real `contacts campaign send` runs against
PostgreSQL through a proxy that takes the database away mid-send (every connection cut, new ones refused),
then lets it through again: the sender waits, reconnects and finishes, and each recipient gets one message.
Past the outage limit it exits with status 2 and says why, and a resumed send finishes."""

from __future__ import annotations

import email
import subprocess
import sys
import time
from collections import defaultdict
from email import policy

import pytest

from contacts.sending.worker import MESSAGES_PER_CONNECTION
from tests.conftest import ENGINE
from tests.sending.db_proxy import DatabaseProxy
from tests.sending.smtp_server import TestSmtpServer

pytestmark = [pytest.mark.usefixtures("database_url"),
              pytest.mark.skipif(ENGINE != "postgresql", reason="a database server to take away: PostgreSQL")]
RECIPIENTS = 150
CONCURRENCY = 4


def _campaign(contacts_cli, tmp_path) -> str:
    (tmp_path / "j.csv").write_text("email\n" + "\n".join(f"j{i}@presse.example" for i in range(RECIPIENTS)) + "\n")
    contacts_cli("import", "j.csv", "--list", "journalists", "--source-type", "given", "--source", "test")
    return contacts_cli("campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                        "--subject", "Outage test").stdout.strip().splitlines()[-1]


def _start_send(campaign_id: str, env: dict, tmp_path, processes: int = 1) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "contacts", "campaign", "send", campaign_id, "--concurrency",
                             str(CONCURRENCY), "--processes", str(processes)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(server: TestSmtpServer, count: int, sender: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(server.handler.received) < count:
        assert sender.poll() is None, sender.communicate()
        assert time.monotonic() < deadline, "the sender made no progress"
        time.sleep(0.01)


def _message_ids_by_recipient(server: TestSmtpServer) -> dict[str, list[str]]:
    by_recipient: dict[str, list[str]] = defaultdict(list)
    for envelope in list(server.handler.received):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        by_recipient[envelope.rcpt_tos[0]].append(message["Message-ID"])
    return by_recipient


def _assert_ledger_complete(contacts_cli, campaign_id: str) -> None:
    status = contacts_cli("campaign", "status", campaign_id).stdout
    assert f"sent: {RECIPIENTS}" in status and "queued: 0" in status and "sending: 0" in status, status
    assert "/ finished)" in status, status


def _assert_no_traceback(stderr: str) -> None:
    for words in ("Traceback", "ExceptionGroup", "never retrieved", "leaked semaphore"):
        assert words not in stderr, stderr


@pytest.mark.parametrize("processes", [1, 2])
def test_req42_send_rides_out_a_database_outage_and_sends_each_message_once(
        contacts_cli, cli_env, database_url, tmp_path, processes):
    campaign_id = _campaign(contacts_cli, tmp_path)
    with TestSmtpServer() as server, DatabaseProxy(database_url) as proxy:
        server.handler.delay = 0.02
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url, "CONTACTS_DATABASE_URL": proxy.url}
        sender = _start_send(campaign_id, env, tmp_path, processes)
        _wait_for(server, 40, sender)
        proxy.cut()
        time.sleep(3)
        during = len(server.handler.received)
        proxy.let_through()
        stdout, stderr = sender.communicate(timeout=120)
        assert during < RECIPIENTS, "the campaign finished before the cut: make the server slower"

    assert sender.returncode == 0, stderr
    assert "database unreachable, retrying in" in stderr and "database back after" in stderr, stderr
    _assert_no_traceback(stderr)
    assert f"sent {RECIPIENTS}" in stdout, stdout
    by_recipient = _message_ids_by_recipient(server)
    assert set(by_recipient) == {f"j{i}@presse.example" for i in range(RECIPIENTS)}  # nothing lost
    assert {rcpt: ids for rcpt, ids in by_recipient.items() if len(ids) > 1} == {}  # nothing doubled
    _assert_ledger_complete(contacts_cli, campaign_id)


def test_req42_an_outage_past_the_limit_exits_2_and_a_resumed_send_finishes(contacts_cli, cli_env, database_url,
                                                                             tmp_path):
    campaign_id = _campaign(contacts_cli, tmp_path)
    with TestSmtpServer() as server, DatabaseProxy(database_url) as proxy:
        server.handler.delay = 0.02
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url, "CONTACTS_DATABASE_URL": proxy.url,
               "CONTACTS_DATABASE_OUTAGE_LIMIT": "2"}
        sender = _start_send(campaign_id, env, tmp_path)
        _wait_for(server, 30, sender)
        proxy.cut()
        stdout, stderr = sender.communicate(timeout=60)
        proxy.let_through()
        assert sender.returncode == 2, stderr
        assert "database unreachable for" in stderr and "CONTACTS_DATABASE_OUTAGE_LIMIT=2)" in stderr, stderr
        _assert_no_traceback(stderr)

        resumed = subprocess.run([sys.executable, "-m", "contacts", "campaign", "send", campaign_id],
                                 env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr

    by_recipient = _message_ids_by_recipient(server)
    assert set(by_recipient) == {f"j{i}@presse.example" for i in range(RECIPIENTS)}  # nothing lost
    repeats = {rcpt: ids for rcpt, ids in by_recipient.items() if len(ids) > 1}
    assert all(len(set(ids)) == 1 for ids in repeats.values()), repeats  # a repeat is the same message
    # At most what was in flight: each connection's messages checked, sent or being sent, whose marks waited
    # for the database (written with the next check, they were all waiting by the time it gave up).
    assert len(repeats) <= CONCURRENCY * MESSAGES_PER_CONNECTION, repeats
    _assert_ledger_complete(contacts_cli, campaign_id)


async def test_req42_the_worker_rides_out_a_database_outage_and_sends_each_message_once(
        contacts_cli, cli_env, database_url, tmp_path):
    from contacts.sending.worker import start_campaign

    campaign_id = _campaign(contacts_cli, tmp_path)
    await start_campaign(int(campaign_id))  # as the API and the staff pages do: `contacts worker` sends it
    with TestSmtpServer() as server, DatabaseProxy(database_url) as proxy:
        server.handler.delay = 0.02
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url, "CONTACTS_DATABASE_URL": proxy.url}
        worker = subprocess.Popen([sys.executable, "-m", "contacts", "worker", "--once", "--concurrency",
                                   str(CONCURRENCY)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        _wait_for(server, 40, worker)
        proxy.cut()
        time.sleep(3)
        proxy.let_through()
        stdout, stderr = worker.communicate(timeout=120)

    assert worker.returncode == 0, stderr
    assert "database unreachable, retrying in" in stderr, stderr
    _assert_no_traceback(stderr)
    by_recipient = _message_ids_by_recipient(server)
    assert set(by_recipient) == {f"j{i}@presse.example" for i in range(RECIPIENTS)}  # nothing lost
    assert {rcpt: ids for rcpt, ids in by_recipient.items() if len(ids) > 1} == {}  # nothing doubled
    _assert_ledger_complete(contacts_cli, campaign_id)
