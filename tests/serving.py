"""A real `contacts serve` process for the tests that need one: browsers, schemathesis."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.sending.smtp_server import free_port

START_TIMEOUT_SECONDS = 30


@contextlib.contextmanager
def contacts_serve(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """Serves on a free port with this environment; yields the base URL once /health answers."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "contacts", "serve", "--port", str(port)],
                               env={**env, "CONTACTS_BASE_URL": base_url}, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"contacts serve did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
