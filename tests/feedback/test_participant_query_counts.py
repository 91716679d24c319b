"""The participant area and a report page run a fixed number of SQL queries, however many
testers, responses, reports, "me too"s and timeline events there are."""

from __future__ import annotations

from datetime import timedelta

from lab.campaigns.models import CONFIRMED, Application
from lab.core.clock import utcnow
from lab.extensions import db
from lab.feedback import builder, reports, responses, triage
from tests.feedback.conftest import answers_for, participation_of
from tests.support import count_queries

# the area's parts (tasks, forms, own and others' reports, the device card) take 17-18
# today, none per row
LIMIT = 18


def _join(campaign, member) -> None:
    """Make the member a confirmed tester of the campaign."""
    db.session.add(Application(campaign_id=campaign.id, member_id=member.id,
                               status=CONFIRMED, answers={}, confirmed_at=utcnow()))
    db.session.flush()


def _counts(client, urls) -> dict[str, list[str]]:
    counted = {}
    for url in urls:
        with count_queries() as statements:
            answer = client.get(url)
        assert answer.status_code == 200, url
        counted[url] = statements
    return counted


def _assert_same(few, many):
    for url in few:
        assert len(many[url]) == len(few[url]), f"{url}:\n" + "\n".join(many[url])
        assert len(few[url]) <= LIMIT, f"{url}:\n" + "\n".join(few[url])


def test_the_area_and_report_pages_run_the_same_queries_with_few_or_many_testers_and_reports(
        client, auth, make_member, make_staff, make_test_campaign, make_form, file_report):
    viewer = auth.login(make_member(locale="en"))
    neighbour = make_member()
    campaign, _testers = make_test_campaign(testers=[viewer, neighbour])
    form = make_form(campaign)
    author = campaign.created_by
    builder.save_task(author, campaign, title="Answer the survey", description=None,
                      due_at=utcnow() + timedelta(days=3), form_id=form.id)
    builder.save_task(author, campaign, title="Set it up", description="At home.",
                      due_at=utcnow() + timedelta(days=1), form_id=None)
    responses.save(participation_of(viewer, campaign), form, answers_for(form), submit=True)
    responses.save(participation_of(neighbour, campaign), form, answers_for(form),
                   submit=False)
    mine = file_report(viewer, campaign, title="My router reboots")
    theirs = file_report(neighbour, campaign, title="Their display flickers")
    reports.me_too(participation_of(viewer, campaign), theirs)
    staff = make_staff()
    triage.comment(staff, mine, "Which firmware?")  # one of each: the pages' loads start
    db.session.commit()
    area = f"/tests/{campaign.slug}/"
    urls = [area, f"{area}reports/{mine.id}", f"{area}reports/{theirs.id}"]
    few = _counts(client, urls)

    for n in range(7):  # 8 testers with responses, 12 reports, many "me too"s
        tester = make_member()
        _join(campaign, tester)
        taking_part = participation_of(tester, campaign)
        responses.save(taking_part, form, answers_for(form), submit=n % 2 == 0)
        file_report(tester, campaign, title=f"Report number {n} of another tester",
                    kind="bug" if n % 2 else "idea")
        reports.me_too(taking_part, theirs)
        reports.me_too(taking_part, mine)
    for n in range(3):
        file_report(viewer, campaign, title=f"My report number {n}")
    triage.set_status(staff, mine, "acknowledged")
    triage.set_severity(staff, mine, "critical")
    triage.set_status(staff, mine, "forwarded")
    for n in range(3):
        triage.comment(staff, mine, f"Question {n} from the team")
        reports.reply(participation_of(viewer, campaign), mine, f"Answer {n}")
    db.session.commit()
    many = _counts(client, urls)
    _assert_same(few, many)
