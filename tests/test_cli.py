"""`flask lab ...`: create-user, seed-demo and send-mail."""

from __future__ import annotations

import socket

import pytest
from flask_security import verify_password
from sqlalchemy import func, select

from lab.accounts import choices
from lab.accounts.models import User
from lab.core.audit import AuditEntry
from lab.demo import MEMBERS, STAFF, _member_email
from lab.extensions import db
from lab.notify.mail import queue_mail
from lab.notify.models import PENDING, SENT, OutboxMail

STRONG_PASSWORD = "Lila-Elefant-tanzt-42"


@pytest.fixture
def lab(app):
    """Run `flask lab <args>` and return click's result."""
    runner = app.test_cli_runner()
    return lambda *args, **kwargs: runner.invoke(args=["lab", *args], **kwargs)


# Each domain's demo has its own tests; here the command runs only what a test looks at.
# The community demo, the slowest part, is seeded through lab.demo by its own test.
# tests of the demo accounts alone, without the domains' demos
ACCOUNTS_ONLY = {
    "test_seed_demo_creates_two_admins_two_staff_a_logistics_member_and_twenty_members",
    "test_seed_demo_gives_every_member_a_tester_profile_with_devices_and_a_region",
    "test_seed_demo_profiles_use_only_codes_the_profile_form_offers",
    "test_seed_demo_accounts_can_sign_in_with_the_demo_password",
}
DOMAIN_DEMOS = ("_seed_rewards", "_seed_campaigns", "_seed_feedback", "_seed_logistics")


@pytest.fixture(autouse=True)
def _only_the_demos_a_test_needs(request, monkeypatch):
    monkeypatch.setattr("lab.demo._seed_community", lambda: None)
    if request.node.originalname in ACCOUNTS_ONLY:
        for step in DOMAIN_DEMOS:
            monkeypatch.setattr(f"lab.demo.{step}", lambda: None)


def _stored():
    """Forget whatever the command flushed but did not commit, so checks see only stored data."""
    db.session.rollback()


def _user(email: str) -> User | None:
    _stored()
    return db.session.scalar(select(User).where(User.email == email))


def _user_count() -> int:
    _stored()
    return db.session.scalar(select(func.count(User.id)))


# create-user


def test_create_user_makes_a_confirmed_active_admin_who_is_also_staff_and_member(lab):
    result = lab("create-user", "chefin@example.com", "--role", "admin",
                 "--handle", "Chefin", "--password", STRONG_PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Created chefin@example.com (@Chefin)" in result.output
    user = _user("chefin@example.com")
    assert user.handle == "Chefin"
    assert user.active
    assert user.confirmed_at is not None
    assert user.role_names == {"admin", "staff", "member"}
    assert verify_password(STRONG_PASSWORD, user.password)
    assert user.profile is not None


def test_create_user_writes_an_audit_entry(lab):
    result = lab("create-user", "chefin@example.com", "--role", "admin",
                 "--handle", "Chefin", "--password", STRONG_PASSWORD)
    assert result.exit_code == 0, result.output

    user = _user("chefin@example.com")
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "user.created", AuditEntry.object_id == str(user.id)))
    assert entry is not None
    assert entry.object_type == "user"
    assert entry.actor_id is None  # created from the command line, not by a signed-in user
    assert entry.details["roles"] == ["admin", "member", "staff"]


def test_create_user_without_role_makes_a_plain_member(lab):
    result = lab("create-user", "mitglied@example.com",
                 "--handle", "Mitglied", "--password", STRONG_PASSWORD)

    assert result.exit_code == 0, result.output
    assert _user("mitglied@example.com").role_names == {"member"}


@pytest.mark.parametrize("password", ["kurz-42", "passwortpasswort"],
                         ids=["too-short", "too-easy-to-guess"])
