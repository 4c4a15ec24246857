"""A real `contacts serve` process for the tests that need one: browsers, schemathesis."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.sending.smtp_server import free_port

START_TIMEOUT_SECONDS = 60  # a loaded 2-core machine starts a server slowly


@contextlib.contextmanager
def contacts_serve(env: dict[str, str], cwd: Path, *options: str, log_file: Path | None = None) -> Iterator[str]:
    """Serves on a free port with this environment and these options of `contacts serve`; yields the base URL
    once /health answers. Its standard error goes to `log_file` when given."""
    for attempt in range(3):  # a free port can be taken by another test's server before ours binds it
        process, log, base_url = _start(env, cwd, options, log_file)
        if process is not None:
            break
        if attempt == 2 or b"address already in use" not in log:
            raise AssertionError(f"contacts serve did not start: {log.decode(errors='replace')}")
    assert process is not None
    try:
        yield base_url
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, as a service manager stops it; killed if it has not ended 10 s later."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _start(env: dict[str, str], cwd: Path, options: tuple[str, ...] = (),
           log_file: Path | None = None) -> tuple[subprocess.Popen | None, bytes, str]:
    """The serving process once /health answers, or None and what it logged."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # Its log goes to a file, not a pipe: a pipe nobody reads fills up and stops the server mid-test.
    with open(log_file, "wb+") if log_file else tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "contacts", "serve", "--port", str(port), *options],
                                   env={**env, "CONTACTS_BASE_URL": base_url}, cwd=cwd,
                                   stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    return process, b"", base_url
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                log.seek(0)
                return None, log.read(), base_url
            time.sleep(0.1)
