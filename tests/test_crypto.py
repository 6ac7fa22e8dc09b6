"""Secrets kept in the database are unreadable without the instance's secret key."""

from __future__ import annotations

import pytest

from partnerhub.crypto import SecretUnreadable, decrypt, encrypt


def test_a_secret_comes_back_only_with_the_same_key_and_purpose() -> None:
    stored = encrypt("instance-key", "oidc-client-secret", "s3cr3t")
    assert "s3cr3t" not in stored and stored.startswith("v1.")
    assert decrypt("instance-key", "oidc-client-secret", stored) == "s3cr3t"
    with pytest.raises(SecretUnreadable):
        decrypt("another-key", "oidc-client-secret", stored)
    with pytest.raises(SecretUnreadable):
        decrypt("instance-key", "webhook-signing-secret", stored)


def test_two_encryptions_of_one_secret_differ_and_tampering_is_refused() -> None:
    a, b = encrypt("k", "p", "same"), encrypt("k", "p", "same")
    assert a != b
    tampered = a[:-4] + ("AAAA" if not a.endswith("AAAA") else "BBBB")
    with pytest.raises(SecretUnreadable):
        decrypt("k", "p", tampered)
    with pytest.raises(SecretUnreadable):
        decrypt("k", "p", "v0.whatever")