def test_create_user_refuses_a_weak_password_and_creates_nothing(lab, password):
    before = _user_count()

    result = lab("create-user", "schwach@example.com", "--handle", "Schwach",
                 "--password", password)

    assert result.exit_code != 0
    assert "Error:" in result.output
    assert "Passwort" in result.output  # the message says what is wrong with it
    assert "Traceback" not in result.output
    assert _user("schwach@example.com") is None
    assert _user_count() == before


def test_create_user_refuses_an_email_that_is_already_registered(lab, make_member):
    make_member("Erste", email="vergeben@example.com")
    db.session.commit()
    before = _user_count()

    result = lab("create-user", "Vergeben@Example.com", "--handle", "Zweite",
                 "--password", STRONG_PASSWORD)

    assert result.exit_code != 0
    assert "Diese E-Mail-Adresse ist bereits registriert." in result.output
    assert _user_count() == before


def test_create_user_refuses_a_taken_handle(lab, make_member):
    make_member("Erste", email="erste@example.com")
    db.session.commit()

    result = lab("create-user", "andere@example.com", "--handle", "erste",
                 "--password", STRONG_PASSWORD)

    assert result.exit_code != 0
    assert "Error:" in result.output
    assert _user("andere@example.com") is None


def test_create_user_asks_for_handle_and_password_when_they_are_missing(lab):
    result = lab("create-user", "gefragt@example.com",
                 input=f"Gefragt\n{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Handle:" in result.output
    assert "Password:" in result.output
    assert STRONG_PASSWORD not in result.output  # typed hidden
    user = _user("gefragt@example.com")
    assert user.handle == "Gefragt"
    assert verify_password(STRONG_PASSWORD, user.password)


# seed-demo

DEMO_ADMINS = [email for _, email, _, roles in STAFF if "admin" in roles]
DEMO_STAFF = [email for _, email, _, roles in STAFF if roles == ("staff",)]
DEMO_LOGISTICS = [email for _, email, _, roles in STAFF if roles == ("logistics",)]
DEMO_MEMBERS = [_member_email(m[0]) for m in MEMBERS]


def test_seed_demo_creates_two_admins_two_staff_a_logistics_member_and_twenty_members(lab):
    before = _user_count()

    result = lab("seed-demo")

    assert result.exit_code == 0, result.output
    assert _user_count() == before + 25
    assert DEMO_ADMINS == ["admin@testlab.example", "admin2@testlab.example"]
    for email in DEMO_ADMINS:
        assert _user(email).role_names == {"admin", "staff", "member"}, email
    assert len(DEMO_STAFF) == 2
    for email in DEMO_STAFF:
        assert _user(email).role_names == {"staff", "member"}, email
    assert DEMO_LOGISTICS == ["logistik@testlab.example"]
    assert _user(DEMO_LOGISTICS[0]).role_names == {"logistics", "staff", "member"}
    assert len(DEMO_MEMBERS) == 20
    for email in DEMO_MEMBERS:
        user = _user(email)
        assert user.role_names == {"member"}, email
        assert user.active and user.confirmed_at is not None, email


def test_seed_demo_gives_every_member_a_tester_profile_with_devices_and_a_region(lab):
    assert lab("seed-demo").exit_code == 0

    for email in DEMO_MEMBERS:
        profile = _user(email).profile
        assert profile.region, email
        assert profile.connection_type, email
        assert profile.devices, email
        assert profile.interest_codes, email


def test_seed_demo_profiles_use_only_codes_the_profile_form_offers(lab):
    assert lab("seed-demo").exit_code == 0

    for email in DEMO_MEMBERS:
        profile = _user(email).profile
        assert profile.region in dict(choices.REGIONS), email
        assert profile.connection_type in dict(choices.CONNECTION_TYPES), email
        assert set(profile.interest_codes) <= set(dict(choices.INTERESTS)), email
        for device in profile.devices:
            assert device.kind in dict(choices.DEVICE_KINDS), (email, device.kind)
            assert device.os in dict(choices.OPERATING_SYSTEMS), (email, device.os)


def test_seed_demo_prints_the_logins(lab):
    from lab.demo import DEMO_PASSWORD

    result = lab("seed-demo")

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    for email in DEMO_ADMINS + DEMO_STAFF + DEMO_LOGISTICS + DEMO_MEMBERS:
        assert email in result.output


def test_seed_demo_accounts_can_sign_in_with_the_demo_password(lab):
    from lab.demo import DEMO_PASSWORD

    assert lab("seed-demo").exit_code == 0

    assert verify_password(DEMO_PASSWORD, _user("admin@testlab.example").password)


def test_seed_demo_twice_creates_nothing_new(lab):
    assert lab("seed-demo").exit_code == 0
    users_before = _user_count()
    devices_before = {email: len(_user(email).profile.devices) for email in DEMO_MEMBERS}
    lab_before = _lab_counts()

    result = lab("seed-demo")

    assert result.exit_code == 0, result.output
    assert "admin@testlab.example" in result.output
    assert _user_count() == users_before
    assert {email: len(_user(email).profile.devices) for email in DEMO_MEMBERS} == devices_before
    assert _lab_counts() == lab_before


# send-mail


def test_send_mail_sends_the_pending_mail_and_prints_the_counts(app, lab, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    first = queue_mail("anna@example.com", "Erste Mail", "Hallo Anna")
    second = queue_mail("ben@example.com", "Zweite Mail", "Hallo Ben")
    db.session.commit()

    result = lab("send-mail")

    assert result.exit_code == 0, result.output
    assert "sent 2, to retry 0, failed for good 0" in result.output
    assert "Subject: Erste Mail" in result.output and "Hallo Ben" in result.output
    _stored()
    assert first.status == SENT and second.status == SENT


def test_send_mail_run_again_sends_nothing(app, lab, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    queue_mail("anna@example.com", "Einmal", "Nur einmal")
    db.session.commit()
    assert lab("send-mail").exit_code == 0

    result = lab("send-mail")

    assert result.exit_code == 0, result.output
    assert "sent 0, to retry 0, failed for good 0" in result.output
    assert "Nur einmal" not in result.output


def test_send_mail_sends_at_most_limit(app, lab, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    for n in range(3):
        queue_mail(f"m{n}@example.com", f"Mail {n}", "Text")
    db.session.commit()

    result = lab("send-mail", "--limit", "2")

    assert result.exit_code == 0, result.output
    assert "sent 2, to retry 0, failed for good 0" in result.output
    _stored()
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.status == PENDING)) == 1


def test_send_mail_counts_mail_the_server_refused_as_to_retry(app, lab, monkeypatch):
    with socket.socket() as sock:  # a port on which nobody listens
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1",
                       "MAIL_PORT": closed_port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
                       "MAIL_USERNAME": None}.items():
        monkeypatch.setitem(app.config, key, value)
    mail = queue_mail("anna@example.com", "Kommt später", "Text")
    db.session.commit()

    result = lab("send-mail")

    assert result.exit_code == 0, result.output
    assert "sent 0, to retry 1, failed for good 0" in result.output
    _stored()
    assert mail.status == PENDING and mail.attempts == 1


def test_seed_demo_fills_the_leaderboard_catalog_and_approval_queue(lab):
    from lab.rewards.ledger import verify
    from lab.rewards.models import Award, BadgeGrant, Reward

    assert lab("seed-demo").exit_code == 0

    ranked = [_user(email).reputation for email in DEMO_MEMBERS]
    assert sum(r > 0 for r in ranked) >= 15
    assert max(ranked) >= 500  # someone has reached the third level
    assert db.session.scalar(select(func.count()).select_from(Reward)) == 5
    assert db.session.scalar(select(func.count()).select_from(BadgeGrant)) > 10
    assert db.session.scalar(
        select(func.count()).select_from(Award).where(
            Award.state == "proposed", Award.kind != "device")) == 1
    assert verify() == []


def test_seed_demo_twice_adds_no_points(lab):
    assert lab("seed-demo").exit_code == 0
    first = [_user(email).reputation for email in DEMO_MEMBERS]
    assert lab("seed-demo").exit_code == 0
    db.session.expire_all()
    assert [_user(email).reputation for email in DEMO_MEMBERS] == first


def _lab_counts() -> dict[str, int]:
    from lab.campaigns.models import Application, ApplicationEvent, Campaign, Product

    _stored()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Product, Campaign, Application, ApplicationEvent)}


