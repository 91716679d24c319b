"""Queue mail into the outbox and send what is due, through a console or SMTP backend."""

from __future__ import annotations

import smtplib
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import select

from lab.core.clock import utcnow
from lab.extensions import db
from lab.notify.models import FAILED, PENDING, SENT, OutboxMail


def queue_mail(recipient: str, subject: str, body_text: str, *, body_html: str | None = None,
               kind: str = "mail", sender: str | None = None) -> OutboxMail:
    """Write a mail into the outbox; it goes out with the unit of work's commit."""
    mail = OutboxMail(
        kind=kind,
        sender=str(sender or current_app.config["MAIL_DEFAULT_SENDER"]),
        recipient=recipient,
        subject=str(subject),
        body_text=body_text or "",
        body_html=body_html,
    )
    db.session.add(mail)
    db.session.flush()
    return mail


def build_message(mail: OutboxMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}")
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    return message


class ConsoleBackend:
    """Development: print each mail, so confirmation links are right there in the terminal."""

    def __init__(self, config, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: EmailMessage) -> None:
        body = message.get_body(preferencelist=("plain",))
        print("-" * 72, file=self.stream)
        for header in ("From", "To", "Subject", "Date"):
            print(f"{header}: {message[header]}", file=self.stream)
        print("", file=self.stream)
        print(body.get_content() if body else "", file=self.stream)
        self.stream.flush()


class SMTPBackend:
    def __init__(self, config):
        self.config = config

    def send(self, message: EmailMessage) -> None:
        cfg = self.config
        smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(message)


BACKENDS = {"console": ConsoleBackend, "smtp": SMTPBackend}


def backend_from_config(config):
    name = config.get("MAIL_BACKEND", "console")
    if name not in BACKENDS:
        raise ValueError(f"unknown MAIL_BACKEND {name!r}; use one of {sorted(BACKENDS)}")
    return BACKENDS[name](config)


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** attempts, 60))


def send_pending(backend=None, *, limit: int = 100) -> dict[str, int]:
    """Send due mail, committing after each so nothing is sent twice.

    Each mail is claimed with a row lock (SKIP LOCKED on PostgreSQL) so two senders
    running at once never send the same mail. A failure counts an attempt and schedules
    a retry; after MAIL_MAX_ATTEMPTS the mail is marked failed.
    """
    backend = backend or backend_from_config(current_app.config)
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        mail = db.session.scalar(
            select(OutboxMail)
            .where(OutboxMail.status == PENDING, OutboxMail.next_attempt_at <= utcnow())
            .order_by(OutboxMail.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if mail is None:
            break
        mail.attempts += 1
        try:
            backend.send(build_message(mail))
        except Exception as exc:  # any transport error: count it, keep the mail
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if mail.attempts >= max_attempts:
                mail.status = FAILED
                counts["failed"] += 1
            else:
                mail.next_attempt_at = utcnow() + _retry_delay(mail.attempts)
                counts["retry"] += 1
        else:
            mail.status = SENT
            mail.sent_at = utcnow()
            mail.last_error = None
            counts["sent"] += 1
        db.session.commit()
    return counts
