"""The rewards pages as members and admins use them: real forms, clear messages, no leaks."""

from __future__ import annotations

import io
import uuid

from PIL import Image
from sqlalchemy import func, select

from lab.extensions import db
from lab.notify import services as notify
from lab.notify.models import Notification
from lab.rewards import awards, catalog, ledger
from lab.rewards.models import Award, Redemption, Reward
from tests.support import csrf_token, post_form

REWARD = dict(kind="merchandise", title="Testlab-Tasse", description="Eine Tasse", cost=50,
              stock=3, per_member_limit=None, min_level="newcomer", available_from=None,
              available_until=None, needs_address=False, active=True)


def _reward(admin, **fields) -> Reward:
    return catalog.save_reward(admin, **{**REWARD, **fields})


def _points(member, amount):
    ledger.award_points(member, amount, "manual_award", key=f"page-test:{uuid.uuid4().hex}")


def _redemptions(member) -> list[Redemption]:
    return list(db.session.scalars(select(Redemption).where(Redemption.member_id == member.id)))


def test_a_member_redeems_a_reward_and_is_sent_to_their_redemptions(
        client, auth, make_member, make_admin):
    member = make_member()
    _points(member, 80)
    reward = _reward(make_admin())
    auth.login(member)
    page = f"/rewards/{reward.id}"
    answer = post_form(client, f"/rewards/{reward.id}/redeem",
                       {"request_key": "a" * 32}, page=page)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/me/redemptions")
    db.session.refresh(member)
    assert member.points_balance == 30
    assert "Testlab-Tasse" in client.get("/me/redemptions").get_data(as_text=True)


def test_a_redeem_form_sent_twice_redeems_once(client, auth, make_member, make_admin):
    member = make_member()
    _points(member, 200)
    reward = _reward(make_admin())
    auth.login(member)
    token = csrf_token(client, f"/rewards/{reward.id}")
    for _ in range(2):
        answer = client.post(f"/rewards/{reward.id}/redeem",
                             data={"csrf_token": token, "request_key": "same-form"})
        assert answer.status_code == 302
    db.session.refresh(member)
    assert len(_redemptions(member)) == 1
    assert member.points_balance == 150


def test_too_few_points_shows_a_message_and_changes_nothing(
        client, auth, make_member, make_admin):
    member = make_member()
    _points(member, 20)
    reward = _reward(make_admin())
    auth.login(member)
    answer = post_form(client, f"/rewards/{reward.id}/redeem", {"request_key": "k" * 20},
                       page=f"/rewards/{reward.id}")
    assert answer.status_code == 422
    assert "Nicht genug Punkte" in answer.get_data(as_text=True)
    db.session.refresh(reward)
    assert reward.stock == 3 and _redemptions(member) == []


def test_an_inactive_reward_is_not_found_by_members(client, auth, make_member, make_admin):
    reward = _reward(make_admin(), active=False)
    auth.login(make_member())
    assert client.get(f"/rewards/{reward.id}").status_code == 404
    answer = post_form(client, f"/rewards/{reward.id}/redeem", {"request_key": "x" * 10},
                       page="/rewards/")
    assert answer.status_code == 404


def test_my_points_lists_only_my_entries_with_a_running_balance(
        client, auth, make_member):
    me, other = make_member(), make_member()
    ledger.award_points(me, 15, "answer_accepted", key="mine-1")
    ledger.award_points(me, 2, "helpful_vote", key="mine-2")
    ledger.award_points(other, 99, "test_completed", key="theirs-1")
    auth.login(me)
    page = client.get("/me/points").get_data(as_text=True)
    assert "Ihre Antwort wurde als Lösung akzeptiert" in page
    assert "+15" in page and "+2" in page and "17" in page
    assert "+99" not in page


def test_a_public_profile_shows_level_and_badges_but_no_private_data(
        client, make_member, make_admin):
    from lab.rewards import badges

    member = make_member("ProfilPaula")
    _points(member, 120)
    badges.grant(member, "pioneer", by=make_admin(), reason="von Anfang an")
    db.session.commit()
    page = client.get("/members/profilpaula").get_data(as_text=True)
    assert "@ProfilPaula" in page and "Helfer" in page and "Pionier" in page
    assert member.email not in page


