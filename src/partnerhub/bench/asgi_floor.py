"""The HTTP floor: a bare ASGI app (no framework) that authenticates the bearer token and runs the floors'
hand-written SQL for the benchmarked endpoints, served by uvicorn exactly like `partnerhub serve`.

Configured by PARTNERHUB_BENCH_FLOOR_BACKEND (sqlite | postgresql) and PARTNERHUB_BENCH_FLOOR_TARGET (a
SQLite path or a libpq URL). Database calls run in a thread pool, as FastAPI runs sync endpoints."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

from partnerhub.bench.floors import Floors
from partnerhub.bench.rawdb import RawDb
from partnerhub.clock import utc_now

_local = threading.local()
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="floor")
AUTH = (
    "SELECT u.id, u.email, u.tenant_id FROM api_tokens a JOIN users u ON u.id = a.user_id "
    "JOIN tenants t ON t.id = u.tenant_id WHERE a.token_hash = ? AND a.revoked_at IS NULL "
    "AND a.expires_at > ? AND u.is_active = ? AND t.kind = 'partner'"
)
CUSTOMER_KEYS = (
    "id",
    "companyName",
    "companyNameKey",
    "domain",
    "organizationRegistrationNumber",
    "firstName",
    "lastName",
    "email",
    "culture",
    "language",
    "billingCompanyName",
    "addressLine1",
    "city",
    "state",
    "postalCode",
    "country",
    "phoneNumber",
    "createdAt",
    "version",
)
SUB_KEYS = (
    "id",
    "customerId",
    "partnerId",
    "resellerPartnerId",
    "orderId",
    "offerId",
    "offerName",
    "kind",
    "friendlyName",
    "quantity",
    "unitType",
    "status",
    "autoRenewEnabled",
    "billingCycle",
    "termDuration",
    "parentSubscriptionId",
    "suspensionReasons",
    "supportContactId",
    "creationDate",
    "commitmentEndDate",
    "version",
)


def _db() -> RawDb:
    db: RawDb | None = getattr(_local, "db", None)
    if db is None:
        db = RawDb(os.environ["PARTNERHUB_BENCH_FLOOR_BACKEND"], os.environ["PARTNERHUB_BENCH_FLOOR_TARGET"])
        _local.db = db
    return db


def _floors(token: str) -> Floors | None:
    db = _db()
    digest = hashlib.sha256(token.encode()).hexdigest()
    with db.tx(write=False):
        rows = db.q(AUTH, (digest, db.time(utc_now()), True))
    if not rows:
        return None
    return Floors(db, partner_id=str(rows[0][2]), user_id=str(rows[0][0]), email=str(rows[0][1]))


def _obj(keys: tuple[str, ...], row: tuple[Any, ...], kind: str) -> dict[str, Any]:
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, row, strict=False)}
    out["attributes"] = {"etag": f"{row[0]}:{row[-1]}", "objectType": kind}
    return out


def _collection(items: list[dict[str, Any]], size: int) -> dict[str, Any]:
    return {
        "totalCount": min(len(items), size),
        "items": items[:size],
        "links": {"self": {"uri": "", "method": "GET"}},
        "attributes": {"objectType": "Collection"},
    }


def handle(method: str, path: str, query: bytes, token: str, body: bytes) -> tuple[int, Any]:
    """Route one request to its SQL; returns the status and the JSON body."""
    floors = _floors(token)
    if floors is None:
        return 401, {"code": 401, "description": "unauthenticated"}
    parts = path.strip("/").split("/")
    if parts[:2] != ["v1", "customers"]:
        return 404, {"code": 404}
    if method == "GET" and len(parts) == 2:
        size = int(parse_qs(query.decode()).get("size", ["100"])[0])
        rows = floors.list_customers(size)
        return 200, _collection([_obj(CUSTOMER_KEYS, r[:19], "Customer") for r in rows], size)
    if method == "GET" and len(parts) == 3:
        return 200, _obj(CUSTOMER_KEYS, floors.get_customer(parts[2]), "Customer")
    if method == "GET" and len(parts) == 4 and parts[3] == "subscriptions":
        rows = floors.list_subscriptions(parts[2])
        return 200, _collection([_obj(SUB_KEYS, r, "Subscription") for r in rows], 100)
    if method == "PATCH" and len(parts) == 5 and parts[3] == "subscriptions":
        target = str(json.loads(body or b"{}").get("status", "suspended"))
        return 200, _obj(SUB_KEYS, floors.change_status(parts[2], parts[4], target), "Subscription")
    return 404, {"code": 404}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI entry point."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    token = ""
    for key, value in scope["headers"]:
        if key == b"authorization":
            token = value.decode("latin-1").partition(" ")[2].strip()
    if scope["path"] == "/healthz":
        status, payload = 200, {"status": "ok"}
    else:
        loop = asyncio.get_running_loop()
        status, payload = await loop.run_in_executor(
            _pool, handle, scope["method"], scope["path"], scope["query_string"], token, body
        )
    data = json.dumps(payload, default=str).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})
