"""The OpenID Connect client's checks, on ID tokens issued by the real test provider: a token passes only with
the provider's signature, its issuer, this client as audience, before it expires, and with this sign-in's
nonce; a tampered token, another audience, another issuer, a late token or another nonce is refused."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from partnerhub.auth.oidc import ProviderCredentials
from partnerhub.auth.oidc_client import (
    authorization_request,
    clear_provider_cache,
    provider_metadata,
    redeem_code,
    verify_id_token,
)
from partnerhub.errors.sso import SsoProviderUnavailable, SsoTokenInvalid
from tests.oidc.provider import ANNA, CLIENT_ID, CLIENT_SECRET, Provider, person_at_provider
from tests.web.sso_world import CALLBACK, oidc_provider

__all__ = ["oidc_provider"]


def _id_token(provider: Provider) -> tuple[str, str]:
    """A fresh ID token for Anna, and the nonce it was asked with (the raw token, before any check)."""
    credentials = ProviderCredentials(provider.issuer, CLIENT_ID, CLIENT_SECRET)
    request = authorization_request(credentials, redirect_uri=CALLBACK, login_hint=ANNA, locale="en")
    with person_at_provider() as person:
        callback = person.sign_in(request.url, ANNA)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    from authlib.integrations.requests_client import OAuth2Session

    client = OAuth2Session(CLIENT_ID, CLIENT_SECRET, redirect_uri=CALLBACK)
    token = client.fetch_token(
        provider_metadata(provider.issuer).token_endpoint,
        grant_type="authorization_code",
        code=code,
        code_verifier=request.code_verifier,
        timeout=5,
    )
    return str(token["id_token"]), request.nonce


def _with_claims(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_a_genuine_token_passes_and_every_forgery_or_mismatch_is_refused(oidc_provider: Provider) -> None:
    metadata = provider_metadata(oidc_provider.issuer)
    token, nonce = _id_token(oidc_provider)
    claims = verify_id_token(token, metadata=metadata, client_id=CLIENT_ID, nonce=nonce)
    assert claims["sub"] == ANNA and claims["iss"] == oidc_provider.issuer

    refused = {
        "another nonce": lambda: verify_id_token(token, metadata=metadata, client_id=CLIENT_ID, nonce="other"),
        "another audience": lambda: verify_id_token(token, metadata=metadata, client_id="someone-else", nonce=nonce),
        "another issuer": lambda: verify_id_token(
            token, metadata=replace(metadata, issuer="https://evil.example"), client_id=CLIENT_ID, nonce=nonce
        ),
        "expired": lambda: verify_id_token(
            token, metadata=metadata, client_id=CLIENT_ID, nonce=nonce, now=int(claims["exp"]) + 3600
        ),
        "tampered": lambda: verify_id_token(
            _with_claims(token, email="boss@wingtip.example"), metadata=metadata, client_id=CLIENT_ID, nonce=nonce
        ),
        "unsigned": lambda: verify_id_token(
            base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=") + "." + token.split(".")[1] + ".",
            metadata=metadata,
            client_id=CLIENT_ID,
            nonce=nonce,
        ),
    }
    for name, attempt in refused.items():
        with pytest.raises(SsoTokenInvalid):
            attempt()
            pytest.fail(f"accepted: {name}")


def test_a_code_is_redeemed_once_and_only_with_its_verifier(oidc_provider: Provider) -> None:
    credentials = ProviderCredentials(oidc_provider.issuer, CLIENT_ID, CLIENT_SECRET)
    request = authorization_request(credentials, redirect_uri=CALLBACK, login_hint=ANNA, locale="it")
    assert parse_qs(urlsplit(request.url).query)["ui_locales"] == ["it"]
    with person_at_provider() as person:
        code = parse_qs(urlsplit(person.sign_in(request.url, ANNA)).query)["code"][0]
    with pytest.raises(SsoTokenInvalid):  # another verifier: PKCE refuses (and the code is spent)
        redeem_code(credentials, redirect_uri=CALLBACK, code=code, code_verifier="x" * 50, nonce=request.nonce)
    request = authorization_request(credentials, redirect_uri=CALLBACK, login_hint=ANNA, locale="en")
    with person_at_provider() as person:
        code = parse_qs(urlsplit(person.sign_in(request.url, ANNA)).query)["code"][0]
    claims = redeem_code(
        credentials, redirect_uri=CALLBACK, code=code, code_verifier=request.code_verifier, nonce=request.nonce
    )
    assert claims["email"] == ANNA and claims["email_verified"] is True
    with pytest.raises(SsoTokenInvalid):  # the same code twice
        redeem_code(
            credentials, redirect_uri=CALLBACK, code=code, code_verifier=request.code_verifier, nonce=request.nonce
        )
    wrong_secret = replace(credentials, client_secret="not-the-secret")
    with pytest.raises(SsoTokenInvalid):
        redeem_code(
            wrong_secret, redirect_uri=CALLBACK, code=code, code_verifier=request.code_verifier, nonce=request.nonce
        )


def test_a_provider_that_does_not_answer_is_unavailable() -> None:
    clear_provider_cache()
    with pytest.raises(SsoProviderUnavailable):
        provider_metadata("http://127.0.0.1:9")  # the discard port: nothing listens there