def test_an_unknown_handle_is_a_404(client):
    assert client.get("/members/nobody-here").status_code == 404


def test_the_award_form_puts_an_unknown_handle_beside_the_field(client, auth, make_admin):
    auth.login(make_admin())
    answer = post_form(client, "/admin/awards", {
        "member": "niemand", "kind": "points", "points": "10", "reason": "Danke",
        "request_key": "r" * 20})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="member-error"' in html and 'value="niemand"' in html
    assert db.session.scalar(select(func.count()).select_from(Award)) == 0


def test_an_award_with_zero_points_is_refused(client, auth, make_admin, make_member):
    member = make_member()
    auth.login(make_admin())
    answer = post_form(client, "/admin/awards", {
        "member": member.handle, "kind": "points", "points": "0", "reason": "Danke",
        "request_key": "z" * 20})
    assert 'id="points-error"' in answer.get_data(as_text=True)
    db.session.refresh(member)
    assert member.reputation == 0


def test_a_small_award_takes_effect_at_once(client, auth, make_admin, make_member):
    member = make_member()
    auth.login(make_admin())
    answer = post_form(client, "/admin/awards", {
        "member": member.handle.upper(), "kind": "points", "points": "40",
        "reason": "Toller Testbericht", "request_key": "s" * 20})
    assert answer.status_code == 302
    db.session.refresh(member)
    assert (member.reputation, member.points_balance) == (40, 40)


def test_the_proposer_cannot_approve_their_own_award(client, auth, make_admin, make_member):
    proposer, member = make_admin(), make_member()
    award, _ = awards.propose(proposer, member, kind="points", points=900, reason="Groß",
                              request_key="big-1")
    auth.login(proposer)
    answer = post_form(client, f"/admin/approvals/{award.id}/approve", {},
                       page="/admin/approvals", follow_redirects=True)
    assert "Vier Augen" in answer.get_data(as_text=True)
    db.session.refresh(award)
    assert award.state == "proposed"


def test_a_second_admin_approves_and_the_member_is_told(client, auth, make_admin, make_member):
    proposer, approver, member = make_admin(), make_admin(), make_member()
    award, _ = awards.propose(proposer, member, kind="points", points=900, reason="Groß",
                              request_key="big-2")
    auth.login(approver)
    post_form(client, f"/admin/approvals/{award.id}/approve", {}, page="/admin/approvals")
    db.session.refresh(member)
    assert member.points_balance == 900
    auth.login(member)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Sie haben eine Auszeichnung erhalten: Groß" in page


def test_rejecting_needs_a_reason(client, auth, make_admin, make_member):
    proposer, approver, member = make_admin(), make_admin(), make_member()
    award, _ = awards.propose(proposer, member, kind="points", points=900, reason="Groß",
                              request_key="big-3")
    auth.login(approver)
    post_form(client, f"/admin/approvals/{award.id}/reject", {"reason": " "},
              page="/admin/approvals")
    db.session.refresh(award)
    assert award.state == "proposed"


def test_fulfilling_merchandise_without_a_tracking_number_is_refused(
        client, auth, make_admin, make_member):
    admin, member = make_admin(), make_member()
    _points(member, 100)
    redemption, _ = catalog.redeem(member, _reward(admin).id, request_key="f-1")
    auth.login(admin)
    answer = post_form(client, f"/admin/redemptions/{redemption.id}/fulfil",
                       {"fulfilment_code": ""}, page="/admin/redemptions",
                       follow_redirects=True)
    assert "Sendungsnummer" in answer.get_data(as_text=True)
    db.session.refresh(redemption)
    assert redemption.state == "requested"


def test_opening_a_notification_marks_it_read_and_follows_its_link(
        client, auth, make_member):
    member = make_member()
    _points(member, 5)
    note = db.session.scalar(select(Notification).where(Notification.member_id == member.id))
    auth.login(member)
    answer = post_form(client, f"/me/notifications/{note.id}/open", {},
                       page="/me/notifications")
    assert answer.headers["Location"] == "/me/points"
    assert notify.unread_count(member.id) == 0


def test_a_member_cannot_open_another_members_notification(client, auth, make_member):
    owner, other = make_member(), make_member()
    _points(owner, 5)
    note = db.session.scalar(select(Notification).where(Notification.member_id == owner.id))
    auth.login(other)
    answer = post_form(client, f"/me/notifications/{note.id}/open", {},
                       page="/me/notifications")
    assert answer.status_code == 404
    assert notify.unread_count(owner.id) == 1


