"""Who uses the embedded SQLite database. `contacts serve`, `worker`, `inbound` and `campaign send` each hold
a shared lock on `<database>.in-use` for their lifetime (the kernel lets go when the process ends, even
killed); `contacts restore` takes it exclusively, so a restore never runs beside them, nor they beside it.
Each holder also appends its pid and command to the file, so that a refusal can name what to stop."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from contacts.errors import ConflictError
from contacts.i18n import N_

IN_USE_SUFFIX = ".in-use"
_held: list[IO[str]] = []  # open for the life of the process: closing would let go of the lock


def in_use_path(database: Path) -> Path:
    return database.with_name(database.name + IN_USE_SUFFIX)


def hold_while_running(database: Path, command: str | None) -> None:
    """Marks the database as used by this process, `command` (e.g. `contacts serve`), until it ends. None for
    a process too short-lived to be named (one message from an MTA's pipe): the file would only grow."""
    path = in_use_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ConflictError(N_("the database %(path)s is being restored: wait until `contacts restore` has "
                               "finished"), path=str(database)) from None
    if command:
        handle.write(f"{os.getpid()} {command}\n")
        handle.flush()
    _held.append(handle)


def release_all() -> None:
    """For tests that hold the database in their own process: what a process's end does."""
    while _held:
        _held.pop().close()


@contextlib.contextmanager
def sole_use(database: Path) -> Iterator[None]:
    """Holds the database alone, or raises ConflictError naming the processes that use it."""
    path = in_use_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if users := ", ".join(users_named_in(path)):
                raise ConflictError(N_("the database %(path)s is in use by %(users)s: stop them first"),
                                    path=str(database), users=users) from None
            raise ConflictError(N_("the database %(path)s is in use by another process: stop it first"),
                                path=str(database)) from None
        handle.truncate(0)  # the lines of processes gone: nobody else holds it now
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def users_named_in(path: Path) -> list[str]:
    """`contacts serve (pid 123)` for each line whose process is still alive."""
    users = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        pid, _, command = line.partition(" ")
        if pid.isdigit() and process_alive(int(pid)):
            users.append(f"{command} (pid {pid})")
    return list(dict.fromkeys(users))


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with this id runs (one we may not signal runs too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
