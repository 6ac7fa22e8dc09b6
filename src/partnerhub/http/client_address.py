"""Who the client is: the connection's peer, unless that peer is a reverse proxy that PARTNERHUB_TRUSTED_PROXIES
names; then the address the proxy says it serves (X-Forwarded-For) and the scheme it was reached by
(X-Forwarded-Proto). By default no proxy is trusted, whatever server runs the app: uvicorn on its own would
believe the headers from 127.0.0.1, so any local process could choose its address (and dodge the sign-in
limit counted per address)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [IPv6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(host: str | None, proxies: Sequence[Network]) -> bool:
    found = _address(host) if host else None
    return found is not None and any(found in network for network in proxies)


def client_of(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The client's address as seen by the trusted proxy `peer`: walking X-Forwarded-For from the right (each
    proxy appends the address it saw), the first address that is not a trusted proxy. What the client wrote
    itself, to the left, is never reached. An entry that is not an address stops the walk at the last proxy."""
    last = peer
    for entry in reversed([e for e in forwarded_for.split(",") if e.strip()]):
        found = _address(entry)
        if found is None:
            return last
        if not any(found in network for network in proxies):
            return str(found)
        last = str(found)
    return last


class TrustedProxies:
    """ASGI middleware, outermost: rewrites the scope's client and scheme for requests from a trusted proxy."""

    def __init__(self, app: Any, *, proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = list(proxies)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        peer = scope.get("client")
        if scope["type"] in ("http", "websocket") and peer and is_trusted(peer[0], self.proxies):
            forwarded = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
            proto = [v.decode("latin-1").strip().lower() for k, v in scope["headers"] if k == b"x-forwarded-proto"]
            scope = dict(scope)
            if forwarded:
                scope["client"] = (client_of(peer[0], ",".join(forwarded), self.proxies), 0)
            if proto and proto[-1] in ("http", "https"):
                scheme = proto[-1]
                scope["scheme"] = scheme.replace("http", "ws") if scope["type"] == "websocket" else scheme
        await self.app(scope, receive, send)