def _demo_campaign(slug: str):
    from lab.campaigns.models import Campaign

    _stored()
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def _statuses(campaign) -> dict[str, int]:
    from lab.campaigns.models import Application

    return dict(db.session.execute(
        select(Application.status, func.count()).where(Application.campaign_id == campaign.id)
        .group_by(Application.status)).all())


def test_seed_demo_builds_a_campaign_in_each_stage_with_its_applicants(lab):
    from lab.accounts.services import address_of
    from lab.campaigns.lifecycle import can_review
    from lab.campaigns.models import Application
    from lab.core.clock import utcnow
    from lab.rewards.ledger import verify
    from lab.rewards.models import LedgerEntry

    assert lab("seed-demo").exit_code == 0

    recruiting = _demo_campaign("mein-netz-app-3")
    assert recruiting.accepts_applications(utcnow())
    assert recruiting.eligibility == [{"rule": "owns_os", "values": ["android"]}]
    assert len({q.kind for q in recruiting.questions}) == len(recruiting.questions) >= 2
    assert _statuses(recruiting) == {"submitted": 4, "started": 1}

    in_review = _demo_campaign("pulse-2-smartwatch")
    assert in_review.state == "in_review"
    assert not can_review(_user("staff1@testlab.example"), in_review)
    assert can_review(_user("staff2@testlab.example"), in_review)

    chosen = _demo_campaign("streambox-4k")
    assert chosen.state == "selection" and chosen.ranked_at is not None
    assert _statuses(chosen) == {"confirmed": 1, "selected": 2, "waitlisted": 3,
                                 "submitted": 4}
    confirmed = db.session.scalar(select(Application).where(
        Application.campaign_id == chosen.id, Application.status == "confirmed"))
    assert address_of(confirmed.member) is not None

    testing = _demo_campaign("nova-7-5g")
    assert testing.state == "testing"
    # one tester was finished early: the device they keep waits for a second admin
    assert _statuses(testing) == {"confirmed": 2, "completed": 1, "not_selected": 6}

    closed = _demo_campaign("heimnetz-mesh-6")
    assert closed.state == "closed"
    assert _statuses(closed) == {"completed": 3, "dropped": 1, "not_selected": 4}
    completed = db.session.scalars(select(Application.id).where(
        Application.campaign_id == closed.id, Application.status == "completed")).all()
    paid = db.session.scalars(select(LedgerEntry.source_id).where(
        LedgerEntry.reason == "test_completed", LedgerEntry.source_kind == "application",
        LedgerEntry.source_id.in_([str(i) for i in completed])))
    assert sorted(paid) == sorted(str(i) for i in completed)
    assert verify() == []


def test_seed_demo_waitlist_follows_the_ranking(lab):
    from lab.campaigns.models import Application

    assert lab("seed-demo").exit_code == 0

    campaign = _demo_campaign("streambox-4k")
    waitlisted = db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status == "waitlisted")
        .order_by(Application.waitlist_position)).all()
    assert [a.rank for a in waitlisted] == [4, 5, 6]


def test_verify_ledger_reports_a_tampered_balance_and_exits_1(lab, make_member):
    from sqlalchemy import text

    from lab.rewards.ledger import award_points

    member = make_member("Tamper")
    award_points(member, 30, "manual_award", key="tamper-1")
    db.session.execute(text('UPDATE "user" SET points_balance = 99 WHERE id = :id'),
                       {"id": member.id})
    result = lab("verify-ledger")
    assert result.exit_code == 1
    assert "@Tamper" in result.output and "balance cached 99, ledger 30" in result.output


def test_verify_ledger_says_when_all_agree(lab):
    result = lab("verify-ledger")
    assert result.exit_code == 0 and "agree" in result.output
