"""F11: the per-address sign-in limit counts the client's address. X-Forwarded-For (and X-Forwarded-Proto) are
believed only from a peer that PARTNERHUB_TRUSTED_PROXIES names; by default from nobody, whatever serves the
app (`partnerhub serve`, another ASGI server, a test client)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from partnerhub.settings import Settings
from tests.web.conftest import Browser, Site

LIMIT = 2


def _attempts(browser: Browser, forwarded_for: list[str]) -> list[int]:
    """One sign-in attempt per X-Forwarded-For value, each at another unknown e-mail (only the per-address
    limit can refuse them)."""
    browser.get("/signin")
    statuses = []
    for n, value in enumerate(forwarded_for):
        browser.client.headers["X-Forwarded-For"] = value
        statuses.append(browser.post("/signin", {"email": f"u{n}@spray.example", "password": "guess"}).status_code)
    return statuses


ROTATING = [f"203.0.113.{n}" for n in range(1, 5)]


def test_by_default_a_forged_header_does_not_dodge_the_limit(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT)
    assert _attempts(site.browser(address="127.0.0.1"), ROTATING) == [400, 400, 429, 429]


def test_a_trusted_proxy_gives_each_client_its_own_count(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT, trusted_proxies="10.0.0.0/8, 192.0.2.1")
    assert _attempts(site.browser(address="10.1.2.3"), ROTATING) == [400] * 4
    assert _attempts(site.browser(address="192.0.2.1"), [f"198.51.100.{n}" for n in range(4)]) == [400] * 4


def test_a_peer_that_is_not_a_trusted_proxy_is_not_believed(make_site: Callable[..., Site]) -> None:
    site = make_site(sign_in_attempts_per_minute=LIMIT, trusted_proxies="10.0.0.0/8")
    assert _attempts(site.browser(address="198.51.100.7"), ROTATING) == [400, 400, 429, 429]


def test_entries_a_client_puts_before_the_proxys_own_are_not_believed(make_site: Callable[..., Site]) -> None:
    """The proxy appends the address it saw; what the client wrote before it is the client's word. Behind two
    trusted proxies, the client is the rightmost address that is not a trusted proxy."""
    site = make_site(sign_in_attempts_per_minute=LIMIT, trusted_proxies="10.0.0.0/8")
    forged = [f"{address}, 198.51.100.9, 10.0.0.5" for address in ROTATING]
    assert _attempts(site.browser(address="10.0.0.6"), forged) == [400, 400, 429, 429]


def test_the_scheme_is_believed_only_from_a_trusted_proxy(make_site: Callable[..., Site]) -> None:
    """Behind a TLS-terminating proxy the cookies are Secure; a client cannot claim https on its own."""
    site = make_site(trusted_proxies="10.0.0.1")
    behind = site.browser(address="10.0.0.1")
    behind.client.headers["X-Forwarded-Proto"] = "https"
    direct = site.browser(address="198.51.100.7")
    direct.client.headers["X-Forwarded-Proto"] = "https"
    assert "secure" in behind.get("/signin").headers["set-cookie"].lower()
    assert "secure" not in direct.get("/signin").headers["set-cookie"].lower()


@pytest.mark.parametrize("value", ["localhost", "10.0.0.0/33", "300.1.1.1", "*"])
def test_a_setting_that_names_no_address_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValidationError, match="PARTNERHUB_TRUSTED_PROXIES"):
        Settings(trusted_proxies=value)


def test_the_setting_reads_addresses_and_networks() -> None:
    networks = Settings(trusted_proxies=" 127.0.0.1, 10.0.0.0/8 ,::1").trusted_proxy_networks
    assert [str(n) for n in networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert Settings().trusted_proxy_networks == []


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("10.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.1", "203.0.113.5:4711", "203.0.113.5"),  # a port is not part of the address
        ("10.0.0.1", "[2001:db8::7]:443, 10.0.0.2", "2001:db8::7"),
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # only proxies: the first of them
        ("10.0.0.1", "203.0.113.5, unknown", "10.0.0.1"),  # the proxy wrote no address: the proxy it is
    ],
)
def test_the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy(peer: str, header: str, client: str) -> None:
    from partnerhub.http.client_address import client_of

    assert client_of(peer, header, Settings(trusted_proxies="10.0.0.0/8").trusted_proxy_networks) == client
