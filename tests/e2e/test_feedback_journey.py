"""Feedback in the browser: a tester answers a form and files a bug with a screenshot,
another tester says "me too", staff acknowledge and fix it and the reporter follows it on
the timeline; the staff dashboard lists a report waiting too long and the analytics show
the chart. Every page visited is checked with axe.

As in test_campaign_journey: one browser context per person, elements found by ids,
names, hrefs and form actions (the new strings are not translated yet), texts the app
composes computed by the live app itself, and the database checked afterwards.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask_babel import gettext, ngettext
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from lab.accounts.models import User
from lab.campaigns import lifecycle
from lab.campaigns.models import CONFIRMED, Application, Campaign
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.feedback import access, builder, reports, responses
from lab.feedback.models import FormResponse, Report, ReportMeToo
from lab.feedback.notices import STATUS_LABELS
from lab.rewards.models import LedgerEntry
from tests.campaigns.helpers import campaign_fields
from tests.e2e.test_account_journey import assert_accessible
from tests.e2e.test_campaign_journey import (  # noqa: F401  (person_page is a fixture)
    expect_at,
    expect_success_flash,
    in_page_language,
    person_page,
    seed_person,
    seed_product,
)
from tests.e2e.test_rewards_journey import submit

pytestmark = pytest.mark.e2e


# --- seeding, in the live app's own database --------------------------------------

def seed_campaign_in_testing(app, creator: dict, approver: dict, testers: list[dict]) -> dict:
    """A campaign with shared reports, created and submitted by ``creator``, approved by
    ``approver``, moved on to testing; the testers hold confirmed places (written
    directly, as tests/feedback/conftest.py make_test_campaign does)."""
    product = seed_product(app, creator["id"])
    slug = f"fb-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        author, reviewer = (db.session.get(User, p["id"]) for p in (creator, approver))
        campaign = lifecycle.create_campaign(author, **campaign_fields(
            product["id"], slug=slug, title=f"Router field test {slug}", reports_shared=True))
        lifecycle.submit_for_review(author, campaign)
        lifecycle.approve(reviewer, campaign)
        lifecycle.advance(author, campaign)  # selection
        lifecycle.advance(author, campaign)  # testing
        for tester in testers:
            db.session.add(Application(campaign_id=campaign.id, member_id=tester["id"],
                                       status=CONFIRMED, answers={}, confirmed_at=utcnow()))
        db.session.commit()
        return {"id": campaign.id, "slug": slug}


def seed_form(app, campaign: dict, actor: dict) -> dict:
    """A form open now and due in a week: a rating, an NPS and a long text question."""
    with app.app_context():
        campaign_row = db.session.get(Campaign, campaign["id"])
        staff = db.session.get(User, actor["id"])
        now = utcnow()
        form = builder.save_form(staff, campaign_row, title="First impressions",
                                 intro="Tell us how the first week went.",
                                 opens_at=now - timedelta(hours=1),
                                 due_at=now + timedelta(days=7))
        questions = {kind: builder.save_question(
            staff, form, kind=kind, label=label, help_text=None, required=True, options=[])
            for kind, label in (("rating", "How do you rate the setup?"),
                                ("nps", "Would you recommend it to a friend?"),
                                ("long_text", "What did you like?"))}
        db.session.commit()
        return {"id": form.id, **{kind: f"q{q.id}" for kind, q in questions.items()}}


def seed_old_report(app, campaign: dict, tester: dict, hours_ago: int) -> dict:
    """A critical bug the tester filed ``hours_ago`` hours ago: its response clock started
    then. (frozen_at is global: nothing may run in the server meanwhile.)"""
    title = f"Router reboots in a loop {uuid.uuid4().hex[:6]}"
    with app.app_context(), frozen_at(utcnow() - timedelta(hours=hours_ago)):
        participation = access.participation(tester["id"], db.session.get(Campaign,
                                                                          campaign["id"]))
        report = reports.file_report(participation, kind="bug", title=title,
                                     severity="critical", steps="Switch it on.",
                                     actual="It restarts every minute.")
        db.session.commit()
        return {"id": report.id, "title": title}


def screenshot(tmp_path) -> str:
    path = tmp_path / "screenshot.png"
    Image.new("RGB", (160, 90), (161, 0, 90)).save(path, format="PNG")
    return str(path)


# --- the journey ----------------------------------------------------------------

def test_a_bug_is_filed_confirmed_fixed_and_followed_and_staff_see_overdue_and_charts(
        person_page, live_app, live_server, tmp_path):  # noqa: F811 (the fixture)
    staff = seed_person(live_app, "fbstaff", roles=("staff",))
    admin = seed_person(live_app, "fbadmin", roles=("admin",))
    tester_a = seed_person(live_app, "fbtesta")
    tester_b = seed_person(live_app, "fbtestb")
    campaign = seed_campaign_in_testing(live_app, staff, admin, [tester_a, tester_b])
    form = seed_form(live_app, campaign, staff)
    # before any browser is busy: frozen time is seen by the server thread too
    old = seed_old_report(live_app, campaign, tester_b, hours_ago=10)
    slug = campaign["slug"]
    area = f"/tests/{slug}/"
    staff_base = f"/staff/campaigns/{slug}"

    def label(compose) -> str:
        return in_page_language(live_app, compose)

    # 1. Tester A opens the test area and the form, answers it and submits.
    page_a = person_page(tester_a)
    page_a.goto(area)
    assert_accessible(page_a)
    form_url = f"/tests/{slug}/forms/{form['id']}"
    page_a.locator(f"#form-{form['id']} a[href='{form_url}']").click()
    expect_at(page_a, f"{live_server}{form_url}")
    assert_accessible(page_a)
    answers = page_a.locator("main form.feedback-form")
    answers.locator(f"input[name={form['rating']}][value='4']").check()
    answers.locator(f"input[name={form['nps']}][value='9']").check()
    answers.locator(f"textarea[name={form['long_text']}]").fill("The setup took a minute.")
    submit(page_a, answers.locator("[type=submit][name=submit]"))
    expect_at(page_a, f"{live_server}{area}#forms")
    expect_success_flash(page_a)
    expect(page_a.locator(f"#form-{form['id']} .form-state")).to_have_text(
        label(lambda: responses.FORM_STATE_LABELS["submitted"]))
    assert_accessible(page_a)

    # 2. A files a bug with a screenshot and lands on the report, which shows it.
    new_report = f"/tests/{slug}/reports/new"
    page_a.locator(f"#reports a[href='{new_report}']").click()
    expect_at(page_a, f"{live_server}{new_report}")
    assert_accessible(page_a)
    title = f"WiFi drops every hour {uuid.uuid4().hex[:6]}"
    filing = page_a.locator("main form.report-form")
    filing.locator("input[name=kind][value=bug]").check()
    filing.locator("select[name=severity]").select_option(value="major")
    filing.locator("input[name=title]").fill(title)
    filing.locator("textarea[name=steps]").fill("Leave the router running.\nWait an hour.")
    filing.locator("textarea[name=actual]").fill("The WiFi drops for a minute.")
    filing.locator("input[type=file][name=attachments]").set_input_files(screenshot(tmp_path))
    submit(page_a, filing.locator("[type=submit][name=submit]"))
    with live_app.app_context():
        report_id = db.session.scalar(select(Report.id).where(
            Report.campaign_id == campaign["id"], Report.member_id == tester_a["id"]))
    assert report_id is not None, "the form filed no report"
    report_url = f"/tests/{slug}/reports/{report_id}"
    expect_at(page_a, f"{live_server}{report_url}")
    expect_success_flash(page_a)
    expect(page_a.locator("main h1")).to_have_text(title)
    image = page_a.locator("main .report-attachments img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    width = image.evaluate("async img => { await img.decode(); return img.naturalWidth; }")
    assert width > 0, "the screenshot did not load"
    assert_accessible(page_a)

    # 3. Tester B finds A's report among the other testers' reports and says "me too".
    page_b = person_page(tester_b)
    page_b.goto(area)
    page_b.locator(f"#others a[href='{report_url}']").click()
    expect_at(page_b, f"{live_server}{report_url}")
    me_too_count = page_b.locator("main .me-too-count")
    expect(me_too_count).to_have_text(label(lambda: ngettext(
        "%(num)d tester said “me too”.", "%(num)d testers said “me too”.", 0)))
    submit(page_b, page_b.locator(
        f"main form[action='{report_url}/me-too'] [type=submit]"))
    expect_at(page_b, f"{live_server}{report_url}")
    expect_success_flash(page_b)
    expect(me_too_count).to_have_text(label(lambda: ngettext(
        "%(num)d tester said “me too”.", "%(num)d testers said “me too”.", 1)))
    expect(page_b.locator("main .me-too-said")).to_be_visible()
    assert_accessible(page_b)

    # 4. Staff open the campaign's reports and the report, acknowledge it, then fix it.
    page_s = person_page(staff)
    page_s.goto(f"{staff_base}/reports")
    assert_accessible(page_s)
    staff_report = f"{staff_base}/reports/{report_id}"
    page_s.locator(f"#reports a[href='{staff_report}']").click()
    expect_at(page_s, f"{live_server}{staff_report}")
    expect(page_s.locator("#me-too-count")).to_have_text(label(lambda: ngettext(
        "%(num)d other tester", "%(num)d other testers", 1)))
    assert_accessible(page_s)
    for status in ("acknowledged", "fixed"):
        status_form = page_s.locator(f"form#status-form[action='{staff_report}/status']")
        status_form.locator("select[name=status]").select_option(value=status)
        submit(page_s, status_form.locator("[type=submit]"))
        expect_at(page_s, f"{live_server}{staff_report}")
        expect_success_flash(page_s)
        expect(page_s.locator("#report-status")).to_have_text(
            label(lambda s=status: STATUS_LABELS[s]))
    assert_accessible(page_s)

    # 5. A sees both changes on the report's timeline.
    page_a.goto(report_url)
    changes = [label(lambda old=old_status, new=new_status: gettext(
        "Status changed from “%(old)s” to “%(new)s”.",
        old=STATUS_LABELS[old], new=STATUS_LABELS[new]))
        for old_status, new_status in (("new", "acknowledged"), ("acknowledged", "fixed"))]
    timeline = page_a.locator("main ol.report-timeline > li")
    expect(timeline).to_have_count(3)  # filed, acknowledged, fixed
    expect(timeline.nth(1)).to_contain_text(changes[0])
    expect(timeline.nth(2)).to_contain_text(changes[1])
    expect(page_a.locator("main .report-facts .report-status")).to_have_text(
        label(lambda: STATUS_LABELS["fixed"]))
    assert_accessible(page_a)

    # 6. The staff dashboard lists B's critical bug, unanswered for ten hours, as overdue.
    page_admin = person_page(admin)
    page_admin.goto("/staff/")
    expect(page_admin.locator(f"#overdue a[href='{staff_base}/reports/{old['id']}']")) \
        .to_have_text(old["title"])
    # A's report was answered: it does not wait
    expect(page_admin.locator(f"#overdue a[href='{staff_report}']")).to_have_count(0)
    assert_accessible(page_admin)

    # 7. The analytics show the rating question's answers as a chart.
    page_s.goto(f"{staff_base}/analytics")
    rating_id = form["rating"][1:]
    chart = page_s.locator(f"svg#chart-question-{rating_id}[role=img]")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_contain_text("How do you rate the setup?")
    assert_accessible(page_s)

    # What the browser did, in the database.
    with live_app.app_context():
        saved = db.session.scalars(select(FormResponse).where(
            FormResponse.form_id == form["id"], FormResponse.member_id == tester_a["id"])).all()
        assert len(saved) == 1 and saved[0].submitted_at is not None
        assert {answer["kind"]: answer["value"] for answer in saved[0].answers.values()} == {
            "rating": 4, "nps": 9, "long_text": "The setup took a minute."}
        report = db.session.get(Report, report_id)
        assert (report.kind, report.severity, report.title) == ("bug", "major", title)
        assert (report.status, report.me_too_count) == ("fixed", 1)
        assert [(a.kind, a.original_name) for a in report.attachments] == \
            [("image", "screenshot.png")]
        assert db.session.scalars(select(ReportMeToo.member_id).where(
            ReportMeToo.report_id == report_id)).all() == [tester_b["id"]]
        reasons = db.session.scalars(select(LedgerEntry.reason).where(
            LedgerEntry.member_id == tester_a["id"]).order_by(LedgerEntry.reason)).all()
        assert reasons == ["bug_confirmed", "feedback_on_time"]
