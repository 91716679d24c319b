"""The staff pages of the test lab: real forms, errors beside their fields, four eyes,
decisions that change all or nothing, the CSV export and the question builder."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from flask_babel import to_user_timezone
from PIL import Image
from sqlalchemy import select

from lab.campaigns import lifecycle, ranking, selection
from lab.campaigns.models import (
    IN_REVIEW,
    RECRUITING,
    SELECTED,
    SUBMITTED,
    Application,
    Campaign,
    CampaignQuestion,
    Product,
)
from lab.core.clock import utcnow
from lab.extensions import db
from tests.campaigns.helpers import ADDRESS, fresh, statuses
from tests.support import count_queries, post_form


def _local(moment) -> str:
    """A UTC datetime as a datetime-local input sends it: in the reader's time zone."""
    return to_user_timezone(moment).strftime("%Y-%m-%dT%H:%M")


def _campaign_form(product, **overrides) -> dict:
    """A complete, valid campaign form as a browser posts it."""
    now = utcnow()
    form = {
        "title": "Speedport Smart 4 im Alltag", "slug": "speedport-smart-4",
        "product_id": str(product.id), "summary": "Vier Wochen mit dem neuen Router.",
        "description": "## Was Sie tun\n\nWöchentlich berichten.",
        "terms": "Gerät nach dem Test zurücksenden.", "device_policy": "return",
        "slots": "5", "completion_points": "100", "confirm_days": "5",
        "applications_open_at": _local(now + timedelta(days=1)),
        "applications_close_at": _local(now + timedelta(days=8)),
        "test_starts_at": _local(now + timedelta(days=10)),
        "test_ends_at": _local(now + timedelta(days=40)),
        "elig_min_level": "newcomer",
    }
    form.update(overrides)
    return form


def _by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def _image_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _applications(campaign) -> list[Application]:
    return list(db.session.scalars(select(Application).where(
        Application.campaign_id == campaign.id).order_by(Application.id)))


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.fixture
def world(make_staff, make_campaign, make_tester, apply):
    """A campaign in selection with one question, two applicants and a recorded draw
    elsewhere: every staff URL with real ids."""
    staff = make_staff()
    tester = make_tester()
    campaign = make_campaign("selection", staff, applicants=[tester],
                             questions=[{"kind": "short_text", "label": "Wie oft?"}])
    other = make_campaign("selection", staff, applicants=[make_tester()])
    draw = selection.run_draw(staff, other)
    application = campaign_application(campaign)
    return {"staff": staff, "campaign": campaign, "other": other, "draw": draw,
            "application": application, "question": campaign.questions[0]}


def campaign_application(campaign) -> Application:
    """The campaign's (first) application."""
    return _applications(campaign)[0]


STAFF_PAGES = [
    "/staff/products/", "/staff/products/new", "/staff/products/{product}/edit",
    "/staff/campaigns/", "/staff/campaigns/?state=selection", "/staff/campaigns/new",
    "/staff/campaigns/{slug}", "/staff/campaigns/{slug}/edit",
    "/staff/campaigns/{slug}/questions", "/staff/campaigns/{slug}/questions/{question}/edit",
    "/staff/campaigns/{slug}/applications",
    "/staff/campaigns/{slug}/applications?status=submitted&eligible=yes&q=x&sort=handle",
    "/staff/campaigns/{slug}/applications.csv",
    "/staff/campaigns/{slug}/applications/{application}",
    "/staff/campaigns/{other}/draws/{draw}",
]


def _url(template: str, world) -> str:
    return template.format(product=world["campaign"].product_id, slug=world["campaign"].slug,
                           question=world["question"].id, other=world["other"].slug,
                           draw=world["draw"].id, application=world["application"].id)


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_every_staff_page_renders_for_staff(client, auth, world, page):
    auth.login(world["staff"])
    assert client.get(_url(page, world)).status_code == 200


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_members_are_refused_every_staff_page(client, auth, world, make_member, page):
    auth.login(make_member())
    assert client.get(_url(page, world)).status_code == 403


@pytest.mark.parametrize("action", ["approve", "advance", "cancel", "rank", "draw",
                                    "applications/decide"])
def test_members_cannot_use_the_staff_buttons(client, auth, world, make_member, action):
    auth.login(make_member())
    url = f"/staff/campaigns/{world['campaign'].slug}/{action}"
    answer = post_form(client, url, {"reason": "x"}, page="/")
    assert answer.status_code == 403


