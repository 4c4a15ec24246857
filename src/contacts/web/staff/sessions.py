"""The staff session cookie: only ids the server issued, a new one at sign-in, and rows only for sign-ins (REQ-24).

Litestar's server-side sessions adopt whatever id the browser sends and store a row for every visitor. Here
the cookie's id is used only while the store knows it: an id the server never issued (or one that expired)
is dropped, and anything worth keeping goes under a fresh id. Signing in (`renew_session_id`) moves the
session to a new id and deletes the old one, so an id learnt or planted before sign-in is worth nothing;
signing out deletes it. A session is stored only when it holds something, so anonymous visitors write
nothing (the CSRF token lives in its own cookie), and it is written back only when it changed.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

# Kept in the request's scope state between loading the session and answering.
_KNOWN_ID = "contacts.staff_session.id"  # the cookie's id, when the store knows it
_LOADED = "contacts.staff_session.loaded"  # the session as loaded, to skip writing it back unchanged
_RENEW = "contacts.staff_session.renew"


def renew_session_id(connection: ASGIConnection) -> None:
    """The session goes under a new id when this request answers; the old id is deleted."""
    connection.scope.setdefault("state", {})[_RENEW] = True


def _state(connection: ASGIConnection) -> dict[str, Any]:
    return connection.scope.setdefault("state", {})


class StaffSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if session_id:
            data = await self.get(session_id, store=self.config.get_store_from_app(connection.scope["app"]))
            if data is not None:
                _state(connection).update({_KNOWN_ID: session_id, _LOADED: data})
                return self.deserialize_data(data)
        return {}

    # None where Litestar's returns the cookie or a new id: no id until there is something to keep.
    def get_session_id(self, connection: ASGIConnection) -> str | None:  # type: ignore[override]
        """The id the store knows, never the cookie as sent: an id is issued when there is something to keep."""
        return _state(connection).get(_KNOWN_ID)

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        state, store = _state(connection), self.config.get_store_from_app(connection.scope["app"])
        known, renew = state.get(_KNOWN_ID), state.get(_RENEW, False)
        keep = scope_session is not Empty and bool(scope_session)
        if known and (renew or not keep):
            await self.delete(known, store=store)
        headers = MutableScopeHeaders.from_message(message)
        if not keep:
            if connection.cookies.get(self.config.key):  # the browser forgets an ended or unknown id
                headers.add("Set-Cookie", self._cookie("", max_age=0, expires=0))
            return
        data = self.serialize_data(scope_session, connection.scope)
        if known and not renew:
            session_id = known
            if data != state.get(_LOADED):
                await self.set(session_id, data, store=store)
        else:
            session_id = self.generate_session_id()
            await self.set(session_id, data, store=store)
        headers.add("Set-Cookie", self._cookie(session_id))  # sent again to keep the cookie's max-age going

    def _cookie(self, value: str, **extra: Any) -> str:
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        return Cookie(value=value, key=self.config.key, **{**params, **extra}).to_header(header="")


class StaffSessionConfig(ServerSideSessionConfig):
    _backend_class = StaffSessionBackend
