"""The only generator of identifiers: GUIDs for resources, random codes for links."""

from __future__ import annotations

import secrets
import uuid


def new_id() -> str:
    """A new lower-case GUID, as Partner Center shows ids."""
    return str(uuid.uuid4())


def normalize_id(value: str) -> str:
    """An id as it is stored: GUIDs are lower-case, and what a user pastes may carry spaces or capitals.
    Every id a door receives goes through here once, at the service that takes it."""
    return value.strip().lower()


def new_code(nbytes: int = 18) -> str:
    """An unguessable URL-safe code for single-use links. It starts with a letter or a digit: a code that
    began with "-" would be read as an option when pasted on a command line (`invitations accept CODE`)."""
    while True:
        code = secrets.token_urlsafe(nbytes)
        if code[0].isalnum():
            return code


def new_mpn_id() -> str:
    """A 7-digit partner network id (MPN id / PartnerIdOnRecord)."""
    return str(secrets.randbelow(9_000_000) + 1_000_000)


def new_password() -> str:
    """A random one-time password: 16 characters from letters, digits and a few symbols."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!$%*+-=?"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(16))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw
