"""The test identity provider: npm's `oidc-provider` (pinned in tests/oidc/package-lock.json, installed by
`make install-dev` with `npm ci --prefix tests/oidc`) run by `provider.mjs` on a free port of 127.0.0.1, and a
person at its development login and consent forms (httpx, a cookie jar of its own).

Without node or the installed package, off CI the tests that need it are skipped loudly; under CI=true they
fail."""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx2
import pytest

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
INSTALLED = (HERE / "node_modules" / "oidc-provider" / "package.json").exists()
IN_CI = os.environ.get("CI", "").lower() == "true"
CLIENT_ID = "partnerhub"
CLIENT_SECRET = "partnerhub-test-secret"
# The accounts of provider.mjs
ANNA = "anna@tailspin.example"  # verified e-mail, signs in with a password at the provider
MARCO = "marco@tailspin.example"  # verified e-mail, the provider reports multi-factor ("mfa" in amr)
BEN = "ben@tailspin.example"  # e-mail NOT verified
GHOST = "ghost@tailspin.example"  # verified, but no such partnerhub user
NADIA = "nadia@wingtip.example"  # verified, a user of another tenant
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def unavailable() -> str | None:
    """Why the provider cannot run here, or None."""
    if NODE is None:
        return "node NOT FOUND (install Debian's nodejs and npm, then `make install-dev`)"
    if not INSTALLED:
        return "oidc-provider NOT INSTALLED (run `npm ci --prefix tests/oidc`, part of `make install-dev`)"
    return None


def require_provider() -> None:
    """Skip loudly off CI, fail under CI=true."""
    reason = unavailable()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason}: under CI=true the single sign-on tests fail")
    pytest.skip(f"{reason}: single sign-on tests SKIPPED")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_provider(*redirect_uris: str) -> Iterator[Provider]:
    """Start provider.mjs, wait for its discovery document (20 s at most), stop it at the end."""
    require_provider()
    assert NODE is not None
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [NODE, str(HERE / "provider.mjs"), str(port), *redirect_uris],
        cwd=HERE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx2.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode() if process.stderr and process.poll() is not None else ""
                pytest.fail(f"the test OpenID provider did not start: {err[-2000:]}")
            time.sleep(0.05)
        yield Provider(issuer, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@dataclass
class PersonAtProvider:
    """Someone at the provider's pages with their own browser (cookie jar): signs in and consents."""

    client: httpx2.Client

    def sign_in(self, authorization_url: str, login: str, *, consent: bool = True) -> str:
        """Follow the authorization URL through the login and consent forms; return where the provider sends
        the browser back (the callback URL with its code and state)."""
        answer = self.client.get(authorization_url)
        for _ in range(10):
            if answer.is_redirect:
                location = urljoin(str(answer.url), answer.headers["location"])
                if httpx2.URL(location).netloc != answer.url.netloc:
                    return location  # leaving the provider: back to partnerhub
                answer = self.client.get(location)
                continue
            assert answer.status_code == 200, answer.text[:2000]
            action, body = self._form(answer.text)
            fields = dict(HIDDEN.findall(body))
            if fields.get("prompt") == "login":
                fields.update({"login": login, "password": "any password"})
            elif fields.get("prompt") == "consent" and not consent:
                answer = self.client.get(urljoin(str(answer.url), action.rstrip("/") + "/abort"))
                continue
            answer = self.client.post(urljoin(str(answer.url), action), data=fields)
        raise AssertionError("the provider never sent the browser back")

    @staticmethod
    def _form(page: str) -> tuple[str, str]:
        found = FORM.search(page)
        assert found, page[:2000]
        return html.unescape(found.group(1)), found.group(2)


@contextmanager
def person_at_provider() -> Iterator[PersonAtProvider]:
    with httpx2.Client(follow_redirects=False, timeout=10) as client:
        yield PersonAtProvider(client)