def test_visitors_are_sent_to_sign_in(client, world):
    answer = client.get(_url("/staff/campaigns/{slug}", world))
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize("page", [
    "/staff/campaigns/no-such-campaign", "/staff/campaigns/no-such-campaign/applications",
    "/staff/products/999999/edit", "/staff/campaigns/{slug}/applications/999999",
    "/staff/campaigns/{slug}/questions/999999/edit", "/staff/campaigns/{slug}/draws/999999"])
def test_unknown_ids_and_slugs_are_404(client, auth, world, page):
    auth.login(world["staff"])
    assert client.get(_url(page, world)).status_code == 404


def test_an_application_of_another_campaign_is_404(client, auth, world):
    auth.login(world["staff"])
    elsewhere = campaign_application(world["other"])
    url = f"/staff/campaigns/{world['campaign'].slug}/applications/{elsewhere.id}"
    assert client.get(url).status_code == 404


def test_a_draw_of_another_campaign_is_404(client, auth, world):
    auth.login(world["staff"])
    url = f"/staff/campaigns/{world['campaign'].slug}/draws/{world['draw'].id}"
    assert client.get(url).status_code == 404


# ---- products ---------------------------------------------------------------------------

def test_a_product_is_created_with_its_image(client, auth, make_staff):
    auth.login(make_staff())
    answer = post_form(client, "/staff/products/new", {
        "name": "Speedport Smart 4", "maker": "Telekom", "category": "router",
        "description": "", "image": (io.BytesIO(_image_bytes()), "router.png")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "Speedport Smart 4"))
    assert product.image.startswith("products/")
    listing = client.get("/staff/products/").get_data(as_text=True)
    assert f"/media/{product.image}" in listing


