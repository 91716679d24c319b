"""The e-mail outbox: mail is queued first, then sent once by send_pending, with retries."""

from __future__ import annotations

import email
import email.policy
import io
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from lab.core.clock import utcnow
from lab.extensions import db
from lab.notify.mail import ConsoleBackend, SMTPBackend, build_message, queue_mail, send_pending
from lab.notify.models import FAILED, PENDING, SENT, OutboxMail
from tests.support import post_form


class RecordingBackend:
    """Keeps every message it is asked to send."""

    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


class BrokenBackend:
    """Fails every time, like a mail server that is down."""

    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise ConnectionRefusedError("mail server is down")


def _queue(recipient="anna@example.test", subject="Hallo", body="Willkommen im Testlab", **kw):
    return queue_mail(recipient, subject, body, **kw)


def _make_due(mail):
    """Pretend the retry delay has passed."""
    mail.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# queueing


def test_queue_mail_stores_a_pending_mail(app):
    mail = _queue("anna@example.test", "Hallo Anna", "Der Text")
    db.session.expire_all()
    stored = db.session.get(OutboxMail, mail.id)
    assert stored.status == PENDING
    assert (stored.recipient, stored.subject, stored.body_text) == (
        "anna@example.test", "Hallo Anna", "Der Text")
    assert stored.attempts == 0
    assert stored.sent_at is None


def test_queue_mail_sends_from_the_default_sender_unless_told_otherwise(app):
    default = _queue()
    other = _queue(sender="Campaigns <campaigns@testlab.example>")
    assert default.sender == app.config["MAIL_DEFAULT_SENDER"]
    assert other.sender == "Campaigns <campaigns@testlab.example>"


# sending


def test_send_pending_sends_each_pending_mail_once_and_marks_it_sent(app):
    first = _queue("one@example.test", "Erste")
    second = _queue("two@example.test", "Zweite")
    backend = RecordingBackend()

    counts = send_pending(backend)

    assert counts == {"sent": 2, "retry": 0, "failed": 0}
    assert [(m["To"], m["Subject"]) for m in backend.sent] == [
        ("one@example.test", "Erste"), ("two@example.test", "Zweite")]
    db.session.expire_all()
    for mail in (first, second):
        assert mail.status == SENT
        assert mail.attempts == 1
        assert mail.sent_at is not None and mail.sent_at <= utcnow()
        assert mail.last_error is None


def test_send_pending_a_second_time_sends_nothing(app):
    _queue()
    send_pending(RecordingBackend())
    again = RecordingBackend()

    counts = send_pending(again)

    assert counts == {"sent": 0, "retry": 0, "failed": 0}
    assert again.sent == []


def test_send_pending_sends_at_most_limit_mails(app):
    for n in range(3):
        _queue(f"m{n}@example.test")
    backend = RecordingBackend()

    assert send_pending(backend, limit=2)["sent"] == 2

    assert len(backend.sent) == 2
    assert db.session.scalars(select(OutboxMail.recipient).where(
        OutboxMail.status == PENDING)).all() == ["m2@example.test"]


def test_a_sent_mail_stays_marked_sent_when_the_run_is_killed_afterwards(app):
    class ProcessKilled(BaseException):
        pass

    class DiesOnSecondMail(RecordingBackend):
        def send(self, message):
            if self.sent:
                raise ProcessKilled
            super().send(message)

    first = _queue("one@example.test")
    second = _queue("two@example.test")
    db.session.commit()

    with pytest.raises(ProcessKilled):
        send_pending(DiesOnSecondMail())

    db.session.rollback()  # what the dying process had not committed is lost
    assert first.status == SENT
    assert second.status == PENDING and second.attempts == 0


# failures and retries


def test_a_failed_send_counts_an_attempt_and_keeps_the_mail_pending_with_the_error(app):
    mail = _queue()

    counts = send_pending(BrokenBackend())

    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    db.session.expire_all()
    assert mail.status == PENDING
    assert mail.attempts == 1
    assert mail.last_error == "ConnectionRefusedError: mail server is down"
    assert mail.sent_at is None


def test_a_failed_mail_is_retried_later_not_at_once(app):
    mail = _queue()
    backend = BrokenBackend()
    send_pending(backend)
    db.session.expire_all()
    assert mail.next_attempt_at > utcnow()

    counts = send_pending(backend)

    assert counts == {"sent": 0, "retry": 0, "failed": 0}
    assert backend.calls == 1
    db.session.expire_all()
    assert mail.attempts == 1


