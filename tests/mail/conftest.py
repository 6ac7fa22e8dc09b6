"""A real SMTP server for the mail tests (aiosmtpd on a free local port) and what it received."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from partnerhub.mail.outbox import MailConfig
from partnerhub.mail.smtp import SmtpConfig, parse_smtp_url


@dataclass
class Received:
    """One message as the server got it: the envelope's recipients and the parsed message."""

    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    @property
    def body(self) -> str:
        return str(self.message.get_content()).replace("\r\n", "\n")


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)  # answers to give instead of accepting, one per message

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


@dataclass
class SmtpServer:
    url: str
    handler: Handler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def config(self) -> MailConfig:
        smtp = parse_smtp_url(self.url)
        assert isinstance(smtp, SmtpConfig)
        return MailConfig(smtp=smtp, sender="partnerhub@hub.example")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free local port for the duration of the block."""
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(f"smtp://127.0.0.1:{port}", handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server
