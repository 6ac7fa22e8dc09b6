"""Unsafe targets: https only, no loopback, private, link-local or cloud-metadata address; the one operator
setting allows plain http and private addresses (never another scheme, never cloud metadata); the address
is checked again at connect time, so a DNS change cannot slip past the registration's check."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from partnerhub.db import transaction
from partnerhub.errors import DomainError
from partnerhub.webhooks.service import WebhookConfig
from partnerhub.webhooks.targets import check_url
from tests.factories import make_customer
from tests.webhooks.helpers import attempts, deliveries, dispatch, subscribe
from tests.webhooks.receiver import Receiver


def dns(*addresses: str):  # type: ignore[no-untyped-def]
    """The outside world's DNS, faked: every name resolves to `addresses`."""
    return lambda host, port: list(addresses)


def refusal(url: str, *, allow_private: bool = False, addresses: tuple[str, ...] = ("93.184.216.34",)) -> int | None:
    try:
        check_url(url, allow_private=allow_private, resolve=dns(*addresses))
    except DomainError as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example/x",
        "file:///etc/passwd",
        "gopher://hooks.example/",
        "javascript:alert(1)",
        "ws://hooks.example/",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_any_other_scheme_is_refused_whatever_the_setting(url: str, allow_private: bool) -> None:
    assert refusal(url, allow_private=allow_private) == 800706


def test_plain_http_only_where_private_targets_are_allowed() -> None:
    assert refusal("http://hooks.example/x") == 800707
    assert refusal("http://hooks.example/x", allow_private=True) is None
    assert refusal("https://hooks.example/x") is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.8.8",
        "::1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "fd00::1",
        "169.254.10.10",
        "fe80::1",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, nothing binds to it)
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
        "169.254.169.254",
    ],
)
def test_hosts_resolving_to_unsafe_addresses_are_refused(address: str) -> None:
    assert refusal("https://hooks.example/x", addresses=(address,)) == 800708
    assert refusal("https://hooks.example/x", addresses=("93.184.216.34", address)) == 800708  # any one is enough


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.1.1", "fe80::1"])
def test_the_setting_allows_private_addresses(address: str) -> None:
    assert refusal("http://hooks.internal/x", allow_private=True, addresses=(address,)) is None


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2"])
def test_cloud_metadata_is_refused_even_where_private_addresses_are_allowed(address: str) -> None:
    assert refusal("http://hooks.internal/x", allow_private=True, addresses=(address,)) == 800708


def test_metadata_host_names_are_refused() -> None:
    assert refusal("http://metadata.google.internal/computeMetadata/v1/", allow_private=True) == 800708


def test_unresolvable_and_malformed_urls_are_refused() -> None:
    assert refusal("https://nowhere.example/x", addresses=()) == 800709
    for bad in ("not a url", "https://", "https://hooks.example:99999/x", "//hooks.example/x"):
        assert refusal(bad) == 800710, bad


def test_a_dns_change_after_registration_is_caught_at_connect_time(connection: Connection, receiver: Receiver) -> None:
    port = receiver.server.server_address[1]
    public = WebhookConfig("test", allow_private=False, resolve=dns("93.184.216.34"))
    sub = subscribe(connection, f"https://hooks.example:{port}/x", ["customer-created"], config=public)
    with transaction(connection) as session:
        make_customer(session, sub.world.admin)
    rebound = WebhookConfig("test", allow_private=False, resolve=dns("127.0.0.1"))  # now points at the receiver
    dispatch(connection, rebound)
    [d] = deliveries(connection, sub.endpoint_id)
    [a] = attempts(connection, d.id)
    assert a.status_code is None and "unsafe target" in (a.error or "") and "loopback" in (a.error or "")
    assert receiver.requests == []  # nothing was sent


def test_metadata_behind_a_dns_change_is_caught_even_where_private_addresses_are_allowed(
    connection: Connection, receiver: Receiver
) -> None:
    sub = subscribe(
        connection,
        "http://hooks.internal/x",
        ["customer-created"],
        config=WebhookConfig("test", allow_private=True, resolve=dns("10.0.0.7")),
    )
    with transaction(connection) as session:
        make_customer(session, sub.world.admin)
    dispatch(connection, WebhookConfig("test", allow_private=True, resolve=dns("169.254.169.254")))
    [d] = deliveries(connection, sub.endpoint_id)
    assert "cloud-metadata" in (attempts(connection, d.id)[0].error or "")
