"""partnerhub as an OpenID Connect client (Authlib): the provider's discovery document and keys, the authorization
code request with PKCE (S256), `state` and `nonce`, the code's redemption and the ID token's checks (signature
against the provider's JWKS, `iss`, `aud`, `exp`, `iat`, `nonce`, `at_hash`).

Calls to the provider run in the request's worker thread with a short timeout. The discovery document and the
JWKS, which are public, are kept per issuer for a few minutes; a key id not seen yet fetches the JWKS again once."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from partnerhub.auth.oidc import ProviderCredentials
from partnerhub.errors.sso import SsoProviderUnavailable, SsoTokenInvalid

TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 300.0
LEEWAY_SECONDS = 60  # clocks of the provider and of this server may differ a little
SCOPE = "openid email profile"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep (encrypted, in the browser) until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    userinfo_endpoint: str | None = None


class _PublicCache:
    """Discovery documents and key sets by issuer, for CACHE_SECONDS (public data only: never a secret)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + CACHE_SECONDS, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _PublicCache()


def clear_provider_cache() -> None:
    _cache.clear()


def _client(credentials: ProviderCredentials, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method's name)
        default_timeout=TIMEOUT_SECONDS,
    )


def _get_json(url: str) -> dict[str, Any]:
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS, headers={"Accept": "application/json"})
        answer.raise_for_status()
        body = answer.json()
    except (requests.RequestException, ValueError):
        raise SsoProviderUnavailable() from None
    if not isinstance(body, dict):
        raise SsoProviderUnavailable()
    return body


def provider_metadata(issuer: str) -> ProviderMetadata:
    """The provider's discovery document (cached): its endpoints must be there and its `issuer` must be the
    one configured, as OpenID Connect Discovery requires."""
    cached = _cache.get("metadata:" + issuer)
    if isinstance(cached, ProviderMetadata):
        return cached
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    endpoints = [document.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
    if document.get("issuer") != issuer or not all(isinstance(e, str) and e for e in endpoints):
        raise SsoProviderUnavailable()
    offered = document.get("id_token_signing_alg_values_supported")
    algorithms = tuple(a for a in (offered if isinstance(offered, list) else ["RS256"]) if a in ALGORITHMS)
    userinfo = document.get("userinfo_endpoint")
    metadata = ProviderMetadata(
        issuer,
        str(endpoints[0]),
        str(endpoints[1]),
        str(endpoints[2]),
        algorithms or ("RS256",),
        userinfo if isinstance(userinfo, str) and userinfo else None,
    )
    _cache.put("metadata:" + issuer, metadata)
    return metadata


def _key_set(metadata: ProviderMetadata, *, refresh: bool = False) -> KeySet:
    cached = None if refresh else _cache.get("jwks:" + metadata.jwks_uri)
    document = cached if isinstance(cached, dict) else _get_json(metadata.jwks_uri)
    try:
        keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoProviderUnavailable() from None
    _cache.put("jwks:" + metadata.jwks_uri, document)
    return keys


def authorization_request(
    credentials: ProviderCredentials, *, redirect_uri: str, login_hint: str, locale: str
) -> AuthorizationRequest:
    """The provider's authorization URL for one sign-in: response type `code`, PKCE S256, a fresh `state` and
    `nonce`, the e-mail typed as `login_hint` and the page's language as `ui_locales`."""
    metadata = provider_metadata(credentials.issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    url, _state = _client(credentials, redirect_uri).create_authorization_url(
        metadata.authorization_endpoint,
        state=state,
        code_verifier=verifier,
        nonce=nonce,
        login_hint=login_hint,
        ui_locales=locale,
    )
    return AuthorizationRequest(str(url), state, nonce, verifier)


def redeem_code(
    credentials: ProviderCredentials,
    *,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    nonce: str,
    now: int | None = None,
) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier and the client secret) and return the ID token's claims, once
    every check has passed."""
    metadata = provider_metadata(credentials.issuer)
    client = _client(credentials, redirect_uri)
    try:
        token = client.fetch_token(
            metadata.token_endpoint,
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException:
        raise SsoProviderUnavailable() from None
    except (OAuthError, ValueError):  # the provider refused the code (used, expired, another verifier)
        raise SsoTokenInvalid() from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoTokenInvalid()
    claims = verify_id_token(
        id_token,
        metadata=metadata,
        client_id=credentials.client_id,
        nonce=nonce,
        access_token=token.get("access_token"),
        now=now,
    )
    if "email" not in claims and metadata.userinfo_endpoint:
        claims.update(_userinfo_email(client, metadata.userinfo_endpoint, subject=claims.get("sub")))
    return claims


def _userinfo_email(client: OAuth2Session, endpoint: str, *, subject: object) -> dict[str, Any]:
    """The e-mail claims from the UserInfo endpoint, for providers that keep them out of the ID token. Its `sub`
    must be the ID token's (OpenID Connect Core 5.3.2), or nothing is taken from it."""
    try:
        answer = client.get(endpoint, timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
        info = answer.json()
    except (requests.RequestException, ValueError, OAuthError):
        raise SsoProviderUnavailable() from None
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise SsoTokenInvalid()
    return {k: info[k] for k in ("email", "email_verified", "name") if k in info}


def verify_id_token(
    id_token: str,
    *,
    metadata: ProviderMetadata,
    client_id: str,
    nonce: str,
    access_token: object = None,
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims after its checks: signed by a key of the provider's JWKS with an allowed
    algorithm; `iss` the configured issuer; `aud` this client; not expired; the `nonce` of this sign-in."""
    try:
        try:
            decoded = jwt.decode(id_token, _key_set(metadata), algorithms=list(metadata.algorithms))
        except InvalidKeyIdError:  # the provider rotated its keys since they were cached
            decoded = jwt.decode(id_token, _key_set(metadata, refresh=True), algorithms=list(metadata.algorithms))
        options = {
            "iss": {"essential": True, "value": metadata.issuer},
            "aud": {"essential": True, "value": client_id},
            "exp": {"essential": True},
        }
        params = {"nonce": nonce, "client_id": client_id}
        if isinstance(access_token, str):
            params["access_token"] = access_token
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
        if claims.get("nonce") != nonce:  # always sent, so always required back
            raise SsoTokenInvalid()
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoTokenInvalid() from None
    return dict(claims)


def s256(verifier: str) -> str:
    """The PKCE code challenge of a verifier (RFC 7636 S256): for tests and checks."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
