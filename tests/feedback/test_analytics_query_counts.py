"""The analytics page runs a fixed number of SQL queries, however many testers answered
and however many reports they filed."""

from __future__ import annotations

from datetime import timedelta

from lab.core.clock import utcnow
from lab.extensions import db
from lab.feedback import builder, responses, tasks, triage
from tests.feedback.conftest import answers_for, participation_of
from tests.support import count_queries

LIMIT = 20
SEVERITIES = ("critical", "major", "minor", "cosmetic")


def _busy_campaign(make_test_campaign, make_form, file_report, testers: int):
    """A campaign whose testers all submit a form of every kind (with text answers, which
    also does the form's task), tick a task, file a bug and an idea; some bugs are
    triaged."""
    campaign, members = make_test_campaign(testers=testers)
    staff = campaign.created_by
    form = make_form(campaign)
    make_form(campaign, title="Final survey")  # a second form nobody answered yet
    builder.save_task(staff, campaign, title="Fill in the form", description=None,
                      due_at=utcnow() + timedelta(days=3), form_id=form.id)
    task = builder.save_task(staff, campaign, title="Test the mesh", description=None,
                             due_at=utcnow() + timedelta(days=5), form_id=None)
    for n, member in enumerate(members):
        participation = participation_of(member, campaign)
        responses.save(participation, form, answers_for(form), submit=True)
        tasks.mark_done(participation, task)
        bug = file_report(member, campaign, title=f"Problem number {n} with the router",
                          severity=SEVERITIES[n % 4])
        file_report(member, campaign, kind="idea", title=f"Idea number {n} for the app")
        if n % 2:
            triage.set_status(staff, bug, "acknowledged", "")
    return campaign


def _queries(client, campaign) -> list[str]:
    with count_queries() as statements:
        answer = client.get(f"/staff/campaigns/{campaign.slug}/analytics")
    assert answer.status_code == 200
    return statements


def test_the_analytics_page_runs_the_same_queries_with_2_or_12_testers(
        client, auth, make_staff, make_test_campaign, make_form, file_report):
    few = _busy_campaign(make_test_campaign, make_form, file_report, testers=2)
    many = _busy_campaign(make_test_campaign, make_form, file_report, testers=12)
    auth.login(make_staff(locale="en"))
    db.session.commit()
    small, large = _queries(client, few), _queries(client, many)
    assert len(large) == len(small), "\n".join(large)
    assert len(small) <= LIMIT, "\n".join(small)
