"""Signing secrets and Standard Webhooks 1.0 signatures.

A secret is `whsec_` + the base64 of 32 random bytes, shown once; the database keeps it encrypted under the
instance's secret key (`partnerhub.crypto`). A signature is `v1,` + the base64 HMAC-SHA256 of
`{webhook-id}.{webhook-timestamp}.{body}` under the secret's bytes; during a rotation the header carries
one signature per secret, separated by a space."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from partnerhub.crypto import decrypt, encrypt

PREFIX = "whsec_"
PURPOSE = "webhook-signing-secret"


def new_secret() -> str:
    return PREFIX + base64.b64encode(os.urandom(32)).decode()


def seal(secret_key: str, secret: str) -> str:
    return encrypt(secret_key, PURPOSE, secret)


def unseal(secret_key: str, stored: str) -> str:
    return decrypt(secret_key, PURPOSE, stored)


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: every given secret signs."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets),
    }
