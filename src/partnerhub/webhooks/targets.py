"""Unsafe targets: a webhook URL must be https and its host must resolve only to public addresses.

`PARTNERHUB_WEBHOOK_ALLOW_PRIVATE=true` allows plain http and private addresses (loopback, private ranges,
link-local), for sandboxes and tests. Any other scheme is refused whatever the setting, and so are the
cloud-metadata addresses. The check runs when a URL is registered and again for every connection
(`delivery.py` connects only to an address it has just checked), so a DNS change cannot slip past it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from partnerhub.errors.webhooks import (
    WebhookUrlMalformed,
    WebhookUrlNotHttps,
    WebhookUrlScheme,
    WebhookUrlUnresolvable,
    WebhookUrlUnsafeAddress,
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port → the addresses it resolves to (the outside world: tests pass their own)
Resolver = Callable[[str, int], list[str]]

# Instance metadata services of the big clouds: refused even where private addresses are allowed.
CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "169.254.169.253", "100.100.100.200", "fd00:ec2::254")
)
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"})


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses, as the operating system resolves them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def unsafe_reason(address: str, *, allow_private: bool) -> str | None:
    """Why this address must not be connected to, or None when it may."""
    ip: Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in CLOUD_METADATA:
        return "cloud-metadata address"
    if allow_private:
        return None if not (ip.is_multicast or ip.is_unspecified) else "not a unicast address"
    if ip.is_loopback:
        return "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_private:
        return "private address"
    if not ip.is_global or ip.is_multicast:
        return "not a public address"
    return None


def parse_target(url: str, *, allow_private: bool) -> SplitResult:
    """The URL's parts, if its form is acceptable: http(s) only, https unless private targets are allowed."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (a bad port raises here)
    except ValueError:
        raise WebhookUrlMalformed() from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        if not scheme:
            raise WebhookUrlMalformed()
        raise WebhookUrlScheme(scheme=scheme)
    if not parts.hostname:
        raise WebhookUrlMalformed()
    if scheme == "http" and not allow_private:
        raise WebhookUrlNotHttps()
    return parts


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme.lower() == "https" else 80)


def check_url(url: str, *, allow_private: bool, resolve: Resolver = system_resolver) -> str:
    """The URL, stripped, if it may be registered: its form (`parse_target`) and every address its host
    resolves to now (`unsafe_reason`). Raises the InvalidInput saying why not."""
    parts = parse_target(url, allow_private=allow_private)
    host = parts.hostname or ""
    if host.lower().rstrip(".") in METADATA_NAMES:
        raise WebhookUrlUnsafeAddress(host=host, address=host)
    try:
        addresses = resolve(host, default_port(parts))
    except (OSError, UnicodeError):
        raise WebhookUrlUnresolvable(host=host) from None
    if not addresses:
        raise WebhookUrlUnresolvable(host=host)
    for address in addresses:
        if unsafe_reason(address, allow_private=allow_private):
            raise WebhookUrlUnsafeAddress(host=host, address=address)
    return url.strip()
