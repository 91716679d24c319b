"""The test lab's pages run a fixed number of SQL queries, however many campaigns,
applications, history events and applicants there are."""

from __future__ import annotations

from sqlalchemy import select

from lab.campaigns import applications, selection
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    NUMBER,
    RECRUITING,
    SELECTION,
    SHORT_TEXT,
    TESTING,
    Application,
)
from lab.extensions import db
from tests.support import count_queries

QUESTIONS = [{"kind": NUMBER, "label": "How many devices?"},
             {"kind": SHORT_TEXT, "label": "What for?"}]
ANDROID = {"rule": "owns_os", "values": ["android"]}
# rules of every kind, met and unmet by the viewer (Android, fibre, DE-NW, a new member)
RULES = [[], [ANDROID], [{"rule": "owns_os", "values": ["ios"]},
                         {"rule": "region", "values": ["DE-BY"]}],
         [{"rule": "min_level", "value": "helper"}, {"rule": "connection", "values": ["dsl"]}],
         [{"rule": "member_days", "value": 30}, {"rule": "owns_device_kind",
                                                 "values": ["tablet"]}],
         [{"rule": "no_test_months", "value": 6}, ANDROID]]
ELIGIBLE = (0, 1, 5)  # the viewer meets RULES[0], RULES[1] and RULES[5]
# the states of the campaigns added for "many", besides recruiting ones
LATER_STATES = [SELECTION, SELECTION, SELECTION, TESTING, TESTING, CLOSED, CANCELLED]
LIMIT = 12


def _mine(viewer, campaign) -> Application:
    return db.session.scalar(select(Application).where(
        Application.member_id == viewer.id, Application.campaign_id == campaign.id))


def _count_mine(viewer) -> int:
    return len(db.session.scalars(
        select(Application.id).where(Application.member_id == viewer.id)).all())


def _recruiting(make_campaign, viewer, neighbour, rule_sets: list[int]):
    """Recruiting campaigns with these RULES; the viewer applies where eligible, a
    neighbour where there are no rules."""
    made = []
    for n, index in enumerate(rule_sets):
        applicants = ([viewer] if index in ELIGIBLE else []) + ([neighbour] if index == 0
                                                                 else [])
        made.append(make_campaign(RECRUITING, eligibility=RULES[index],
                                  questions=QUESTIONS[:1 + n % 2], applicants=applicants))
    return made


def _later(make_campaign, make_staff, viewer, neighbour):
    """Campaigns past recruiting the viewer applied to, with decisions, so the viewer's
    applications have every status and long histories."""
    staff = make_staff()
    for n, state in enumerate(LATER_STATES):
        campaign = make_campaign(state, staff, applicants=[viewer, neighbour], slots=1,
                                 eligibility=RULES[n % 2], questions=QUESTIONS)
        if state == SELECTION:
            decision = ("select", "waitlist", "decline")[n % 3]
            selection.decide(staff, campaign, [_mine(viewer, campaign).id], decision,
                             "for the query count")


def _longer_history(viewer, campaigns):
    """Withdraw and send again: more events on the same applications."""
    for campaign in campaigns:
        application = _mine(viewer, campaign)
        if application is not None:
            applications.withdraw(viewer, campaign)
            applications.save(viewer, campaign, {}, submit=False)


def _counts(client, urls) -> dict[str, list[str]]:
    counted = {}
    for url in urls:
        with count_queries() as statements:
            answer = client.get(url)
        assert answer.status_code == 200, url
        counted[url] = statements
    return counted


def _assert_same(few, many, limit=LIMIT):
    for url in few:
        assert len(many[url]) == len(few[url]), f"{url}:\n" + "\n".join(many[url])
        assert len(few[url]) <= limit, f"{url}:\n" + "\n".join(few[url])


def test_member_pages_run_the_same_queries_with_2_or_15_campaigns_and_1_or_12_applications(
        client, auth, make_tester, make_staff, make_campaign):
    viewer = auth.login(make_tester(locale="en"))
    neighbour = make_tester()
    first, _unmet = _recruiting(make_campaign, viewer, neighbour, [0, 2])
    db.session.commit()
    application = _mine(viewer, first)
    assert _count_mine(viewer) == 1
    urls = ["/campaigns/", "/campaigns/?show=all", f"/campaigns/{first.slug}", "/me/",
            f"/me/applications/{application.id}"]
    few = _counts(client, urls)

    added = _recruiting(make_campaign, viewer, neighbour, [1, 3, 4, 5, 0, 1])
    _later(make_campaign, make_staff, viewer, neighbour)
    _longer_history(viewer, [first, *added])
    db.session.commit()
    assert _count_mine(viewer) == 12
    many = _counts(client, urls)
    _assert_same(few, many)


def test_the_staff_applications_page_runs_the_same_queries_with_3_and_30_applicants(
        client, auth, make_staff, make_tester, make_campaign):
    staff = auth.login(make_staff(locale="en"))
    small = make_campaign(SELECTION, staff, questions=QUESTIONS,
                          applicants=[make_tester() for _ in range(3)], slots=2)
    large = make_campaign(SELECTION, staff, questions=QUESTIONS,
                          applicants=[make_tester() for _ in range(30)], slots=2)
    for campaign in (small, large):
        ranked = db.session.scalars(
            select(Application.id).where(Application.campaign_id == campaign.id)
            .order_by(Application.rank)).all()
        selection.decide(staff, campaign, ranked[:1], "select")
        selection.decide(staff, campaign, ranked[1:2], "waitlist")
    db.session.commit()
    url = "/staff/campaigns/{slug}/applications"
    few = _counts(client, [url.format(slug=small.slug)])
    many = _counts(client, [url.format(slug=large.slug)])
    _assert_same({url: few.popitem()[1]}, {url: many.popitem()[1]})
