"""Free TCP ports for the servers the tests start: SMTP servers, mail catchers, `contacts serve`, the
database proxy.

Each pytest-xdist worker (gw0, gw1, …) takes its ports from a block of its own, below the kernel's
ephemeral range (32768–60999 on Linux). A port found with bind(0) then closed is an ephemeral one: another
worker's bind(0), or any outgoing connection, may be handed it before the server binds it. A port of the
worker's own block is free of both; one that another program holds, or that is still closing, is skipped.
"""

from __future__ import annotations

import itertools
import os
import socket

FIRST_PORT = 20000
BLOCK_SIZE = 400
BLOCKS = 30  # 20000 + 30 × 400 = 32000, below the ephemeral range


def _block_start() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # unset without xdist: block 0
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    # Two test runs at once (two engines, two checkouts) take different blocks, by their xdist
    # controller's process id, most of the time.
    run = os.getppid() if worker else os.getpid()
    return FIRST_PORT + ((index + 4 * (run % 7)) % BLOCKS) * BLOCK_SIZE


_ports = itertools.cycle(range(_block_start(), _block_start() + BLOCK_SIZE))


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port of this worker's block that nothing holds now."""
    for _ in range(BLOCK_SIZE):
        port = next(_ports)
        if _bindable(port):
            return port
    raise RuntimeError(f"no free port in {_block_start()}–{_block_start() + BLOCK_SIZE - 1}")