def test_a_file_that_is_no_image_is_refused_beside_the_field(client, auth, make_staff):
    auth.login(make_staff())
    answer = post_form(client, "/staff/products/new", {
        "name": "Speedport Smart 4", "maker": "Telekom", "category": "router",
        "image": (io.BytesIO(b"not an image"), "router.png")},
        page="/staff/products/new", content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="image-error"' in html and 'value="Speedport Smart 4"' in html
    assert db.session.scalar(select(Product).where(Product.name == "Speedport Smart 4")) is None


# ---- campaigns ----------------------------------------------------------------------------

def test_a_campaign_is_created_through_the_form_as_a_draft(
        client, auth, make_staff, make_product):
    product = make_product()
    staff = auth.login(make_staff())
    answer = post_form(client, "/staff/campaigns/new", _campaign_form(product))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/staff/campaigns/speedport-smart-4")
    campaign = _by_slug("speedport-smart-4")
    assert campaign.state == "draft" and campaign.created_by_id == staff.id
    assert campaign.slots == 5 and campaign.product_id == product.id


def test_times_are_typed_in_berlin_time_and_stored_in_utc(
        client, auth, make_staff, make_product):
    auth.login(make_staff())
    form = _campaign_form(make_product(), applications_open_at="2030-01-15T10:00",
                          applications_close_at="2030-07-15T10:00",
                          test_starts_at="2030-08-01T10:00", test_ends_at="2030-09-01T10:00")
    post_form(client, "/staff/campaigns/new", form)
    campaign = _by_slug("speedport-smart-4")
    assert campaign.applications_open_at == datetime(2030, 1, 15, 9, 0)  # CET, UTC+1
    assert campaign.applications_close_at == datetime(2030, 7, 15, 8, 0)  # CEST, UTC+2
    page = client.get("/staff/campaigns/speedport-smart-4/edit").get_data(as_text=True)
    assert 'value="2030-01-15T10:00"' in page and 'value="2030-07-15T10:00"' in page


def test_the_campaign_form_composes_the_eligibility_rules(
        client, auth, make_staff, make_product):
    product = make_product()
    auth.login(make_staff())
    form = _campaign_form(product, elig_owns_os=["android", "ios"], elig_region=["DE-NW"],
                          elig_min_level="helper", elig_member_days="30")
    post_form(client, "/staff/campaigns/new", form)
    assert _by_slug("speedport-smart-4").eligibility == [
        {"rule": "owns_os", "values": ["android", "ios"]},
        {"rule": "region", "values": ["DE-NW"]},
        {"rule": "min_level", "value": "helper"},
        {"rule": "member_days", "value": 30},
    ]


def test_the_edit_form_shows_the_stored_rules(client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(creator=staff, eligibility=[
        {"rule": "connection", "values": ["fibre"]}, {"rule": "no_test_months", "value": 6}])
    auth.login(staff)
    html = client.get(f"/staff/campaigns/{campaign.slug}/edit").get_data(as_text=True)
    assert '<option selected value="fibre">' in html
    assert 'name="elig_no_test_months" type="number" value="6"' in html


def test_dates_in_the_wrong_order_are_shown_beside_the_field_with_the_input_kept(
        client, auth, make_staff, make_product):
    product = make_product()
    auth.login(make_staff())
    now = utcnow()
    form = _campaign_form(product, applications_close_at=_local(now - timedelta(days=3)))
    answer = post_form(client, "/staff/campaigns/new", form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="applications_close_at-error"' in html
    assert 'value="Speedport Smart 4 im Alltag"' in html
    assert _by_slug("speedport-smart-4") is None


def test_a_bad_rule_value_is_shown_beside_the_rule(client, auth, make_staff, make_product):
    product = make_product()
    auth.login(make_staff())
    answer = post_form(client, "/staff/campaigns/new",
                       _campaign_form(product, elig_member_days="5000"))
    html = answer.get_data(as_text=True)
    assert 'id="elig_member_days-error"' in html and 'value="5000"' in html
    assert _by_slug("speedport-smart-4") is None


def test_a_taken_slug_is_shown_beside_the_slug(
        client, auth, make_staff, make_product, make_campaign):
    product = make_product()
    make_campaign(slug="speedport-smart-4")
    auth.login(make_staff())
    answer = post_form(client, "/staff/campaigns/new", _campaign_form(product))
    assert 'id="slug-error"' in answer.get_data(as_text=True)


def test_editing_the_text_of_a_recruiting_campaign_sends_it_back_to_review(
        client, auth, make_staff, make_campaign):
    campaign = make_campaign(RECRUITING)
    editor = auth.login(make_staff())
    page = client.get(f"/staff/campaigns/{campaign.slug}/edit").get_data(as_text=True)
    assert "Fritz!Box 7690 field test" in page
    form = _campaign_form(campaign.product, slug=campaign.slug, title="Ein neuer Titel",
                          applications_open_at=_local(campaign.applications_open_at),
                          applications_close_at=_local(campaign.applications_close_at),
                          test_starts_at=_local(campaign.test_starts_at),
                          test_ends_at=_local(campaign.test_ends_at))
    answer = post_form(client, f"/staff/campaigns/{campaign.slug}/edit", form)
    assert answer.status_code == 302
    campaign = fresh(campaign)
    assert campaign.state == IN_REVIEW and campaign.submitted_by_id == editor.id
    overview = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'class="alert alert-warning"' in overview


def test_the_submitter_sees_why_they_cannot_approve(client, auth, make_staff, make_campaign):
    creator = make_staff()
    campaign = make_campaign(IN_REVIEW, creator)
    auth.login(creator)
    html = client.get(f"/staff/campaigns/{campaign.slug}").get_data(as_text=True)
    assert 'id="review-blocked"' in html
    assert f"/staff/campaigns/{campaign.slug}/approve" not in html


def test_the_submitter_cannot_approve_by_posting(client, auth, make_staff, make_campaign):
    creator = make_staff()
    campaign = make_campaign(IN_REVIEW, creator)
    auth.login(creator)
    post_form(client, f"/staff/campaigns/{campaign.slug}/approve", {},
              page=f"/staff/campaigns/{campaign.slug}")
    assert fresh(campaign).state == IN_REVIEW


def test_a_second_staff_member_approves_through_the_page(
        client, auth, make_staff, make_campaign):
    campaign = make_campaign(IN_REVIEW)
    reviewer = auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}"
    assert f"{page}/approve" in client.get(page).get_data(as_text=True)
    answer = post_form(client, f"{page}/approve", {}, page=page)
    assert answer.status_code == 302
    campaign = fresh(campaign)
    assert campaign.state == RECRUITING and campaign.approved_by_id == reviewer.id


def test_the_campaign_list_marks_what_awaits_my_review(
        client, auth, make_staff, make_campaign):
    mine, theirs = make_staff(), make_staff()
    own = make_campaign(IN_REVIEW, mine)
    other = make_campaign(IN_REVIEW, theirs)
    auth.login(mine)
    html = client.get("/staff/campaigns/?state=in_review").get_data(as_text=True)
    own_row = html.split(f'id="campaign-{own.id}"')[1].split("</tr>")[0]
    other_row = html.split(f'id="campaign-{other.id}"')[1].split("</tr>")[0]
    assert "badge text-bg-warning" in other_row and "badge text-bg-warning" not in own_row


def test_returning_to_draft_without_a_comment_changes_nothing(
        client, auth, make_staff, make_campaign):
    campaign = make_campaign(IN_REVIEW)
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}"
    post_form(client, f"{page}/return", {"reason": " "}, page=page)
    assert fresh(campaign).state == IN_REVIEW


def test_a_reviewer_returns_a_campaign_to_draft_with_a_comment(
        client, auth, make_staff, make_campaign):
    campaign = make_campaign(IN_REVIEW)
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}"
    post_form(client, f"{page}/return", {"reason": "Bitte Bedingungen kürzen."}, page=page)
    campaign = fresh(campaign)
    assert campaign.state == "draft" and campaign.review_comment == "Bitte Bedingungen kürzen."


