"""Settings: every PARTNERHUB_* variable, read once and passed down (no import-time I/O)."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("partnerhub", appauthor=False))


class Settings(BaseSettings):
    """Configuration of one partnerhub process."""

    model_config = SettingsConfigDict(env_prefix="PARTNERHUB_", extra="ignore")

    data_dir: Path = default_data_dir()
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    invitation_days: int = 90
    token_days: int = 90
    job_lease_seconds: int = 60
    redis_url: str = ""
    rate_limit_per_minute: int = 6000  # API requests per tenant per minute (Partner Center allows ~500)
    max_request_bytes: int = 1024 * 1024  # larger request bodies (API and web forms) are refused with 413
    log_format: Literal["text", "json"] = "text"  # one request log line per request: readable text or JSON lines
    session_idle_minutes: int = 60  # a web session ends after this long without a request...
    session_max_hours: int = 12  # ...and this long after sign-in, whatever happens
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses or
    # networks, e.g. "127.0.0.1,10.0.0.0/8"); empty: none, the client address is the socket's peer.
    trusted_proxies: str = ""
    sign_in_attempts_per_minute: int = 10  # per e-mail address and per client address; more are refused
    public_url: str = ""  # the base of webhook bodies' ResourceUri and AuditUri (else the serving address)
    serving_url: str = ""  # set by `partnerhub serve` for its worker processes: the address it listens on
    run_worker: bool = True  # the server runs jobs, the scheduler and the webhook dispatcher (serve --no-worker)
    webhook_allow_private: bool = False  # webhook URLs may be plain http and reach private addresses
    webhook_retention_days: int = 30  # delivered outbox events and finished deliveries are purged after this
    webhook_lease_seconds: int = 30  # a dispatcher that died mid-send: its delivery is sent again after this
    # Outgoing mail (GDAP expiry warnings, invitations): smtp://user:pass@host:587?starttls=true or
    # smtps://user:pass@host:465; empty: no mail is sent (warnings still show on the dashboard).
    smtp_url: str = ""
    mail_from: str = "partnerhub@localhost"  # the From address of every mail

    @property
    def resolved_public_url(self) -> str:
        """The base of absolute API URLs in webhook bodies: PARTNERHUB_PUBLIC_URL, else the serving address."""
        return (self.public_url or self.serving_url or self.base_url).rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _names_addresses(cls, value: str) -> str:
        """A typo must not start a server that trusts no proxy, or the wrong one: every entry is an address."""
        for entry in _entries(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"PARTNERHUB_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
        return value

    @property
    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """PARTNERHUB_TRUSTED_PROXIES as networks (an address is a network of one)."""
        return [ipaddress.ip_network(entry, strict=False) for entry in _entries(self.trusted_proxies)]

    @property
    def resolved_database_url(self) -> str:
        """The database to use: PARTNERHUB_DATABASE_URL, else a SQLite file in the data directory."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.data_dir / 'partnerhub.db'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """PARTNERHUB_SECRET_KEY, else a key generated once into the data directory (survives restarts)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(key)
        tmp.chmod(0o600)
        # Two processes starting at once: the first rename wins, the other keeps the winner's key.
        with contextlib.suppress(OSError):
            tmp.rename(path) if not path.exists() else tmp.unlink()
        return path.read_text().strip()


def _entries(value: str) -> list[str]:
    return [entry.strip() for entry in value.split(",") if entry.strip()]
