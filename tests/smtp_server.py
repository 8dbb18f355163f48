"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """Airflow's variables pointing Brisa at this server (no TLS: it has no certificate)."""
        return {
            "AIRFLOW__SMTP__SMTP_HOST": self.host,
            "AIRFLOW__SMTP__SMTP_PORT": str(self.port),
            "AIRFLOW__SMTP__SMTP_STARTTLS": "False",
            "AIRFLOW__SMTP__SMTP_MAIL_FROM": "brisa@example.com",
        }

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_context(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a throwaway certificate (smtplib's STARTTLS does not verify)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@contextmanager
def smtp_server(tls: ssl.SSLContext | None = None) -> Iterator[SmtpServer]:
    """The server; with ``tls`` it requires STARTTLS before MAIL and AUTH."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=server.authenticate,
        auth_require_tls=tls is not None,
        tls_context=tls,
        require_starttls=tls is not None,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html", "plain"))
    assert part is not None
    return part.get_content()
