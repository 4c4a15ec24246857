"""Staff accounts, their sign-in and personal API tokens, and what each role may see and do (REQ-7, REQ-24).

A role is empowered for the purposes of its department: the communications role for the purposes whose
departments include communications, and so on. Admin and DPO see every purpose; a read-only account is
given its departments. Only the SHA-256 of an API token is stored: a token is 256 random bits, so a fast
hash is enough, and a database leak yields no usable token.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from piccolo.columns import Column

from contacts.db.engine import json_value, write_transaction
from contacts.domain import (
    EVERY_PURPOSE_ROLES,
    ROLE_DEPARTMENT,
    ROLE_PERMISSIONS,
    Department,
    Language,
    Permission,
    Role,
    parse_enum,
)
from contacts.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.catalogue import ListInfo, PurposeInfo
from contacts.tables import ApiToken, StaffUser

TOKEN_PREFIX = "ct_"
PASSWORD_MIN_LENGTH = 12
USERNAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
# last_used_at is written at most this often per token, not on every request.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)

_hasher = PasswordHasher()
# Argon2 costs a few hundred milliseconds of CPU by design. It runs off the event loop, on threads of its
# own (not the default executor, which SQLite's queries use), HASHING_THREADS at a time and at a lower
# priority: a burst of sign-ins waits its turn there and holds up neither other requests nor every core.
HASHING_THREADS = 1
HASHING_NICENESS = 10


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the username is unknown, so that a wrong name costs as long as a wrong password.
    # Made on first use: every command imports this module, few sign anyone in.
    return _hasher.hash(secrets.token_hex(16))


def _lower_priority() -> None:
    # On Linux the nice value is per thread, and argon2's own lane threads inherit it.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


_hashing = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2", initializer=_lower_priority)


async def _hashed(work: Callable[..., Any], *args: str | None) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_hashing, work, *args)


def _password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password is the hash's; with no hash (an unknown name), checked against a dummy one."""
    try:
        if password_hash is None:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Staff:
    """Who is acting, with what they may do."""

    id: int
    username: str
    role: Role
    departments: frozenset[str]
    language: str = Language.FR  # the staff pages' language

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def empowered_for(self, purpose: PurposeInfo) -> bool:
        return self.role in EVERY_PURPOSE_ROLES or bool(self.departments & set(purpose.departments))

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(N_("the %(role)s role may not %(permission)s"), role=self.role,
                                        permission=permission.value.replace("_", " "))

    def require_purpose(self, purpose: PurposeInfo) -> None:
        if not self.empowered_for(purpose):
            raise PermissionDeniedError(N_("the %(role)s role is not empowered for the purpose %(code)s"),
                    role=self.role,
                                        code=purpose.code)

    def require_lists(self, lists: Iterable[ListInfo]) -> None:
        for mailing_list in lists:
            if not self.empowered_for(mailing_list.purpose):
                raise PermissionDeniedError(
                    N_("the %(role)s role is not empowered for the list %(slug)s (purpose %(code)s)"), role=self.role,
                    slug=mailing_list.slug, code=mailing_list.purpose.code)

    @property
    def actor(self) -> str:
        """How the consent ledger and the audit log name this person."""
        return f"staff:{self.username}"


def departments_of(role: Role, chosen: Iterable[str] = ()) -> frozenset[str]:
    if role in EVERY_PURPOSE_ROLES:
        return frozenset(Department)
    if role in ROLE_DEPARTMENT:
        return frozenset({ROLE_DEPARTMENT[role].value})
    return frozenset(chosen)


def _staff(row: dict) -> Staff:
    role = Role(row["role"])
    chosen = row["departments"]
    chosen = json_value(chosen)
    return Staff(id=row["id"], username=row["username"], role=role, departments=departments_of(role, chosen or ()),
                 language=row.get("language") or Language.FR)


def _check_username(username: str) -> str:
    username = username.strip().lower()
    if not username or len(username) > 100 or not set(username) <= USERNAME_CHARACTERS:
        raise ValidationError("username", N_("use 1 to 100 of: lowercase letters, digits, '.', '_' and '-'"))
    return username


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError("password", N_("must be at least %(limit)s characters long"), limit=PASSWORD_MIN_LENGTH)


async def _audit(actor: Staff | str, action: str, username: str, **details) -> None:
    await audit.record(actor, action, "staff_user", username, details=details)


async def create_user(username: str, role: str, password: str, departments: Iterable[str] = (), *,
                      language: str = Language.FR, actor: Staff | str = "system") -> Staff:
    username = _check_username(username)
    chosen_language = parse_enum(Language, "language", language)
    parsed_role = parse_enum(Role, "role", role)
    chosen = sorted({parse_enum(Department, "department", d).value for d in departments})
    if parsed_role == Role.READ_ONLY and not chosen:
        raise ValidationError("department", N_("a read-only account needs at least one department"))
    if parsed_role != Role.READ_ONLY and chosen:
        raise ValidationError("department", N_("the %(parsed_role)s role's departments follow from the role"),
                parsed_role=parsed_role)
    _check_password(password)
    password_hash = await _hashed(_hasher.hash, password)  # before the transaction, which stays short
    async with write_transaction():
        if await StaffUser.exists().where(StaffUser.username == username):
            raise ConflictError(N_("a user named %(username)s exists already"), username=repr(username))
        rows = await StaffUser.insert(StaffUser(username=username, password_hash=password_hash,
                                                role=parsed_role, departments=chosen,
                                                language=chosen_language)).returning(StaffUser.id)
    await _audit(actor, "user.create", username, role=parsed_role.value, departments=chosen)
    return await user(rows[0]["id"])


