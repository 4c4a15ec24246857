"""SIGTERM (or Ctrl-C) to `contacts campaign send` or `contacts worker`: it stops after the messages in
flight, prints what it did, exits cleanly and leaves the campaign to resume, where each recipient still
gets one message. Runs the real command, with a helper process beside it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.sending.smtp_server import TestSmtpServer

pytestmark = pytest.mark.usefixtures("database_url")
RECIPIENTS = 300  # enough that a loaded machine cannot finish before the signal lands


def _campaign(contacts_cli, tmp_path) -> str:
    (tmp_path / "j.csv").write_text("email\n" + "\n".join(f"j{i}@presse.example" for i in range(RECIPIENTS)) + "\n")
    contacts_cli("import", "j.csv", "--list", "journalists", "--source-type", "given", "--source", "test")
    return contacts_cli("campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                        "--subject", "Stop test").stdout.strip().splitlines()[-1]


def _run(command: list[str], env: dict, tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "contacts", *command], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _stop_midway(command: list[str], server: TestSmtpServer, env: dict, tmp_path, number: int):
    sender = subprocess.Popen([sys.executable, "-m", "contacts", *command], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(server.handler.received) < 10:
        assert sender.poll() is None, sender.communicate()
        assert time.monotonic() < deadline, "the sender made no progress"
        time.sleep(0.01)
    sender.send_signal(number)
    stdout, stderr = sender.communicate(timeout=60)
    return sender.returncode, stdout, stderr


@pytest.mark.parametrize(("number", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_stops_the_send_after_the_messages_in_flight_and_it_resumes(contacts_cli, cli_env, tmp_path,
                                                                             number, status):
    campaign_id = _campaign(contacts_cli, tmp_path)
    with TestSmtpServer() as server:
        server.handler.delay = 0.05
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url}
        returncode, stdout, stderr = _stop_midway(
            ["campaign", "send", campaign_id, "--concurrency", "2", "--processes", "2"], server, env, tmp_path, number)
        stopped_at = len(server.handler.received)
        assert returncode == status, stderr
        for words in ("Traceback", "leaked semaphore", "never retrieved", "KeyboardInterrupt"):
            assert words not in stderr, stderr
        assert "; stopped" in stdout and "stopped after the messages in flight" in stdout, stdout
        sent = int(stdout.split("this run: sent ")[1].split(",")[0])
        assert sent == stopped_at < RECIPIENTS, stdout  # what it says it did is what the server got
        status_text = contacts_cli("campaign", "status", campaign_id).stdout
        assert "sending: 0" in status_text and f"sent: {stopped_at}" in status_text, status_text  # claims given back

        _run(["campaign", "send", campaign_id], env, tmp_path)
    counts = Counter(envelope.rcpt_tos[0] for envelope in server.handler.received)
    assert set(counts) == {f"j{i}@presse.example" for i in range(RECIPIENTS)}  # nothing lost
    assert set(counts.values()) == {1}, counts  # nothing twice: what was in flight ended and was recorded


def test_sigterm_stops_the_worker_after_the_messages_in_flight(contacts_cli, cli_env, tmp_path):
    campaign_id = _campaign(contacts_cli, tmp_path)
    with TestSmtpServer() as server:
        server.handler.delay = 0.05
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url}
        # Started, then stopped at once: the worker drains what runs.
        started = subprocess.Popen([sys.executable, "-m", "contacts", "campaign", "send", campaign_id,
                                    "--processes", "1", "--concurrency", "1"], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while not server.handler.received:
            assert started.poll() is None, started.communicate()
            time.sleep(0.01)
        started.send_signal(signal.SIGTERM)
        assert started.wait(60) == 0
        returncode, stdout, stderr = _stop_midway(["worker", "--concurrency", "2"], server, env, tmp_path,
                                                  signal.SIGTERM)
        assert returncode == 0, stderr
        assert "Traceback" not in stderr, stderr
        assert "; stopped" in stdout, stdout
        _run(["worker", "--once"], env, tmp_path)
    counts = Counter(envelope.rcpt_tos[0] for envelope in server.handler.received)
    assert set(counts) == {f"j{i}@presse.example" for i in range(RECIPIENTS)}
    assert set(counts.values()) == {1}, counts