def test_the_overview_shows_rules_and_history(client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(RECRUITING, staff, eligibility=[
        {"rule": "member_days", "value": 30}])
    auth.login(staff)
    html = client.get(f"/staff/campaigns/{campaign.slug}").get_data(as_text=True)
    rules = html.split('id="rules"')[1].split("</ul>")[0]
    assert "30" in rules
    history = html.split('id="history"')[1].split("</ul>")[0]
    assert history.count("<li>") == 3  # saved, submitted, approved


def test_advancing_through_the_page_moves_to_selection_and_ranks(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign(RECRUITING, applicants=[make_tester()])
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}"
    post_form(client, f"{page}/advance", {}, page=page)
    campaign = fresh(campaign)
    assert campaign.state == "selection" and campaign.ranked_at is not None


def test_moving_on_twice_from_the_same_page_moves_on_once(
        client, auth, make_staff, make_campaign):
    campaign = make_campaign(RECRUITING)
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}"
    for _ in range(2):  # a double click, or two people on the same page
        post_form(client, f"{page}/advance", {"expected_state": "recruiting"}, page=page)
    assert fresh(campaign).state == "selection"


def test_cancelling_needs_a_reason(client, auth, make_staff, make_campaign):
    campaign = make_campaign(RECRUITING)
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}"
    post_form(client, f"{page}/cancel", {"reason": ""}, page=page)
    assert fresh(campaign).state == RECRUITING


# ---- applications and selection ----------------------------------------------------------

def test_bulk_select_over_the_slots_shows_an_error_and_changes_nothing(
        client, auth, make_staff, make_campaign, make_tester):
    testers = [make_tester(), make_tester()]
    campaign = make_campaign("selection", slots=1, applicants=testers)
    auth.login(make_staff())
    ids = [campaign_app.id for campaign_app in _applications(campaign)]
    page = f"/staff/campaigns/{campaign.slug}/applications"
    answer = post_form(client, f"{page}/decide",
                       {"ids": [str(i) for i in ids], "decision": "select", "reason": ""},
                       page=page)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'class="alert alert-danger"' in html
    assert all(f'id="pick-{i}" checked' in html for i in ids)  # the ticks are kept
    assert set(statuses(campaign).values()) == {SUBMITTED}
    assert fresh(campaign).slots_taken == 0