def test_the_bell_shows_the_unread_count(client, auth, make_member):
    member = make_member()
    _points(member, 5)
    _points(member, 6)
    auth.login(member)
    assert "2 ungelesen" in client.get("/me/").get_data(as_text=True)


def _png_with_location() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 90))
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPSInfo: a latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_reward_image_is_stored_without_its_location(client, auth, make_staff, app,
                                                        tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    try:
        auth.login(make_staff())
        data = {**{k: str(v) for k, v in REWARD.items() if v is not None and k != "active"},
                "active": "y", "needs_address": "", "csrf_token":
                csrf_token(client, "/admin/rewards/new"),
                "image": (io.BytesIO(_png_with_location()), "tasse.jpg")}
        answer = client.post("/admin/rewards/new", data=data,
                             content_type="multipart/form-data")
        assert answer.status_code == 302, answer.get_data(as_text=True)
        reward = db.session.scalar(select(Reward).where(Reward.title == "Testlab-Tasse"))
        with Image.open(tmp_path / reward.image) as stored:
            assert stored.size == (40, 30)
            assert 0x8825 not in stored.getexif()
        with client.get(f"/media/{reward.image}") as media:
            assert media.status_code == 200 and media.mimetype == "image/jpeg"
    finally:
        app.config.pop("UPLOAD_FOLDER")


def test_a_file_that_is_not_an_image_is_refused_beside_the_field(
        client, auth, make_staff, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    try:
        auth.login(make_staff())
        data = {**{k: str(v) for k, v in REWARD.items() if v is not None and k != "active"},
                "active": "y", "csrf_token": csrf_token(client, "/admin/rewards/new"),
                "image": (io.BytesIO(b"<?php echo 1; ?>"), "bild.png")}
        answer = client.post("/admin/rewards/new", data=data,
                             content_type="multipart/form-data")
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and 'id="image-error"' in html
        assert 'value="Testlab-Tasse"' in html
        assert db.session.scalar(select(func.count()).select_from(Reward)) == 0
    finally:
        app.config.pop("UPLOAD_FOLDER")


def test_logistics_staff_see_the_address_of_a_postal_redemption_and_the_look_is_audited(
        client, auth, make_admin, make_staff, make_logistics, make_member):
    from lab.accounts.services import save_address
    from lab.core.audit import AuditEntry

    member = make_member()
    save_address(member, full_name="Erika Muster", street="Hauptstr. 1", extra=None,
                 postcode="53113", city="Bonn", country="DE", phone=None)
    _points(member, 100)
    redemption, _ = catalog.redeem(member, _reward(make_admin(), needs_address=True).id,
                                   request_key="post-1")
    assert client.get(f"/admin/redemptions/{redemption.id}/address").status_code == 302
    auth.login(make_staff())
    assert client.get(f"/admin/redemptions/{redemption.id}/address").status_code == 403
    staff = auth.login(make_logistics())
    page = client.get(f"/admin/redemptions/{redemption.id}/address").get_data(as_text=True)
    assert "Erika Muster" in page and "53113 Bonn" in page
    looks = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "address.viewed", AuditEntry.object_id == str(member.id))).all()
    assert [look.actor_id for look in looks] == [staff.id]


def test_an_out_of_stock_reward_says_so_instead_of_offering_to_redeem(
        client, auth, make_member, make_admin):
    reward = _reward(make_admin(), stock=0)
    auth.login(make_member())
    page = client.get(f"/rewards/{reward.id}").get_data(as_text=True)
    assert "Diese Prämie ist vergriffen." in page
    assert f"/rewards/{reward.id}/redeem" not in page


def test_an_admin_receiving_an_award_is_not_offered_to_decide_it(
        client, auth, make_admin):
    proposer, receiver = make_admin(), make_admin()
    award, _ = awards.propose(proposer, receiver, kind="points", points=900, reason="Groß",
                              request_key="big-self")
    auth.login(receiver)
    page = client.get("/admin/approvals").get_data(as_text=True)
    assert f"/admin/approvals/{award.id}/approve" not in page
    assert "Eine Auszeichnung für Sie" in page
