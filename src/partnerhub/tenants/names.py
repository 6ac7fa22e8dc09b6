"""Domain names as tenants hold them: lower-case, validated (no dependency, so every layer may use it)."""

from __future__ import annotations

import re

from partnerhub.errors import InvalidInput

_DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_domain(domain: str) -> str:
    """Lower-case and validate a DNS domain (e.g. contoso.onmicrosoft.com)."""
    value = domain.strip().lower().rstrip(".")
    if not _DOMAIN_RE.match(value):
        raise InvalidInput(detail=f"'{domain}' is not a valid domain name")
    return value
