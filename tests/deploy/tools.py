"""What the deploy/ example tests share: where deploy/ is, and the tools they run (systemd-analyze, nginx,
caddy), skipped where missing unless CONTACTS_REQUIRE_DEPLOY_TOOLS=1 (CI sets it, and installs them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
# Where the units expect the `contacts` command: a release checkout's virtualenv (deploy/README.md).
UNIT_CONTACTS = "/opt/contacts/current/.venv/bin/contacts"
REQUIRED = os.environ.get("CONTACTS_REQUIRE_DEPLOY_TOOLS") == "1"
INSTALL = {"systemd-analyze": "apt-get install systemd", "nginx": "apt-get install nginx",
           "caddy": "apt-get install caddy", "psql": "apt-get install postgresql-client"}


def tool(name: str) -> str:
    """The tool's path; the test is skipped without it, or fails when CI said it must be there."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    if REQUIRED:
        pytest.fail(f"{name} is missing, and CONTACTS_REQUIRE_DEPLOY_TOOLS=1 ({INSTALL[name]})")
    pytest.skip(f"{name} is not installed ({INSTALL[name]}); CI installs it")
