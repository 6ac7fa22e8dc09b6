"""Password hashing with argon2id."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A hash of a random password nobody knows, made with the same parameters as every other hash: an unknown
# e-mail is verified against it, so a sign-in costs the same whether the e-mail exists or not (F6).
_dummy_hash: str | None = None


def use_fast_hashing_for_tests() -> None:
    """Cheap argon2 parameters: for test suites only, where thousands of users are created."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _dummy_hash = None


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


def verify_against_dummy(password: str) -> bool:
    """Spend what a real verification spends, for a user who does not exist; always False."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(24))
    verify_password(_dummy_hash, password)
    return False


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False
