"""The feedback demo (lab.feedback.demo, part of `flask lab seed-demo`): a campaign in
testing with forms, answers, tasks and triaged reports, one in evaluation with full
analytics, an overdue report for the staff dashboard; built through the services."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import func, select

from lab.accounts.models import User
from lab.campaigns.models import EVALUATION, TESTING, Campaign
from lab.core.clock import utcnow
from lab.core.uploads import private_root
from lab.extensions import db
from lab.feedback import access, analytics, attachments, builder, reports, tasks
from lab.feedback.demo import EVALUATION_SLUG, TESTING_SLUG
from lab.feedback.models import (
    ACKNOWLEDGED,
    DUPLICATE,
    FIXED,
    FORM_QUESTION_KINDS,
    FORWARDED,
    NEW,
    REPORT_KINDS,
    SEVERITIES,
    WONT_FIX,
    FeedbackForm,
    Report,
    ReportMeToo,
)
from lab.feedback.responses import (
    DRAFT,
    MISSED,
    NOT_OPEN,
    OPEN,
    SUBMITTED,
    form_state,
    responses_of,
)
from lab.notify import clocks
from tests.conftest import make_app
from tests.support import postgres_url, sqlite_url

# what this module leaves out of lab.demo.seed: the rewards history, the devices and the
# community are most of the seed's time and not this domain's business
# (tests/test_cli.py runs the whole seed)
OTHER_DEMOS = ("_seed_rewards", "_seed_logistics", "_seed_community")
# database kind -> (app, printed logins): seeded once per run and worker (pytest-xdist may
# interleave this module's tests with others', which tears module fixtures down)
_SEEDED: dict[str, tuple] = {}


def _seed():
    import lab.demo

    with pytest.MonkeyPatch.context() as patch:
        for step in OTHER_DEMOS:
            patch.setattr(lab.demo, step, lambda: None)
        return lab.demo.seed()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request):
    """Which database this module's tests run on (named database_url so that the summary
    counts the tests per database)."""
    return request.param


@pytest.fixture
def demo(database_url, tmp_path_factory):
    """The seeded app's context for one test (whatever the test changes is rolled back);
    yields the logins the seed printed."""
    if database_url not in _SEEDED:
        url = sqlite_url(tmp_path_factory.mktemp("feedbackdemo")) \
            if database_url == "sqlite" else postgres_url("_fbdemo")
        app = make_app(url, PRIVATE_UPLOAD_FOLDER=str(tmp_path_factory.mktemp("fbprivate")))
        with app.app_context():
            flask_migrate.upgrade()
            logins = _seed()
            db.session.commit()
            db.session.remove()
        _SEEDED[database_url] = (app, logins)
    app, logins = _SEEDED[database_url]
    with app.app_context():
        try:
            yield logins
        finally:
            db.session.rollback()
            db.session.remove()


def _campaign(slug: str) -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def _reports(campaign: Campaign) -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.campaign_id == campaign.id)
                                   .order_by(Report.id)))


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_campaign_in_testing_has_forms_in_every_state_answers_and_tasks(demo):
    campaign = _campaign(TESTING_SLUG)
    assert campaign.state == TESTING
    testers = access.tester_ids(campaign.id)
    forms = builder.forms_of(campaign.id)
    now = utcnow()
    states = {form_state(form, responses_of(member, [form.id]).get(form.id), now)
              for form in forms for member in testers}
    assert states == {SUBMITTED, DRAFT, MISSED, OPEN, NOT_OPEN}
    assert any(form.title == "Erste Eindrücke" for form in forms)
    task_list = builder.tasks_of(campaign.id)
    assert len(task_list) >= 4 and any(task.form_id for task in task_list)
    task_states = {state.state for member in testers
                   for state in tasks.states_for(member, task_list, now)}
    assert {tasks.DONE, tasks.OVERDUE, tasks.DUE_SOON_STATE} <= task_states


def test_demo_forms_ask_questions_of_every_kind(demo):
    kinds = {question.kind for form in db.session.scalars(select(FeedbackForm))
             for question in form.questions}
    assert kinds == set(FORM_QUESTION_KINDS)


def test_campaign_in_testing_has_reports_of_every_kind_severity_and_status(demo):
    found = _reports(_campaign(TESTING_SLUG))
    assert {r.kind for r in found} == set(REPORT_KINDS)
    assert {r.severity for r in found if r.severity} == set(SEVERITIES)
    assert {NEW, ACKNOWLEDGED, FORWARDED, FIXED, WONT_FIX, DUPLICATE} <= {r.status
                                                                      for r in found}


def test_campaign_in_testing_has_a_merged_duplicate_whose_me_toos_joined_the_kept_report(demo):
    found = _reports(_campaign(TESTING_SLUG))
    duplicate = next(r for r in found if r.status == DUPLICATE)
    kept = db.session.get(Report, duplicate.duplicate_of_id)
    joined = set(db.session.scalars(select(ReportMeToo.member_id)
                                    .where(ReportMeToo.report_id == kept.id)))
    assert duplicate.member_id in joined and kept.member_id not in joined
    assert kept.me_too_count == len(joined) >= 2
    assert duplicate.me_too_count == 0
    assert sum(r.me_too_count for r in found if r.id != kept.id) >= 2  # others too


def test_campaign_in_testing_has_a_thread_between_staff_and_the_reporter(demo):
    threads = [reports.comments_of(r.id) for r in _reports(_campaign(TESTING_SLUG))]
    thread = next(t for t in threads if len(t) >= 3)
    assert [c.from_staff for c in thread] == [True, False, True]
    assert thread[1].author_id == db.session.get(Report, thread[1].report_id).member_id


def test_a_bug_in_testing_has_a_png_screenshot_in_the_private_folder(demo):
    stored = [a for r in _reports(_campaign(TESTING_SLUG)) for a in r.attachments]
    assert len(stored) == 1
    screenshot = stored[0]
    assert (screenshot.kind, screenshot.content_type) == ("image", "image/png")
    path = attachments.path_of(screenshot)
    assert path.is_relative_to(private_root())
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size == screenshot.size


def test_campaign_in_evaluation_has_every_form_submitted_by_every_tester_and_an_nps(demo):
    campaign = _campaign(EVALUATION_SLUG)
    assert campaign.state == EVALUATION
    numbers = analytics.for_campaign(campaign)
    assert numbers.testers >= 5
    assert len(numbers.forms) >= 2
    assert all(f.submitted == numbers.testers and f.drafts == 0 for f in numbers.forms)
    scores = [q.nps.score for f in numbers.forms for q in f.questions if q.nps]
    assert scores and scores[0] is not None
    charted = [q for f in numbers.forms for q in f.questions if q.chartable]
    assert all(len({count for _, count in q.distribution}) > 1 for q in charted)  # varied
    assert numbers.tasks and all(t.done * 2 > t.testers for t in numbers.tasks)
    assert numbers.reports_total() >= 5


def test_staff_dashboard_lists_an_overdue_critical_report_and_an_escalated_one(demo):
    items, total = clocks.overdue()
    assert total >= 2
    testing = f"/staff/campaigns/{TESTING_SLUG}/reports/"
    demo = [item for item in items if item.subject.link.startswith(testing)]
    assert any(item.clock.category == "critical" and not item.escalated for item in demo)
    assert any(item.escalated for item in demo)
    assert clocks.response_times().count > clocks.response_times().within_target > 0


def test_printed_logins_name_the_testers_who_can_open_the_test_area(demo):
    logins = demo

    testers = [email for role, email in logins if role == "tester"]
    assert testers
    campaign = _campaign(TESTING_SLUG)
    for email in testers:
        member = db.session.scalar(select(User).where(User.email == email))
        assert access.participation(member.id, campaign).can_write


def test_seeding_twice_adds_no_rows(demo):
    before = _row_counts()

    _seed()

    assert _row_counts() == before
