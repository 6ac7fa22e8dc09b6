"""Secrets the database keeps but must not reveal on its own (an identity provider's client secret, a webhook
endpoint's signing secret): AES-256-GCM under a key derived from the instance's secret key.

A dump of the database alone does not reveal them; the secret key (PARTNERHUB_SECRET_KEY or the generated
`secret_key` file) is needed too. Each purpose derives its own key, so a ciphertext of one purpose cannot be
passed off as another's. The stored text is `v1.` + urlsafe base64 of nonce ‖ ciphertext ‖ tag."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted: another secret key, another purpose, or tampered text."""


def _key(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode(), f"partnerhub:{purpose}".encode(), hashlib.sha256).digest()


def encrypt(secret_key: str, purpose: str, plaintext: str) -> str:
    """Encrypt `plaintext` for `purpose` (e.g. "oidc-client-secret") under the instance's secret key."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret_key, purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(secret_key: str, purpose: str, stored: str) -> str:
    """The plaintext of what `encrypt` stored; SecretUnreadable if the key, the purpose or the text is wrong."""
    version, _, body = stored.partition(".")
    if version != VERSION or not body:
        raise SecretUnreadable("unknown secret format")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        return AESGCM(_key(secret_key, purpose)).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise SecretUnreadable("the secret cannot be decrypted with this instance's secret key") from exc
