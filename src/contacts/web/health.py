from __future__ import annotations

from dataclasses import dataclass

from litestar import Response, get

from contacts.db import status


@dataclass
class Health:
    status: str
    database: str


@get("/health", summary="Liveness and database reachability", tags=["system"])
async def health() -> Response[Health]:
    report = await status.health()
    return Response(Health(status=report.status, database=report.database), status_code=200 if report.ok else 503)