def test_bulk_select_selects_the_ticked_applications(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign("selection", slots=2, applicants=[make_tester(), make_tester()])
    auth.login(make_staff())
    ids = [a.id for a in _applications(campaign)]
    page = f"/staff/campaigns/{campaign.slug}/applications"
    answer = post_form(client, f"{page}/decide",
                       {"ids": [str(i) for i in ids], "decision": "select"}, page=page)
    assert answer.status_code == 302
    assert set(statuses(campaign).values()) == {SELECTED}
    assert fresh(campaign).slots_taken == 2


def test_a_choice_against_the_ranking_needs_a_reason_beside_the_field(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign("selection", slots=2, applicants=[make_tester(), make_tester()])
    auth.login(make_staff())
    last = max(_applications(campaign), key=lambda a: a.rank)
    page = f"/staff/campaigns/{campaign.slug}/applications"
    answer = post_form(client, f"{page}/decide",
                       {"ids": [str(last.id)], "decision": "select"}, page=page)
    assert 'id="reason-error"' in answer.get_data(as_text=True)
    assert set(statuses(campaign).values()) == {SUBMITTED}


def test_select_by_ranking_through_the_page_fills_the_slots(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign("selection", slots=1, applicants=[make_tester(), make_tester()])
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}/applications"
    post_form(client, f"/staff/campaigns/{campaign.slug}/select-by-ranking", {}, page=page)
    assert sorted(statuses(campaign).values()) == ["selected", "waitlisted"]


def test_a_draw_through_the_page_leads_to_its_replay(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign("selection", slots=1, applicants=[make_tester(), make_tester()])
    auth.login(make_staff())
    page = f"/staff/campaigns/{campaign.slug}/applications"
    answer = post_form(client, f"/staff/campaigns/{campaign.slug}/draw", {}, page=page)
    assert f"/staff/campaigns/{campaign.slug}/draws/" in answer.headers["Location"]
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    draw = selection.latest_draw(campaign.id)
    assert draw.seed in html
    assert 'class="text-success"' in html.split('id="draw-replay"')[1].split("</dd>")[0]


def test_a_tampered_draw_does_not_replay(client, auth, world):
    draw = world["draw"]
    draw.order = [*draw.order, 999_999][::-1]  # a winner that the seed never drew
    auth.login(world["staff"])
    html = client.get(f"/staff/campaigns/{world['other'].slug}/draws/{draw.id}") \
        .get_data(as_text=True)
    assert 'class="text-danger"' in html.split('id="draw-replay"')[1].split("</dd>")[0]


def test_the_applications_table_filters_by_handle(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign("selection", applicants=[make_tester("Amsel"),
                                                      make_tester("Drossel")])
    auth.login(make_staff())
    html = client.get(f"/staff/campaigns/{campaign.slug}/applications?q=dross") \
        .get_data(as_text=True)
    table = html.split('id="applications"')[1]
    assert "@Drossel" in table and "@Amsel" not in table


def test_the_applications_table_explains_unmet_rules(
        client, auth, make_staff, make_campaign, make_tester):
    campaign = make_campaign("selection", applicants=[make_tester(region="DE-BY")],
                             eligibility=[{"rule": "region", "values": ["DE-BY"]}])
    campaign.eligibility = [{"rule": "region", "values": ["DE-NW"]}]  # the rule got stricter
    ranking.rank(make_staff(), campaign)
    auth.login(make_staff())
    html = client.get(f"/staff/campaigns/{campaign.slug}/applications?eligible=no") \
        .get_data(as_text=True)
    assert "Nordrhein-Westfalen" in html.split('id="applications"')[1]


def test_the_applications_page_runs_the_same_queries_for_3_and_12_applicants(
        client, auth, make_staff, make_campaign, make_tester, apply):
    staff = make_staff()
    campaign = make_campaign(RECRUITING, staff,
                             questions=[{"kind": "single", "label": "Wie oft?"}])
    for _n in range(3):
        apply(make_tester(), campaign)
    auth.login(staff)
    url = f"/staff/campaigns/{campaign.slug}/applications"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _n in range(9):
        apply(make_tester(), campaign)
    db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)


# ---- CSV -------------------------------------------------------------------------------

def test_the_csv_has_a_column_per_question_and_no_contact_data(
        client, auth, make_staff, make_campaign, make_tester):
    tester = make_tester("Kranich")
    campaign = make_campaign("selection", applicants=[tester], questions=[
        {"kind": "short_text", "label": "Wie oft streamen Sie?"},
        {"kind": "yes_no", "label": "Haben Sie Glasfaser?"}])
    auth.login(make_staff())
    answer = client.get(f"/staff/campaigns/{campaign.slug}/applications.csv")
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    header, row = _csv_rows(answer)
    assert header[-2:] == ["Wie oft streamen Sie?", "Haben Sie Glasfaser?"]
    assert row[0] == "Kranich" and row[1] == "submitted" and row[-2:] == ["Every day", "yes"]
    text = answer.get_data(as_text=True)
    assert tester.email not in text


def test_the_csv_neutralises_formulas(
        client, auth, make_staff, make_campaign, make_tester, apply):
    staff = make_staff()
    campaign = make_campaign(RECRUITING, staff, questions=[
        {"kind": "short_text", "label": "=Frage"}, {"kind": "number", "label": "Zahl"}])
    question, number = campaign.questions
    apply(make_tester(), campaign, {f"q{question.id}": '=HYPERLINK("http://x.test")',
                                    f"q{number.id}": "-3"})
    auth.login(staff)
    header, row = _csv_rows(client.get(f"/staff/campaigns/{campaign.slug}/applications.csv"))
    assert header[-2:] == ["'=Frage", "Zahl"]
    assert row[-2:] == ["'=HYPERLINK(\"http://x.test\")", "'-3"]


# ---- the question builder ------------------------------------------------------------------

def test_a_question_is_added_through_the_builder(client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(creator=staff)
    auth.login(staff)
    page = f"/staff/campaigns/{campaign.slug}/questions"
    answer = post_form(client, page, {"kind": "single", "label": "Welcher Tarif?",
                                      "required": "y", "options": "S\nM\n\nL\n"})
    assert answer.status_code == 302
    question = db.session.scalar(select(CampaignQuestion).where(
        CampaignQuestion.campaign_id == campaign.id))
    assert (question.label, question.options, question.required) == (
        "Welcher Tarif?", ["S", "M", "L"], True)


def test_a_choice_without_options_is_refused_beside_the_options(
        client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(creator=staff)
    auth.login(staff)
    answer = post_form(client, f"/staff/campaigns/{campaign.slug}/questions",
                       {"kind": "multiple", "label": "Welche Geräte?", "options": "Nur eins"})
    html = answer.get_data(as_text=True)
    assert 'id="options-error"' in html and 'value="Welche Geräte?"' in html
    assert fresh(campaign).questions == []


def test_moving_a_question_down_swaps_the_order(client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(creator=staff, questions=[{"label": "Erste"},
                                                       {"label": "Zweite"}])
    first = campaign.questions[0]
    auth.login(staff)
    page = f"/staff/campaigns/{campaign.slug}/questions"
    post_form(client, f"{page}/{first.id}/move", {"direction": "down"}, page=page)
    db.session.expire_all()
    assert [q.label for q in _by_slug(campaign.slug).questions] == ["Zweite", "Erste"]


def test_deleting_a_question_removes_it(client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(creator=staff, questions=[{"label": "Weg damit"}])
    question = campaign.questions[0]
    auth.login(staff)
    page = f"/staff/campaigns/{campaign.slug}/questions"
    post_form(client, f"{page}/{question.id}/delete", {}, page=page)
    db.session.expire_all()
    assert _by_slug(campaign.slug).questions == []


def test_a_question_is_edited_with_its_options_one_per_line(
        client, auth, make_staff, make_campaign):
    staff = make_staff()
    campaign = make_campaign(creator=staff, questions=[
        {"kind": "single", "label": "Tarif?", "options": ["A", "B"]}])
    question = campaign.questions[0]
    auth.login(staff)
    url = f"/staff/campaigns/{campaign.slug}/questions/{question.id}/edit"
    assert "A\nB</textarea>" in client.get(url).get_data(as_text=True)
    post_form(client, url, {"kind": "single", "label": "Tarif?", "options": "A\nB\nC"})
    assert fresh(question).options == ["A", "B", "C"]


# ---- one application -----------------------------------------------------------------------

def test_a_confirmed_tester_is_marked_completed_through_the_page(
        client, auth, make_staff, make_campaign, make_tester):
    staff = make_staff()
    tester = make_tester()
    campaign = make_campaign("selection", staff, applicants=[tester], completion_points=40)
    selection.select_by_ranking(staff, campaign)
    selection.confirm(tester, campaign, accept_terms=True, address=ADDRESS)
    lifecycle.advance(staff, campaign)
    application = campaign_application(campaign)
    auth.login(staff)
    page = f"/staff/campaigns/{campaign.slug}/applications/{application.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="terms-accepted"' in html
    post_form(client, f"{page}/finish", {"outcome": "completed"}, page=page)
    assert fresh(application).status == "completed"
    assert fresh(tester).reputation == 40


def test_dropping_a_tester_needs_a_reason(client, auth, make_staff, make_campaign, make_tester):
    staff = make_staff()
    tester = make_tester()
    campaign = make_campaign("selection", staff, applicants=[tester])
    selection.select_by_ranking(staff, campaign)
    selection.confirm(tester, campaign, accept_terms=True, address=ADDRESS)
    lifecycle.advance(staff, campaign)
    application = campaign_application(campaign)
    auth.login(staff)
    page = f"/staff/campaigns/{campaign.slug}/applications/{application.id}"
    post_form(client, f"{page}/finish", {"outcome": "dropped", "reason": ""}, page=page)
    assert fresh(application).status == "confirmed"
