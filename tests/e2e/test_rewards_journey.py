"""Rewards in the browser: a device awarded with four eyes, a reward redeemed and
fulfilled, the leaderboard with levels and public profiles; every page checked with axe.

The rewards strings may not be translated yet, so elements are found by ids, names,
hrefs and form actions rather than by their (German or English) wording. Users and
rewards are seeded through the services; what the browser did is checked in the
database afterwards as well.
"""

from __future__ import annotations

import re
import uuid

import pytest
from flask_security import hash_password
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lab.accounts.models import User
from lab.accounts.services import create_user
from lab.extensions import db
from lab.notify.services import notifications_query, unread_count
from lab.rewards import badges, catalog, leaderboard, levels
from lab.rewards.ledger import award_points
from lab.rewards.models import Award, Redemption, Reward
from tests.conftest import TEST_PASSWORD
from tests.e2e.test_account_journey import assert_accessible

pytestmark = pytest.mark.e2e

REWARD_DEFAULTS = {
    "description": "Seeded for a browser test.", "per_member_limit": None,
    "min_level": "newcomer", "available_from": None, "available_until": None,
    "needs_address": False, "active": True,
}


# --- seeding, in the live app's own database --------------------------------------

def seed_user(app, prefix: str, *, roles=(), points: int = 0) -> dict:
    """A confirmed member (or admin) that signs in with TEST_PASSWORD."""
    suffix = uuid.uuid4().hex[:8]
    handle, email = f"{prefix}_{suffix}", f"{prefix}-{suffix}@example.org"
    with app.app_context():
        user = create_user(email, handle, "", roles=roles, confirmed=True,
                           password_hash=hash_password(TEST_PASSWORD))
        if points:
            award_points(user, points, "manual_award", key=f"seed:{uuid.uuid4().hex}")
        db.session.commit()
        return {"id": user.id, "email": email, "handle": handle}


def seed_reward(app, actor_id: int, **fields) -> dict:
    fields = {**REWARD_DEFAULTS, **fields}
    with app.app_context():
        reward = catalog.save_reward(db.session.get(User, actor_id), **fields)
        db.session.commit()
        return {"id": reward.id, "title": reward.title}


# --- the browser ----------------------------------------------------------------

def submit(page: Page, button) -> None:
    """Click a form's submit button; fail at once, and say so, if the app answers 5xx."""
    with page.expect_response(lambda response: response.request.method == "POST"
                              and response.request.is_navigation_request()) as answer:
        button.click()
    response = answer.value
    assert response.status < 500, f"POST {response.url} answered {response.status}"


def sign_in(page: Page, live_server: str, user: dict) -> None:
    """Through the real login page; the post-login page is the tester profile (an
    admin who had to set up two-factor first would be sent elsewhere)."""
    page.goto("/login")
    form = page.locator("form[name=login_user_form]")
    form.locator("input[name=email]").fill(user["email"])
    form.locator("input[name=password]").fill(TEST_PASSWORD)
    form.locator("[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/me/profile")
    expect(profile_link(page, user["handle"])).to_be_visible()


def sign_out(page: Page, live_server: str, user: dict) -> None:
    page.locator("header form[action$='/logout'] [type=submit]").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(profile_link(page, user["handle"])).to_have_count(0)
    expect(page.locator("header a[href='/login']")).to_be_visible()


def profile_link(page: Page, handle: str):
    """The signed-in member's own link in the navigation."""
    return page.locator(f"header a[href='/members/{handle}']")


def row_of(page: Page, handle: str):
    return page.locator(f"main table tbody tr:has(a[href='/members/{handle}'])")


# --- the tests ------------------------------------------------------------------

