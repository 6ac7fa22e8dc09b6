"""SMTP: where mail goes (`PARTNERHUB_SMTP_URL`, e.g. `smtp://user:pass@host:587?starttls=true` or
`smtps://user:pass@host:465`) and sending one message."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False  # smtps://: TLS from the first byte
    starttls: bool = False  # smtp://...?starttls=true: upgrade the plain connection
    timeout: float = 30.0


class SmtpUrlInvalid(ValueError):
    """PARTNERHUB_SMTP_URL cannot be read."""


def parse_smtp_url(url: str) -> SmtpConfig | None:
    """The SMTP server of `url`; None for an empty setting (no mail is sent)."""
    if not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpUrlInvalid("PARTNERHUB_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
    query = parse_qs(parts.query)
    tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if tls else 25)
        timeout = float(query.get("timeout", ["30"])[0])
    except ValueError:
        raise SmtpUrlInvalid("PARTNERHUB_SMTP_URL: the port and timeout must be numbers") from None
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
        starttls=query.get("starttls", ["false"])[0].lower() in TRUE,
        timeout=timeout,
    )


def build_message(*, sender: str, to: str, subject: str, body: str, language: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    message["Content-Language"] = language  # after set_content, which replaces the Content-* headers
    return message


def send_message(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; raises OSError or smtplib.SMTPException when it is not accepted."""
    client: smtplib.SMTP
    if config.tls:
        client = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with client:
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
        if config.username:
            client.login(config.username, config.password or "")
        client.send_message(message)


def is_permanent(error: Exception) -> bool:
    """A refusal that retrying cannot mend: the server answered 5xx to the recipient or the message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False