async def user(user_id: int) -> Staff:
    row = await StaffUser.select().where(StaffUser.id == user_id).first()
    if row is None:
        raise NotFoundError(N_("no user %(user_id)s"), user_id=user_id)
    return _staff(row)


async def active_account(username: str) -> Staff:
    """The active account of that name: what a command done on someone's behalf acts as."""
    row = await StaffUser.select().where(StaffUser.username == username.strip().lower(),
                                         StaffUser.active.eq(True)).first()
    if row is None:
        raise NotFoundError(N_("no active account %(username)s"), username=repr(username))
    return _staff(row)


async def users() -> list[tuple[Staff, bool]]:
    """Every account, with whether it is active."""
    return [(_staff(row), row["active"]) for row in await StaffUser.select().order_by(StaffUser.username)]


async def set_active(username: str, active: bool, *, actor: Staff | str = "system") -> int:
    """Disabling an account revokes its API tokens and ends its sessions for good: enabling it again brings
    back neither (it makes new tokens). Returns how many tokens were revoked."""
    # Here, not at the top: the sessions module loads Litestar, which would add 0.2 s to `contacts user`.
    from contacts.services.staff.sessions import end_sessions_of

    async with write_transaction():
        changed = await StaffUser.update({StaffUser.active: active}).where(
            StaffUser.username == _check_username(username)).returning(StaffUser.id)
        if not changed:
            raise NotFoundError(N_("no user %(username)s"), username=repr(username))
        revoked = [] if active else await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            ApiToken.user == changed[0]["id"], ApiToken.revoked_at.is_null()).returning(ApiToken.id)
        if not active:
            await end_sessions_of(changed[0]["id"])
    if active:
        await _audit(actor, "user.enable", username)
    else:
        await _audit(actor, "user.disable", username, tokens_revoked=len(revoked))
    return len(revoked)


async def set_language(account: Staff, language: str) -> Staff:
    """The account's staff pages in this language (fr or en) from the next page on."""
    chosen = parse_enum(Language, "language", language)
    async with write_transaction():
        await StaffUser.update({StaffUser.language: chosen.value}).where(StaffUser.id == account.id)
    return await user(account.id)


async def authenticate(username: str, password: str) -> Staff:
    """The account, if the password is right and the account active; otherwise AuthenticationError, the
    same for a wrong name and a wrong password."""
    row = await StaffUser.select().where(StaffUser.username == username.strip().lower()).first()
    # An unknown name is checked against a dummy hash: it costs what a known one does.
    if not await _hashed(_password_matches, row["password_hash"] if row else None, password):
        row = None
    if row is None or not row["active"]:
        await _audit("anonymous", "staff.sign_in_refused", username.strip().lower()[:100])
        raise AuthenticationError(N_("wrong username or password"))
    values: dict[Column | str, Any] = {StaffUser.last_login_at: datetime.now(UTC)}
    if _hasher.check_needs_rehash(row["password_hash"]):  # hashed before the transaction, which stays short
        values[StaffUser.password_hash] = await _hashed(_hasher.hash, password)
    async with write_transaction():
        await StaffUser.update(values).where(StaffUser.id == row["id"])
    account = _staff(row)
    await _audit(account, "staff.sign_in", account.username)
    return account


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(username: str, name: str, *, actor: Staff | str = "system") -> str:
    """A new personal API token for this account; it is shown once and never stored."""
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ValidationError("name", N_("name the token (1 to 100 characters), e.g. what uses it"))
    row = await StaffUser.select(StaffUser.id).where(StaffUser.username == _check_username(username)).first()
    if row is None:
        raise NotFoundError(N_("no user %(username)s"), username=repr(username))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        await ApiToken.insert(ApiToken(user=row["id"], name=name, token_hash=_token_hash(token)))
    await _audit(actor, "token.create", username, name=name)
    return token


async def revoke_token(username: str, name: str, *, actor: Staff | str = "system") -> int:
    """Revokes the account's tokens of this name; returns how many."""
    row = await StaffUser.select(StaffUser.id).where(StaffUser.username == _check_username(username)).first()
    if row is None:
        raise NotFoundError(N_("no user %(username)s"), username=repr(username))
    async with write_transaction():
        revoked = await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            ApiToken.user == row["id"], ApiToken.name == name, ApiToken.revoked_at.is_null()).returning(ApiToken.id)
    await _audit(actor, "token.revoke", username, name=name, count=len(revoked))
    return len(revoked)


async def staff_for_token(token: str) -> Staff:
    """The account an API token acts for: active, and the token not revoked."""
    if not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError(N_("not an API token"))
    digest = _token_hash(token)
    row = await ApiToken.select(
        ApiToken.id, ApiToken.token_hash, ApiToken.last_used_at, ApiToken.revoked_at, ApiToken.user.active,
        *ApiToken.user.all_columns(exclude=[ApiToken.user.password_hash]),
    ).where(ApiToken.token_hash == digest).first()
    # The lookup is by hash; the comparison again in constant time, against a timing side channel (REQ-32).
    if row is None or not hmac.compare_digest(row["token_hash"], digest) or row["revoked_at"] is not None \
            or not row["user.active"]:
        raise AuthenticationError(N_("unknown or revoked API token"))
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - _aware(row["last_used_at"]) > TOKEN_USE_RESOLUTION:
        async with write_transaction():
            await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return _staff({key.removeprefix("user."): value for key, value in row.items() if key.startswith("user.")})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def active_user(user_id: int) -> Staff | None:
    """The account of a session, while it stays active."""
    row = await StaffUser.select().where(StaffUser.id == user_id, StaffUser.active.eq(True)).first()
    return _staff(row) if row else None
