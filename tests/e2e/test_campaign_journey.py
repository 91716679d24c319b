"""The test lab in the browser: a campaign created and approved with four eyes, members
applying (one told in plain words why they cannot), selection by ranking, a place given
up and confirmed from the waiting list; every page checked with axe.

Each person has a browser context of their own and stays signed in. The new strings are
not translated yet, so elements are found by ids, names, hrefs and form actions; texts
the app composes (rules, states, notifications) are computed by the live app itself.
What the browser did is checked in the database as well.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask_security import hash_password
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lab.accounts.models import ShippingAddress, User
from lab.accounts.services import add_device, create_user
from lab.campaigns import applications, eligibility, lifecycle, notices, products
from lab.campaigns.models import Application, Campaign
from lab.core.clock import utcnow
from lab.extensions import db
from lab.notify.models import Notification
from lab.notify.services import text_of, unread_count
from lab.rewards.services import award_points
from tests.conftest import TEST_PASSWORD
from tests.e2e.test_account_journey import assert_accessible
from tests.e2e.test_rewards_journey import sign_in, submit

pytestmark = pytest.mark.e2e

LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes
ADDRESS = {"full_name": "Erika Mustermann", "street": "Heidestraße 17",
           "postcode": "51147", "city": "Köln", "country": "DE"}


# --- seeding, in the live app's own database --------------------------------------

def seed_person(app, prefix: str, *, roles=(), os: str | None = None,
                points: int = 0) -> dict:
    """A confirmed account that signs in with TEST_PASSWORD; with ``os``, a tester
    profile listing a smartphone with that operating system; ``points`` of reputation."""
    suffix = uuid.uuid4().hex[:8]
    handle, email = f"{prefix}_{suffix}", f"{prefix}-{suffix}@example.org"
    with app.app_context():
        user = create_user(email, handle, "", roles=roles, confirmed=True,
                           password_hash=hash_password(TEST_PASSWORD))
        if os is not None:
            add_device(user, kind="smartphone", brand="Acme", model="One", os=os)
        if points:
            award_points(user, points, "manual_award", key=f"seed:{uuid.uuid4().hex}")
        db.session.commit()
        return {"id": user.id, "email": email, "handle": handle}


def seed_product(app, actor_id: int) -> dict:
    with app.app_context():
        product = products.save_product(
            db.session.get(User, actor_id), name=f"Pixel Test {uuid.uuid4().hex[:6]}",
            maker="Acme", category="smartphone", description="A phone to try out.")
        db.session.commit()
        return {"id": product.id}


def in_page_language(app, compose):
    """What the app says, in the language it serves these pages in (German)."""
    with app.test_request_context("/"):
        return str(compose())


# --- the browser ----------------------------------------------------------------

@pytest.fixture
def person_page(browser, live_server):
    """Factory: person_page(person) -> a page in a fresh context, signed in as them."""
    contexts = []

    def open_for(person: dict) -> Page:
        context = browser.new_context(base_url=live_server, locale="de-DE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, person)
        return page

    yield open_for
    for context in contexts:
        context.close()


def expect_at(page: Page, url: str) -> None:
    """The page is at url; if not, the message names the errors the page shows."""
    try:
        expect(page).to_have_url(url)
    except AssertionError:
        shown = page.locator(".invalid-feedback, .alert-danger, .alert-warning, .flashes") \
            .all_inner_texts()
        raise AssertionError(f"stayed at {page.url}, not {url}; the page says: {shown}") \
            from None


def expect_success_flash(page: Page) -> None:
    expect(page.locator(".flashes [role=status]")).to_be_visible()


def action(page: Page, path: str):
    """The submit button of the POST form aimed at this path."""
    return page.locator(f"main form[action='{path}'] [type=submit]")


# --- the journey ----------------------------------------------------------------

def test_a_campaign_goes_from_draft_to_a_confirmed_tester_from_the_waiting_list(
        person_page, live_app, live_server, unique):
    author = seed_person(live_app, "stfa", roles=("staff",))
    reviewer = seed_person(live_app, "stfb", roles=("staff",))
    # the same profile; only reputation differs, so the ranking is known in advance
    strong = seed_person(live_app, "andr1", os="android", points=300)
    second = seed_person(live_app, "andr2", os="android")
    apple = seed_person(live_app, "ios", os="ios")
    product = seed_product(live_app, author["id"])
    slug, title = f"e2e-{unique}", f"Pixel field test {unique}"
    base = f"/campaigns/{slug}"
    staff_base = f"/staff/campaigns/{slug}"
    now = utcnow()

    # 1. Staff member A creates the campaign through the form.
    author_page = person_page(author)
    author_page.goto("/staff/campaigns/new")
    assert_accessible(author_page)
    form = author_page.locator("main form[method=post]:has(input[name=slug])")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=slug]").fill(slug)
    form.locator("select[name=product_id]").select_option(value=str(product["id"]))
    form.locator("input[name=summary]").fill("Use the phone for four weeks and tell us.")
    form.locator("textarea[name=description]").fill("We send you the phone.")
    form.locator("textarea[name=terms]").fill("You report weekly and return the phone.")
    form.locator("select[name=device_policy]").select_option(value="return")
    for name, moment in (("applications_open_at", now - timedelta(hours=1)),
                         ("applications_close_at", now + timedelta(days=7)),
                         ("test_starts_at", now + timedelta(days=10)),
                         ("test_ends_at", now + timedelta(days=30))):
        form.locator(f"input[name={name}]").fill(moment.strftime(LOCAL))
    form.locator("input[name=slots]").fill("1")
    form.locator("select[name=elig_owns_os]").select_option(value=["android"])
    submit(author_page, form.locator("[type=submit]"))

    expect_at(author_page, f"{live_server}{staff_base}")
    expect_success_flash(author_page)
    assert_accessible(author_page)
    with live_app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert campaign is not None, "the form created no campaign"
        assert (campaign.title, campaign.state, campaign.slots) == (title, "draft", 1)
        assert (campaign.device_policy, campaign.product_id) == ("return", product["id"])
        assert campaign.eligibility == [{"rule": "owns_os", "values": ["android"]}]
        assert campaign.applications_open_at <= utcnow() < campaign.applications_close_at
        rule = campaign.eligibility[0]
    rule_text = in_page_language(live_app, lambda: eligibility.explain(rule))
    expect(author_page.locator("#rules li")).to_have_text([rule_text])

    # ... adds two screening questions ...
    author_page.locator(f"main nav a[href='{staff_base}/questions']").click()
    expect_at(author_page, f"{live_server}{staff_base}/questions")
    assert_accessible(author_page)
    for kind, label, options in (("single", "How often do you use your phone?",
                                  "Daily\nWeekly\nRarely"),
                                 ("number", "How many apps do you use daily?", "")):
        form = author_page.locator("main form[method=post]:has(select[name=kind])")
        form.locator("select[name=kind]").select_option(value=kind)
        form.locator("input[name=label]").fill(label)
        form.locator("textarea[name=options]").fill(options)
        submit(author_page, form.locator("[type=submit]"))
        expect_at(author_page, f"{live_server}{staff_base}/questions")
        expect_success_flash(author_page)
    expect(author_page.locator("#questions tbody tr[id^=question-]")).to_have_count(2)
    assert_accessible(author_page)
    with live_app.app_context():
        questions = db.session.scalars(select(Campaign).where(Campaign.slug == slug)) \
            .one().questions
        assert [(q.kind, q.options, q.required) for q in questions] == [
            ("single", ["Daily", "Weekly", "Rarely"], True), ("number", [], True)]
        choice_field, number_field = (f"q{q.id}" for q in questions)

    # ... submits it for review, and cannot approve it herself.
    author_page.goto(staff_base)
    submit(author_page, action(author_page, f"{staff_base}/submit"))
    expect_at(author_page, f"{live_server}{staff_base}")
    expect_success_flash(author_page)
    in_review = in_page_language(live_app, lambda: lifecycle.STATE_LABELS["in_review"])
    expect(author_page.locator("#campaign-state")).to_have_text(in_review)
    expect(author_page.locator("#review-blocked")).to_be_visible()
    expect(author_page.locator(f"form[action='{staff_base}/approve']")).to_have_count(0)
    expect(author_page.locator(f"form[action='{staff_base}/return']")).to_have_count(0)
    assert_accessible(author_page)

    # 2. Staff member B approves it: it is recruiting.
    reviewer_page = person_page(reviewer)
    reviewer_page.goto(staff_base)
    expect(reviewer_page.locator("#review-blocked")).to_have_count(0)
    submit(reviewer_page, action(reviewer_page, f"{staff_base}/approve"))
    expect_at(reviewer_page, f"{live_server}{staff_base}")
    expect_success_flash(reviewer_page)
    recruiting = in_page_language(live_app, lambda: lifecycle.STATE_LABELS["recruiting"])
    expect(reviewer_page.locator("#campaign-state")).to_have_text(recruiting)
    assert_accessible(reviewer_page)
    with live_app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert campaign.state == "recruiting"
        assert (campaign.submitted_by_id, campaign.approved_by_id) == \
            (author["id"], reviewer["id"])

    # 3. The two Android members find the campaign and apply.
    member_pages = {}
    for member in (strong, second):
        page = member_pages[member["id"]] = person_page(member)
        page.goto("/campaigns/")
        card = page.locator(f"main article.campaign-card:has(a[href='{base}'])")
        expect(card.locator(".eligibility-hint")).not_to_contain_text(rule_text)
        assert_accessible(page)
        card.locator(f"a[href='{base}']").click()
        expect_at(page, f"{live_server}{base}")
        expect(page.locator("main h1")).to_have_text(title)
        assert_accessible(page)
        page.locator(f"main a[href='{base}/apply']").click()
        expect_at(page, f"{live_server}{base}/apply")
        assert_accessible(page)
        form = page.locator("main form[method=post]:has(input[name=accept_terms])")
        form.locator(f"input[name={choice_field}][value=Daily]").check()
        form.locator(f"input[name={number_field}]").fill("12")
        form.locator("input[name=accept_terms]").check()
        submit(page, form.locator("[type=submit][name=submit]"))
        expect_at(page, f"{live_server}{base}")
        expect_success_flash(page)
        expect(page.locator("main aside .application-status")).to_be_visible()
        assert_accessible(page)

    # The iOS member is told in plain words why not, and gets no form to send.
    apple_page = person_page(apple)
    apple_page.goto("/campaigns/")
    card = apple_page.locator(f"main article.campaign-card:has(a[href='{base}'])")
    expect(card.locator(".eligibility-hint")).to_contain_text(rule_text)
    apple_page.goto(base)
    expect(apple_page.locator("main aside")).to_contain_text(rule_text)
    expect(apple_page.locator(f"main a[href='{base}/apply']")).to_have_count(0)
    assert_accessible(apple_page)
    apple_page.goto(f"{base}/apply")
    expect(apple_page.locator("main [role=alert] .unmet-rules li")).to_have_text([rule_text])
    expect(apple_page.locator("main form[method=post]")).to_have_count(0)
    expect(apple_page.locator("main [type=submit]")).to_have_count(0)
    assert_accessible(apple_page)

    with live_app.app_context():
        rows = dict(db.session.execute(
            select(Application.member_id, Application.status)
            .where(Application.campaign_id == campaign.id)).all())
        assert rows == {strong["id"]: "submitted", second["id"]: "submitted"}
        answers = db.session.scalar(select(Application.answers).where(
            Application.campaign_id == campaign.id, Application.member_id == strong["id"]))
        assert answers[choice_field[1:]]["value"] == "Daily"
        assert answers[number_field[1:]]["value"] == 12

    # 4. A moves the campaign on to selection, which ranks the applicants ...
    author_page.goto(staff_base)
    submit(author_page, action(author_page, f"{staff_base}/advance"))
    expect_at(author_page, f"{live_server}{staff_base}")
    expect_success_flash(author_page)
    selection = in_page_language(live_app, lambda: lifecycle.STATE_LABELS["selection"])
    expect(author_page.locator("#campaign-state")).to_have_text(selection)
    with live_app.app_context():
        ranked = {a.member_id: a for a in db.session.scalars(
            select(Application).where(Application.campaign_id == campaign.id))}
        first, runner_up = ranked[strong["id"]], ranked[second["id"]]
        assert (first.rank, runner_up.rank) == (1, 2)
        assert (first.reputation_12m, runner_up.reputation_12m) == (300, 0)
        assert first.score > runner_up.score
        first_id, runner_up_id = first.id, runner_up.id
        first_score, runner_up_score = first.score, runner_up.score

    # ... sees the parts of each score ...
    author_page.locator(f"main nav a[href='{staff_base}/applications']").click()
    expect_at(author_page, f"{live_server}{staff_base}/applications")
    for application_id, rank, score, helpfulness in (
            (first_id, 1, first_score, "0.30"), (runner_up_id, 2, runner_up_score, "0.00")):
        cells = author_page.locator(f"#application-{application_id} > td")
        # cells: choose, rank, status, score, eligibility, submitted, answers
        expect(cells.nth(1)).to_have_text(str(rank))
        expect(cells.nth(3).locator("strong")).to_have_text(f"{score:.2f}")
        expect(cells.nth(3).locator("li")).to_have_count(4)
        expect(cells.nth(3).locator("li").first).to_contain_text(f"50 × {helpfulness}")
    assert_accessible(author_page)

    # ... and selects by ranking: the first gets the place, the other waits.
    submit(author_page, action(author_page, f"{staff_base}/select-by-ranking"))
    expect_at(author_page, f"{live_server}{staff_base}/applications")
    expect_success_flash(author_page)
    selected, waitlisted = (in_page_language(live_app, lambda s=s: applications.STATUS_LABELS[s])
                            for s in ("selected", "waitlisted"))
    expect(author_page.locator(f"#application-{first_id} > td").nth(2)).to_have_text(selected)
    expect(author_page.locator(f"#application-{runner_up_id} > td").nth(2)) \
        .to_contain_text(waitlisted)
    assert_accessible(author_page)
    with live_app.app_context():
        assert db.session.get(Application, first_id).status == "selected"
        assert db.session.get(Application, runner_up_id).status == "waitlisted"
        assert db.session.get(Campaign, campaign.id).slots_taken == 1

    # 5. The selected member gives the place up ...
    page = member_pages[strong["id"]]
    page.goto(base)
    expect(page.locator(f"main aside a[href='{base}/confirm']")).to_be_visible()
    submit(page, action(page, f"{base}/decline"))
    expect_at(page, f"{live_server}{base}")
    expect_success_flash(page)
    declined = in_page_language(live_app, lambda: applications.STATUS_LABELS["declined"])
    expect(page.locator("main aside .application-status")).to_have_text(declined)
    assert_accessible(page)

    # ... so the member on the waiting list is offered it, in the app.
    with live_app.app_context():
        offer = db.session.scalar(select(Notification).where(
            Notification.member_id == second["id"], Notification.kind == notices.OFFERED_KIND))
        assert offer is not None, "the waiting list was not offered the place"
        assert offer.link == base
        unread = unread_count(second["id"])
    offer_text = in_page_language(live_app, lambda: text_of(offer))
    page = member_pages[second["id"]]
    page.goto("/me/")
    bell = page.locator("header a[href='/me/notifications']")
    expect(bell.locator(".badge")).to_contain_text(str(unread))
    bell.click()
    expect_at(page, f"{live_server}/me/notifications")
    assert_accessible(page)
    note = page.locator("main ul.list-group > li", has_text=offer_text)
    expect(note).to_have_count(1)
    submit(page, note.locator(f"form[action='/me/notifications/{offer.id}/open'] "
                              "[type=submit]"))

    # The member confirms with a shipping address and the terms.
    expect_at(page, f"{live_server}{base}")
    expect(page.locator("main aside .application-status")).to_have_text(selected)
    page.locator(f"main aside a[href='{base}/confirm']").click()
    expect_at(page, f"{live_server}{base}/confirm")
    assert_accessible(page)
    form = page.locator("main form[method=post]:has(input[name=accept_terms])")
    for name in ("full_name", "street", "postcode", "city"):
        form.locator(f"input[name={name}]").fill(ADDRESS[name])
    form.locator("select[name=country]").select_option(value=ADDRESS["country"])
    form.locator("input[name=accept_terms]").check()
    submit(page, form.locator("[type=submit][name=submit]"))
    expect_at(page, f"{live_server}{base}")
    expect_success_flash(page)
    confirmed = in_page_language(live_app, lambda: applications.STATUS_LABELS["confirmed"])
    expect(page.locator("main aside .application-status")).to_have_text(confirmed)
    assert_accessible(page)

    # My area shows the confirmed place.
    page.goto("/me/")
    mine = page.locator(f"main .my-application:has(a[href='{base}'])")
    expect(mine.locator(".application-status")).to_have_text(confirmed)
    assert_accessible(page)

    with live_app.app_context():
        rows = dict(db.session.execute(
            select(Application.member_id, Application.status)
            .where(Application.campaign_id == campaign.id)).all())
        assert rows == {strong["id"]: "declined", second["id"]: "confirmed"}
        campaign = db.session.get(Campaign, campaign.id)
        assert (campaign.state, campaign.slots_taken) == ("selection", 1)
        confirmed_row = db.session.get(Application, runner_up_id)
        assert confirmed_row.confirmed_at is not None
        assert confirmed_row.terms_version == campaign.terms_version
        address = db.session.get(ShippingAddress, second["id"])
        assert address is not None, "the shipping address was not stored"
        assert (address.full_name, address.street, address.postcode, address.city,
                address.country) == tuple(ADDRESS[k] for k in (
                    "full_name", "street", "postcode", "city", "country"))