def test_a_mail_that_fails_mail_max_attempts_times_is_marked_failed(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    mail = _queue()
    backend = BrokenBackend()

    results = []
    for _ in range(3):
        results.append(send_pending(backend))
        db.session.expire_all()
        if mail.status == PENDING:
            _make_due(mail)

    assert [r["retry"] for r in results] == [1, 1, 0]
    assert results[-1]["failed"] == 1
    assert mail.status == FAILED
    assert mail.attempts == 3
    assert mail.last_error.startswith("ConnectionRefusedError")


def test_a_failed_mail_is_never_tried_again(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    mail = _queue()
    send_pending(BrokenBackend())
    db.session.expire_all()
    assert mail.status == FAILED
    _make_due(mail)
    backend = RecordingBackend()

    assert send_pending(backend) == {"sent": 0, "retry": 0, "failed": 0}
    assert backend.sent == []


def test_a_failing_mail_does_not_hold_up_the_others(app):
    class RefusesAnna(RecordingBackend):
        def send(self, message):
            if message["To"] == "anna@example.test":
                raise OSError("mailbox unavailable")
            super().send(message)

    _queue("anna@example.test")
    _queue("ben@example.test")
    backend = RefusesAnna()

    assert send_pending(backend) == {"sent": 1, "retry": 1, "failed": 0}
    assert [m["To"] for m in backend.sent] == ["ben@example.test"]


# messages and backends


def test_build_message_is_plain_text_without_html(app):
    message = build_message(_queue(subject="Nur Text", body="Einfach so"))
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Einfach so"
    assert message["Message-ID"]


def test_build_message_is_multipart_alternative_when_there_is_html(app):
    mail = _queue(body="Klartext", body_html="<p>Mit <b>HTML</b></p>")

    message = build_message(mail)

    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert parts["text/plain"].strip() == "Klartext"
    assert parts["text/html"].strip() == "<p>Mit <b>HTML</b></p>"


def test_console_backend_prints_headers_and_body_to_its_stream(app):
    stream = io.StringIO()
    mail = _queue("anna@example.test", "Bitte bestätigen", "Klick hier: http://localhost/x",
                  body_html="<p>HTML wird nicht gedruckt</p>")

    ConsoleBackend(app.config, stream=stream).send(build_message(mail))

    printed = stream.getvalue()
    assert f"From: {app.config['MAIL_DEFAULT_SENDER']}" in printed
    assert "To: anna@example.test" in printed
    assert "Subject: Bitte bestätigen" in printed
    assert "Klick hier: http://localhost/x" in printed
    assert "HTML wird nicht gedruckt" not in printed


# a real SMTP server


class CollectingHandler:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_smtp_backend_delivers_the_mail_to_a_real_smtp_server(app, smtp_server):
    controller, handler = smtp_server
    config = dict(app.config, MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                  MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    mail = _queue("anna@example.test", "Dein Testgerät", "Es ist unterwegs.")

    counts = send_pending(SMTPBackend(config))

    assert counts == {"sent": 1, "retry": 0, "failed": 0}
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == ["anna@example.test"]
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["Subject"] == "Dein Testgerät"
    assert received["To"] == "anna@example.test"
    assert received.get_body(preferencelist=("plain",)).get_content().strip() == (
        "Es ist unterwegs.")
    db.session.expire_all()
    assert mail.status == SENT


# Flask-Security's mails


def test_the_registration_confirmation_mail_goes_through_the_outbox(app, client):
    # not example.test: the registration form refuses special-use domains such as .test
    answer = post_form(client, "/register", {
        "email": "neu@example.com", "handle": "NeuesMitglied",
        "password": "Lila-Elefant-tanzt-42", "password_confirm": "Lila-Elefant-tanzt-42",
    })
    assert answer.status_code == 302, answer.get_data(as_text=True)

    db.session.expire_all()
    mails = db.session.scalars(
        select(OutboxMail).where(OutboxMail.recipient == "neu@example.com")).all()
    assert len(mails) == 1
    assert mails[0].status == PENDING
    assert "/confirm/" in mails[0].body_text
