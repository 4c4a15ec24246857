"""What the browser tests share: Debian's Chromium, how it is launched, and where screenshots go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Headless, as root, and without the background connections this closed network refuses.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Skipped where Chromium is missing, unless CONTACTS_REQUIRE_BROWSER=1 (CI sets it, and installs Chromium).
requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CONTACTS_REQUIRE_BROWSER") != "1",
    reason="Debian's chromium is not installed (apt-get install chromium)")
# Under pytest-xdist (--dist loadgroup) the browser tests run one after the other on one worker: each starts
# a Chromium and a `contacts serve`, and two at once on a 2-core machine starve the other workers' tests.
BROWSER_GROUP = pytest.mark.xdist_group("browser")