def test_an_award_of_a_device_needs_a_second_admin_and_the_member_sees_it(
        page: Page, live_app, live_server):
    first = seed_user(live_app, "adm1", roles=("admin",))
    second = seed_user(live_app, "adm2", roles=("admin",))
    member = seed_user(live_app, "dev")
    reward = seed_reward(live_app, first["id"], kind="device", cost=400, stock=2,
                         title=f"Test router {uuid.uuid4().hex[:6]}")
    reason = f"Ten thorough test reports {uuid.uuid4().hex[:6]}"

    # The first admin proposes the device for the member.
    sign_in(page, live_server, first)
    page.goto("/admin/awards")
    assert_accessible(page)
    form = page.locator("main form:has(input[name=member])")
    form.locator("input[name=member]").fill(member["handle"])
    form.locator("input[name=kind][value=reward]").check()
    form.locator("select[name=reward_id]").select_option(value=str(reward["id"]))
    form.locator("textarea[name=reason]").fill(reason)
    submit(page, form.locator("[type=submit]"))

    expect(page).to_have_url(f"{live_server}/admin/awards")
    expect(page.locator(".flashes [role=status]")).to_be_visible()
    expect(page.locator("main .list-group-item", has_text=reason)).to_contain_text(
        reward["title"])
    assert_accessible(page)
    with live_app.app_context():
        award = db.session.scalar(select(Award).where(Award.member_id == member["id"]))
        assert award is not None, "the form created no award"
        assert (award.kind, award.reward_id, award.reason) == ("reward", reward["id"], reason)
        assert award.state == "proposed" and award.needs_approval
        assert award.proposed_by_id == first["id"]
        award_id = award.id
        # nothing takes effect before the second admin approves
        assert db.session.scalar(select(Redemption).where(
            Redemption.award_id == award_id)) is None
        assert db.session.get(Reward, reward["id"]).stock == 2

    # The queue shows the proposal to its proposer, without a way to decide on it.
    page.goto("/admin/approvals")
    card = page.locator(f"#award-{award_id}")
    expect(card).to_contain_text(f"@{member['handle']}")
    expect(card).to_contain_text(reward["title"])
    expect(card.locator(f"form[action='/admin/approvals/{award_id}/approve']")).to_have_count(0)
    expect(card.locator(f"form[action='/admin/approvals/{award_id}/reject']")).to_have_count(0)
    assert_accessible(page)
    sign_out(page, live_server, first)

    # The second admin approves it; the queue no longer lists it.
    sign_in(page, live_server, second)
    page.goto("/admin/approvals")
    card = page.locator(f"#award-{award_id}")
    expect(card).to_contain_text(reward["title"])
    submit(page, card.locator(
        f"form[action='/admin/approvals/{award_id}/approve'] [type=submit]"))
    expect(page).to_have_url(f"{live_server}/admin/approvals")
    expect(page.locator(".flashes [role=status]")).to_be_visible()
    expect(page.locator(f"#award-{award_id}")).to_have_count(0)
    assert_accessible(page)
    with live_app.app_context():
        award = db.session.get(Award, award_id)
        assert award.state == "approved" and award.decided_by_id == second["id"]
        redemption = db.session.scalar(select(Redemption).where(
            Redemption.award_id == award_id))
        assert redemption is not None, "the approved device was not reserved"
        assert (redemption.member_id, redemption.reward_id) == (member["id"], reward["id"])
        assert (redemption.state, redemption.cost) == ("approved", 0)
        assert db.session.get(Reward, reward["id"]).stock == 1
        assert db.session.get(User, member["id"]).points_balance == 0
        redemption_id = redemption.id
        unread = unread_count(member["id"])
        notes = len(db.session.scalars(notifications_query(member["id"])).all())
    assert unread >= 1
    sign_out(page, live_server, second)

    # The member sees the unread count in the bell, the notifications and the device.
    sign_in(page, live_server, member)
    badge = page.locator("header a[href='/me/notifications'] .badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(str(unread))
    page.locator("header a[href='/me/notifications']").click()
    expect(page).to_have_url(f"{live_server}/me/notifications")
    expect(page.locator("main ul.list-group > li")).to_have_count(notes)
    expect(page.locator("main li form[action$='/open']")).to_have_count(notes)
    assert_accessible(page)

    page.goto("/me/redemptions")
    row = page.locator(f"#redemption-{redemption_id}")
    expect(row.locator(f"a[href='/rewards/{reward['id']}']")).to_have_text(reward["title"])
    # given as an award: no points were charged and there is nothing to cancel
    expect(row.locator("form[action$='/cancel']")).to_have_count(0)
    assert_accessible(page)


def test_a_member_redeems_a_reward_and_an_admin_fulfils_it(page: Page, live_app, live_server):
    admin = seed_user(live_app, "ful", roles=("admin",))
    member = seed_user(live_app, "red", points=200)
    reward = seed_reward(live_app, admin["id"], kind="merchandise", cost=50, stock=3,
                         title=f"Lab hoodie {uuid.uuid4().hex[:6]}")
    code = f"JJD{uuid.uuid4().hex[:10].upper()}"

    # The member finds the reward in the catalog and redeems it.
    sign_in(page, live_server, member)
    page.goto("/rewards/")
    assert_accessible(page)
    page.locator(f"main a[href='/rewards/{reward['id']}']").click()
    expect(page).to_have_url(f"{live_server}/rewards/{reward['id']}")
    expect(page.locator("main h1")).to_have_text(reward["title"])
    assert_accessible(page)
    submit(page, page.locator(f"main form[action$='/rewards/{reward['id']}/redeem'] [type=submit]"))

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/me/redemptions#redemption-\d+$"))
    redemption_id = int(page.url.rsplit("-", 1)[1])
    expect(page.locator(".flashes [role=status]")).to_be_visible()
    row = page.locator(f"#redemption-{redemption_id}")
    expect(row.locator(f"a[href='/rewards/{reward['id']}']")).to_have_text(reward["title"])
    expect(row.locator("form[action$='/cancel']")).to_have_count(1)  # still open
    assert_accessible(page)
    with live_app.app_context():
        redemption = db.session.get(Redemption, redemption_id)
        assert (redemption.member_id, redemption.reward_id) == (member["id"], reward["id"])
        assert (redemption.state, redemption.cost) == ("requested", 50)
        assert db.session.get(User, member["id"]).points_balance == 150
        assert db.session.get(Reward, reward["id"]).stock == 2

    # My points: 150 left, the debit on top with a link to the redemption.
    page.goto("/me/points")
    expect(page.locator("#balance")).to_have_text("150")
    expect(page.locator("#reputation")).to_have_text("200")  # spending keeps reputation
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    debit = rows.nth(0).locator("td")
    expect(debit.nth(2)).to_have_text("-50")
    expect(debit.nth(3)).to_have_text("150")
    expect(debit.nth(1).locator(f"a[href='/me/redemptions#redemption-{redemption_id}']")) \
        .to_have_count(1)
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("+200")
    assert_accessible(page)
    sign_out(page, live_server, member)

    # The admin enters the tracking number and marks it fulfilled.
    sign_in(page, live_server, admin)
    page.goto("/admin/redemptions")
    card = page.locator(f"#redemption-{redemption_id}")
    expect(card).to_contain_text(reward["title"])
    expect(card).to_contain_text(f"@{member['handle']}")
    assert_accessible(page)
    fulfil = card.locator(f"form[action*='/admin/redemptions/{redemption_id}/fulfil']")
    fulfil.locator("input[name=fulfilment_code]").fill(code)
    submit(page, fulfil.locator("[type=submit]"))

    expect(page).to_have_url(f"{live_server}/admin/redemptions?state=requested")
    expect(page.locator(".flashes [role=status]")).to_be_visible()
    expect(page.locator(f"#redemption-{redemption_id}")).to_have_count(0)
    page.goto("/admin/redemptions?state=fulfilled")
    expect(page.locator("main nav a[href$='state=fulfilled']")) \
        .to_have_attribute("aria-current", "page")
    card = page.locator(f"#redemption-{redemption_id}")
    expect(card.locator("code")).to_have_text(code)
    expect(card.locator("form")).to_have_count(0)  # closed: no more actions
    assert_accessible(page)
    with live_app.app_context():
        redemption = db.session.get(Redemption, redemption_id)
        assert (redemption.state, redemption.fulfilment_code) == ("fulfilled", code)
        assert redemption.decided_by_id == admin["id"]
        assert db.session.get(User, member["id"]).points_balance == 150
        assert db.session.get(Reward, reward["id"]).stock == 2
    sign_out(page, live_server, admin)

    # The member sees the tracking number.
    sign_in(page, live_server, member)
    page.goto("/me/redemptions")
    row = page.locator(f"#redemption-{redemption_id}")
    expect(row.locator("code")).to_have_text(code)
    expect(row.locator("form[action$='/cancel']")).to_have_count(0)
    assert_accessible(page)


def test_the_leaderboard_and_a_public_profile_show_levels(page: Page, live_app, live_server):
    top = seed_user(live_app, "top", points=150)
    middle = seed_user(live_app, "mid", points=60)
    low = seed_user(live_app, "low", points=20)
    with live_app.app_context():
        ranks = {m["handle"]: leaderboard.own_rank("all", m["id"]) for m in (top, middle, low)}
        assert [ranks[m["handle"]][1] for m in (top, middle, low)] == [150, 60, 20]
        assert [levels.level_for(p).code for p in (150, 60, 20)] == \
            ["helper", "newcomer", "newcomer"]
    with live_app.test_request_context("/"):  # the labels in the language pages are served in
        helper, newcomer = str(levels.LEVELS[1]), str(levels.LEVELS[0])
    assert helper != newcomer

    # Anyone sees the board, best first; no own rank without signing in.
    page.goto("/leaderboard")
    assert_accessible(page)
    expect(page.locator("#my-rank")).to_have_count(0)
    for member, shown in ((top, "150"), (middle, "60"), (low, "20")):
        cells = row_of(page, member["handle"]).locator("td")
        expect(cells.nth(0)).to_have_text(str(ranks[member["handle"]][0]))
        expect(cells.nth(2)).to_have_text(shown)
    expect(row_of(page, top["handle"]).locator(".level-badge")).to_have_text(helper)
    expect(row_of(page, low["handle"]).locator(".level-badge")).to_have_text(newcomer)
    positions = [int(text) for text in page.locator("main table tbody tr td:first-child")
                 .all_inner_texts()]
    totals = [int(text) for text in page.locator("main table tbody tr td:last-child")
              .all_inner_texts()]
    assert positions == list(range(1, len(positions) + 1))
    assert totals == sorted(totals, reverse=True), f"not ordered by points: {totals}"
    assert ranks[top["handle"]][0] < ranks[middle["handle"]][0] < ranks[low["handle"]][0]

    # A signed-in member sees their own rank, and their row is marked.
    sign_in(page, live_server, middle)
    page.goto("/leaderboard")
    mine = page.locator("#my-rank")
    expect(mine).to_contain_text(str(ranks[middle["handle"]][0]))
    expect(mine).to_contain_text("60")
    expect(page.locator("main table tbody tr.table-info")).to_have_count(1)
    expect(row_of(page, middle["handle"])).to_have_class(re.compile(r"\btable-info\b"))
    assert_accessible(page)

    # The public profile shows the level of the member with more than 100 points.
    row_of(page, top["handle"]).locator(f"a[href='/members/{top['handle']}']").click()
    expect(page).to_have_url(f"{live_server}/members/{top['handle']}")
    expect(page.locator("main h1")).to_contain_text(f"@{top['handle']}")
    expect(page.locator("main h1 .level-badge")).to_have_text(helper)
    values = page.locator("main dl dd")
    expect(values.nth(0)).to_have_text("150")
    expect(values.nth(1)).to_have_text(str(ranks[top["handle"]][0]))
    assert_accessible(page)
    page.goto(f"/members/{low['handle']}")
    expect(page.locator("main h1 .level-badge")).to_have_text(newcomer)

    # Every badge is listed with a link to its holders.
    page.goto("/badges/")
    expect(page.locator("main table tbody tr")).to_have_count(len(badges.BADGES))
    for badge in badges.BADGES:
        expect(page.locator(f"main a[href='/badges/{badge.code}']")).to_have_count(1)
    assert_accessible(page)
