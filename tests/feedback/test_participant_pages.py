"""The participant area /tests/<slug>/ as testers use it: tasks, feedback forms, reports
with attachments, "me too", the thread with the team. Only the campaign's confirmed
testers get in; nobody sees another tester's answers; bad input comes back with a
message beside the field and the input kept, never a 500."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from lab.campaigns.models import CLOSED
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.feedback import attachments, builder, responses, triage
from lab.feedback.models import (
    FormResponse,
    Report,
    ReportAttachment,
    ReportComment,
    ReportMeToo,
    TaskDone,
)
from tests.feedback.conftest import answers_for, participation_of
from tests.support import csrf_token, field_error, post_form, text

RATING_ONLY = ({"kind": "rating", "label": "How do you rate the setup?"},)
NPS_AND_TEXT = ({"kind": "nps", "label": "Would you recommend it?"},
                {"kind": "long_text", "label": "What did you like?", "required": False})
BUG = {"kind": "bug", "title": "The WiFi drops every hour", "severity": "major",
       "steps": "Leave it running overnight.", "expected": "It stays up.",
       "actual": "The connection drops.", "description": "", "device": "Pixel 8",
       "version": "8.01"}


# ---- helpers -------------------------------------------------------------------------

def png(name: str = "screenshot.png", size=(40, 30)) -> tuple[io.BytesIO, str]:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(data, "PNG")
    data.seek(0)
    return data, name


def download(client, url):
    """GET a file and close it (send_file keeps it open until the response is closed)."""
    answer = client.get(url)
    answer.close()
    return answer


def count_of(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


@pytest.fixture
def lab(make_test_campaign, make_member):
    """A campaign in testing with two English-reading testers (``me`` and ``other``),
    an outsider (a member who is not a tester) and a staff member."""

    class Lab:
        pass

    lab = Lab()
    lab.me, lab.other = make_member(locale="en"), make_member(locale="en")
    lab.campaign, _testers = make_test_campaign(testers=[lab.me, lab.other])
    lab.outsider = make_member(locale="en")
    lab.slug = lab.campaign.slug
    lab.area = f"/tests/{lab.slug}/"
    return lab


@pytest.fixture
def me(lab, auth):
    return auth.login(lab.me)


def form_url(lab, form) -> str:
    return f"{lab.area}forms/{form.id}"


def report_url(lab, report) -> str:
    return f"{lab.area}reports/{report.id}"


def file_bug(client, lab, files=(), **changes):
    data = {**BUG, **changes}
    if files:
        data["attachments"] = list(files)
    return post_form(client, f"{lab.area}reports/new", data,
                     content_type="multipart/form-data")


# ---- who gets in ---------------------------------------------------------------------

@pytest.mark.parametrize("page", ["", "forms/{form_id}", "reports/new"])
def test_a_member_who_is_not_a_tester_gets_403_with_a_clear_message(client, auth, lab,
                                                                     make_form, page):
    form = make_form(lab.campaign, RATING_ONLY)
    auth.login(lab.outsider)
    answer = client.get(lab.area + page.format(form_id=form.id))
    assert answer.status_code == 403
    assert "Only the confirmed testers of this campaign can open its test area." \
        in text(answer)


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, lab):
    db.session.commit()
    answer = client.get(lab.area)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_an_unknown_campaign_is_404(client, me):
    assert client.get("/tests/no-such-campaign/").status_code == 404


def test_a_draft_campaign_is_404_not_403(client, me, make_campaign):
    draft = make_campaign()
    db.session.commit()
    assert client.get(f"/tests/{draft.slug}/").status_code == 404


def test_my_area_links_a_running_test_to_its_test_area(client, me, lab):
    answer = client.get("/me/")
    assert f'href="/tests/{lab.slug}/"' in answer.get_data(as_text=True)
    assert "Open the test area" in text(answer)


# ---- the area ------------------------------------------------------------------------

def test_the_area_shows_my_tasks_forms_and_reports(client, me, lab, make_form, file_report):
    form = make_form(lab.campaign, RATING_ONLY, title="Week one survey")
    author = lab.campaign.created_by
    builder.save_task(author, lab.campaign, title="Set up the router", description=None,
                      due_at=utcnow() + timedelta(days=5), form_id=None)
    builder.save_task(author, lab.campaign, title="Answer the survey", description=None,
                      due_at=utcnow() + timedelta(days=1), form_id=form.id)
    file_report(lab.me, lab.campaign, title="My own bug report")
    file_report(lab.other, lab.campaign, title="Somebody else's bug")
    db.session.commit()
    page = text(client.get(lab.area))
    assert "Set up the router" in page and "to do" in page and "Mark as done" in page
    assert "Answer the survey" in page and "due soon" in page
    assert "Form: Week one survey" in page
    assert "Week one survey" in page and "to fill in" in page and "Fill in" in page
    assert "My own bug report" in page and "File a report" in page
    assert "Reports of other testers" in page and "Somebody else's bug" in page


def test_a_task_is_marked_done_and_undone(client, me, lab):
    task = builder.save_task(lab.campaign.created_by, lab.campaign, title="Unbox it",
                             description=None, due_at=utcnow() + timedelta(days=5),
                             form_id=None)
    db.session.commit()
    url = f"{lab.area}tasks/{task.id}/done"
    answer = post_form(client, url, {"done": "1"}, page=lab.area)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#tasks")
    assert count_of(TaskDone, task_id=task.id, member_id=lab.me.id) == 1
    page = text(client.get(lab.area))
    assert "“Unbox it” is marked as done." in page and "Undo" in page
    post_form(client, url, {"done": "0"}, page=lab.area)
    assert count_of(TaskDone, task_id=task.id, member_id=lab.me.id) == 0


def test_a_closed_test_shows_everything_read_only(client, auth, make_test_campaign,
                                                  make_member, make_form, file_report):
    tester = make_member(locale="en")
    campaign, _ = make_test_campaign(testers=[tester])
    form = make_form(campaign, RATING_ONLY)
    builder.save_task(campaign.created_by, campaign, title="Unbox it", description=None,
                      due_at=utcnow() + timedelta(days=5), form_id=None)
    report = file_report(tester, campaign)
    from lab.campaigns import lifecycle
    lifecycle.advance(campaign.created_by, campaign)
    lifecycle.advance(campaign.created_by, campaign)
    assert campaign.state == CLOSED
    auth.login(tester)
    area = client.get(f"/tests/{campaign.slug}/")
    assert area.status_code == 200
    assert "The test has ended" in text(area)
    assert "Mark as done" not in text(area) and "File a report" not in text(area)
    assert "<button" not in area.get_data(as_text=True).split('id="main"')[1]
    filling = client.get(f"/tests/{campaign.slug}/forms/{form.id}")
    assert "answers can no longer be sent or changed" in text(filling)
    assert f'name="q{form.questions[0].id}"' not in filling.get_data(as_text=True)
    shown = client.get(f"/tests/{campaign.slug}/reports/{report.id}")
    assert shown.status_code == 200 and "Send reply" not in text(shown)


# ---- forms ---------------------------------------------------------------------------

def test_saving_a_draft_and_then_submitting(client, me, lab, make_form):
    form = make_form(lab.campaign, NPS_AND_TEXT)
    db.session.commit()
    nps, liked = (f"q{q.id}" for q in form.questions)
    answer = post_form(client, form_url(lab, form),
                       {nps: "8", liked: "The range", "save_draft": "Save draft"},
                       follow_redirects=True)
    assert "Your draft has been saved." in text(answer)
    stored = db.session.scalar(select(FormResponse).where(FormResponse.form_id == form.id))
    assert stored.submitted_at is None and stored.answers[str(form.questions[0].id)][
        "value"] == 8
    assert "The range</textarea>" in answer.get_data(as_text=True)

    answer = post_form(client, form_url(lab, form),
                       {nps: "9", liked: "The range", "submit": "Submit"},
                       follow_redirects=True)
    page = text(answer)
    assert "Thank you! Your answers have been submitted." in page
    assert re.search(r"You earned \d+ points?\.", page)
    db.session.expire_all()
    stored = db.session.scalar(select(FormResponse).where(FormResponse.form_id == form.id))
    assert stored.submitted_at is not None
    assert stored.answers[str(form.questions[0].id)]["value"] == 9
    assert 'form-state">submitted</span>' in answer.get_data(as_text=True)  # in the area


def test_a_submitted_form_offers_only_save_changes(client, me, lab, make_form):
    form = make_form(lab.campaign, RATING_ONLY)
    responses.save(participation_of(lab.me, lab.campaign), form, answers_for(form),
                   submit=True)
    db.session.commit()
    page = client.get(form_url(lab, form)).get_data(as_text=True)
    assert 'value="Save changes"' in page
    assert 'value="Submit"' not in page and 'value="Save draft"' not in page
    assert "Submitted on" in text(client.get(form_url(lab, form)))


def test_fill_form_shows_my_answers_and_never_another_testers(client, me, lab, make_form,
                                                              file_report):
    form = make_form(lab.campaign, NPS_AND_TEXT)
    liked = form.questions[1]
    responses.save(participation_of(lab.other, lab.campaign), form,
                   {f"q{liked.id}": "Other tester's secret answer"}, submit=False)
    responses.save(participation_of(lab.me, lab.campaign), form,
                   {f"q{liked.id}": "My own answer"}, submit=False)
    theirs = file_report(lab.other, lab.campaign, title="Their visible report")
    db.session.commit()
    for url in (form_url(lab, form), lab.area, report_url(lab, theirs)):
        page = client.get(url).get_data(as_text=True)
        assert "Other tester's secret answer" not in html_lib.unescape(page), url
    assert "My own answer" in client.get(form_url(lab, form)).get_data(as_text=True)


def test_submitting_after_the_due_date_is_refused_with_the_input_kept(client, me, lab,
                                                                      make_form):
    form = make_form(lab.campaign, NPS_AND_TEXT, due_in=timedelta(days=2))
    db.session.commit()
    nps, liked = (f"q{q.id}" for q in form.questions)
    token = csrf_token(client, form_url(lab, form))
    with frozen_at(utcnow() + timedelta(days=3)):
        answer = client.post(form_url(lab, form), data={
            "csrf_token": token, nps: "7", liked: "Typed just too late", "submit": "Submit"})
        assert answer.status_code == 422
        assert "The due date of this form has passed" in text(answer)
        assert "Typed just too late" in answer.get_data(as_text=True)
        assert count_of(FormResponse, form_id=form.id) == 0
        later = client.get(form_url(lab, form))
    assert f'name="{nps}"' not in later.get_data(as_text=True)
    assert "The due date of this form has passed" in text(later)


def test_a_value_outside_the_scale_is_shown_beside_its_question(client, me, lab, make_form):
    form = make_form(lab.campaign, NPS_AND_TEXT)
    db.session.commit()
    nps, liked = (f"q{q.id}" for q in form.questions)
    answer = post_form(client, form_url(lab, form),
                       {nps: "11", liked: "Kept text", "submit": "Submit"})
    assert answer.status_code == 422
    assert field_error(answer, nps) == "Please choose a value from 0 to 10."
    assert "Kept text" in answer.get_data(as_text=True)
    assert count_of(FormResponse, form_id=form.id) == 0


def test_a_missing_required_answer_is_shown_beside_its_question(client, me, lab, make_form):
    form = make_form(lab.campaign, NPS_AND_TEXT)
    db.session.commit()
    nps, liked = (f"q{q.id}" for q in form.questions)
    answer = post_form(client, form_url(lab, form), {liked: "Only this", "submit": "Submit"})
    assert answer.status_code == 422
    assert field_error(answer, nps) == "Please answer this question."
    assert field_error(answer, liked) is None
    assert "Only this" in answer.get_data(as_text=True)


def test_a_form_of_another_campaign_is_404(client, me, lab, make_test_campaign, make_form):
    elsewhere, _ = make_test_campaign(testers=[lab.me])
    form = make_form(elsewhere, RATING_ONLY)
    db.session.commit()
    assert client.get(form_url(lab, form)).status_code == 404
    answer = post_form(client, form_url(lab, form), {f"q{form.questions[0].id}": "4",
                                                     "submit": "Submit"},
                       page=f"/tests/{elsewhere.slug}/forms/{form.id}")
    assert answer.status_code == 404
    assert count_of(FormResponse, form_id=form.id) == 0


# ---- filing reports ------------------------------------------------------------------

def test_filing_a_bug_with_a_screenshot_stores_and_shows_it(client, me, lab):
    answer = file_bug(client, lab, files=[png("router-lights.png")])
    assert answer.status_code == 302
    report = db.session.scalar(select(Report).where(Report.member_id == lab.me.id))
    assert answer.headers["Location"].endswith(report_url(lab, report))
    assert (report.kind, report.severity, report.device) == ("bug", "major", "Pixel 8")
    [attachment] = report.attachments
    assert attachment.kind == "image" and attachment.original_name == "router-lights.png"
    page = client.get(report_url(lab, report))
    assert f'src="/tests/{lab.slug}/attachments/{attachment.id}"' in page.get_data(
        as_text=True)
    assert 'alt="router-lights.png"' in page.get_data(as_text=True)
    assert "Leave it running overnight." in text(page)


def test_an_attachment_is_served_to_its_reporter_and_staff_only(client, auth, me, lab,
                                                                make_staff):
    file_bug(client, lab, files=[png()])
    attachment = db.session.scalar(select(ReportAttachment))
    url = f"{lab.area}attachments/{attachment.id}"
    served = client.get(url)
    content = served.data
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert content[:3] == b"\xff\xd8\xff"  # re-encoded: no metadata
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "inline" in served.headers["Content-Disposition"]
    auth.login(make_staff())
    assert download(client, url).status_code == 200
    auth.login(lab.other)
    assert download(client, url).status_code == 404
    auth.login(lab.outsider)
    assert download(client, url).status_code == 404


def test_a_log_file_is_offered_as_a_download_with_its_size(client, me, lab):
    log = (io.BytesIO(b"12:00:01 wlan0: link down\n" * 100), "router.log")
    assert file_bug(client, lab, files=[log]).status_code == 302
    attachment = db.session.scalar(select(ReportAttachment))
    url = f"{lab.area}attachments/{attachment.id}"
    page = client.get(report_url(lab, db.session.get(Report, attachment.report_id)))
    assert f'<a href="{url}" download>router.log</a> (3 KB)' in page.get_data(as_text=True)
    served = client.get(url)
    served.close()
    assert served.status_code == 200 and served.mimetype == "text/plain"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert "router.log" in served.headers["Content-Disposition"]


def test_an_attachment_whose_file_is_gone_is_404_not_500(client, me, lab):
    file_bug(client, lab, files=[png()])
    attachment = db.session.scalar(select(ReportAttachment))
    attachments.path_of(attachment).unlink()
    assert download(client, f"{lab.area}attachments/{attachment.id}").status_code == 404


def test_an_attachment_that_is_too_big_is_refused_with_the_input_kept(client, me, lab,
                                                                      monkeypatch):
    monkeypatch.setitem(attachments.LIMITS, "image", 100)
    answer = file_bug(client, lab, files=[png(size=(300, 300))])
    assert answer.status_code == 422
    assert "“screenshot.png” is larger than" in field_error(answer, "attachments")
    assert 'value="The WiFi drops every hour"' in answer.get_data(as_text=True)
    assert "Leave it running overnight." in answer.get_data(as_text=True)
    assert "please choose them again" in text(answer)
    assert count_of(Report) == 0


@pytest.mark.parametrize("content", [b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200),
                                     b"\x7fELF\x02\x01\x01\x00" + bytes(200)])
def test_an_attachment_of_the_wrong_type_is_refused(client, me, lab, content):
    answer = file_bug(client, lab, files=[(io.BytesIO(content), "photo.png")])
    assert answer.status_code == 422
    assert "“photo.png” is not a file we accept" in field_error(answer, "attachments")
    assert count_of(Report) == 0


def test_an_attachment_with_a_crafted_name_is_stored_under_a_clean_name(client, me, lab):
    answer = file_bug(client, lab, files=[png("../../etc/passwd.png")])
    assert answer.status_code == 302
    attachment = db.session.scalar(select(ReportAttachment))
    assert attachment.original_name == "passwd.png"
    assert ".." not in attachment.stored_name and attachment.stored_name.startswith(
        "reports/")
    assert download(client, f"{lab.area}attachments/{attachment.id}").status_code == 200


def test_more_than_three_files_are_refused(client, me, lab):
    answer = file_bug(client, lab, files=[png(f"shot{n}.png") for n in range(4)])
    assert answer.status_code == 422
    assert field_error(answer, "attachments") == "Please attach at most 3 files."


def test_a_bug_without_severity_gets_a_message_beside_severity(client, me, lab):
    answer = file_bug(client, lab, severity="")
    assert answer.status_code == 422
    assert field_error(answer, "severity") == "Please choose how severe the bug is."
    assert 'value="The WiFi drops every hour"' in answer.get_data(as_text=True)
    assert count_of(Report) == 0


def test_an_idea_needs_a_description(client, me, lab):
    answer = post_form(client, f"{lab.area}reports/new",
                       {"kind": "idea", "title": "A guest network schedule",
                        "description": ""}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert field_error(answer, "description") == "Please fill in this field."
    answer = post_form(client, f"{lab.area}reports/new",
                       {"kind": "idea", "title": "A guest network schedule",
                        "description": "Switch it off at night."},
                       content_type="multipart/form-data")
    assert answer.status_code == 302
    assert db.session.scalar(select(Report)).severity is None


def test_the_new_report_page_suggests_similar_titles_with_a_local_script(client, me, lab):
    page = client.get(f"{lab.area}reports/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'aria-live="polite"' in page
    assert f'data-similar-url="/tests/{lab.slug}/reports/similar"' in page
    assert '<script src="/static/js/similar.js"' in page
    assert download(client, "/static/js/similar.js").status_code == 200
    assert 'accept="image/*,video/*,.log,.txt"' in page


# ---- seeing reports, me too ----------------------------------------------------------

def test_me_too_changes_the_count_and_can_be_taken_back(client, me, lab, file_report):
    theirs = file_report(lab.other, lab.campaign)
    db.session.commit()
    url = f"{report_url(lab, theirs)}/me-too"
    answer = post_form(client, url, {"on": "1", "next": lab.area}, page=lab.area)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(lab.area)
    assert count_of(ReportMeToo, report_id=theirs.id) == 1
    page = text(client.get(report_url(lab, theirs)))
    assert "1 tester said “me too”." in page and "You said “me too”" in page
    post_form(client, url, {"on": "0"}, page=lab.area)
    db.session.expire_all()
    assert db.session.get(Report, theirs.id).me_too_count == 0


def test_there_is_no_me_too_on_my_own_report(client, me, lab, file_report):
    mine = file_report(lab.me, lab.campaign)
    db.session.commit()
    page = client.get(report_url(lab, mine)).get_data(as_text=True)
    assert "/me-too" not in page and ">Me too<" not in page
    answer = post_form(client, f"{report_url(lab, mine)}/me-too", {"on": "1"},
                       page=lab.area, follow_redirects=True)
    assert "This is your own report." in text(answer)
    assert count_of(ReportMeToo, report_id=mine.id) == 0


def test_reports_are_hidden_from_others_when_the_campaign_does_not_share_them(
        client, me, lab, file_report):
    lab.campaign.reports_shared = False
    theirs = file_report(lab.other, lab.campaign, title="Kept among the team")
    mine = file_report(lab.me, lab.campaign, title="My report stays mine")
    db.session.commit()
    assert client.get(report_url(lab, theirs)).status_code == 404
    page = text(client.get(lab.area))
    assert "Kept among the team" not in page and "Reports of other testers" not in page
    assert client.get(report_url(lab, mine)).status_code == 200
    post_form(client, f"{report_url(lab, theirs)}/me-too", {"on": "1"}, page=lab.area)
    assert count_of(ReportMeToo) == 0


def test_another_testers_report_shows_no_thread_and_no_attachments(client, auth, me, lab,
                                                                   make_staff):
    file_bug(client, lab, files=[png("private-shot.png")])
    report = db.session.scalar(select(Report))
    triage.comment(make_staff(), report, "Which firmware exactly?")
    db.session.commit()
    auth.login(lab.other)
    answer = client.get(report_url(lab, report))
    assert answer.status_code == 200 and "The WiFi drops every hour" in text(answer)
    assert "Which firmware exactly?" not in text(answer)
    assert "private-shot.png" not in answer.get_data(as_text=True)
    assert "/attachments/" not in answer.get_data(as_text=True)


def test_the_reporter_sees_the_timeline_and_the_thread_and_can_reply(client, me, lab,
                                                                     make_staff,
                                                                     file_report):
    report = file_report(lab.me, lab.campaign)
    staff = make_staff()
    triage.set_status(staff, report, "acknowledged")
    triage.set_severity(staff, report, "critical")
    triage.comment(staff, report, "Which firmware exactly?")
    db.session.commit()
    page = text(client.get(report_url(lab, report)))
    assert "You filed the report." in page
    assert "Status changed from “new” to “acknowledged”." in page
    assert "Severity changed from “major” to “critical”." in page
    assert "Team Which firmware exactly?" in re.sub(r"\d+/\d+/\d+, \d+:\d+ [AP]M ", "", page)
    answer = post_form(client, f"{report_url(lab, report)}/reply",
                       {"body": "Version 8.01,\nbuilt in May."}, page=report_url(lab, report),
                       follow_redirects=True)
    assert "Your reply has been sent to the team." in text(answer)
    assert "Version 8.01,<br>built in May." in answer.get_data(as_text=True)


def test_the_timeline_links_the_report_mine_was_joined_to(client, me, lab, make_staff,
                                                           file_report):
    kept = file_report(lab.other, lab.campaign, title="WiFi drops at night")
    mine = file_report(lab.me, lab.campaign)
    triage.merge(make_staff(), mine, kept.id)
    db.session.commit()
    page = client.get(report_url(lab, mine)).get_data(as_text=True)
    assert (f'Joined to report <a href="{report_url(lab, kept)}">#{kept.id}</a>, which '
            "describes the same.") in page


def test_another_tester_cannot_reply_to_my_report(client, auth, lab, file_report):
    report = file_report(lab.me, lab.campaign)
    db.session.commit()
    auth.login(lab.other)
    answer = post_form(client, f"{report_url(lab, report)}/reply",
                       {"body": "Let me in on this"}, page=report_url(lab, report),
                       follow_redirects=True)
    assert "Only the tester who filed the report can reply here." in text(answer)
    assert count_of(ReportComment, report_id=report.id) == 0


def test_a_report_of_another_campaign_is_404(client, me, lab, make_test_campaign,
                                             file_report):
    elsewhere, _ = make_test_campaign(testers=[lab.me])
    report = file_report(lab.me, elsewhere)
    db.session.commit()
    assert client.get(report_url(lab, report)).status_code == 404


# ---- similar titles ------------------------------------------------------------------

def test_similar_reports_returns_matching_titles_the_tester_may_see(client, me, lab,
                                                                    make_test_campaign,
                                                                    file_report):
    theirs = file_report(lab.other, lab.campaign, title="WiFi drops every night")
    file_report(lab.other, lab.campaign, title="Display flickers")
    hidden, _ = make_test_campaign(testers=[lab.me, lab.other])
    hidden.reports_shared = False
    file_report(lab.other, hidden, title="WiFi drops every morning")
    db.session.commit()
    found = client.get(f"{lab.area}reports/similar?title=wifi drops").get_json()["reports"]
    assert [r["id"] for r in found] == [theirs.id]
    assert found[0] == {"id": theirs.id, "title": "WiFi drops every night", "status": "new",
                        "status_label": "new", "me_too_count": 0,
                        "url": report_url(lab, theirs), "note": "new · “Me too”: 0"}
    elsewhere = client.get(f"/tests/{hidden.slug}/reports/similar?title=wifi drops")
    assert elsewhere.get_json() == {"reports": []}


def test_similar_reports_refuses_a_member_who_is_not_a_tester(client, auth, lab):
    auth.login(lab.outsider)
    answer = client.get(f"{lab.area}reports/similar?title=wifi")
    assert answer.status_code == 403 and "error" in answer.get_json()


# ---- CSRF ----------------------------------------------------------------------------

@pytest.fixture
def posts(lab, make_form, file_report):
    """action -> (url, data) that would change something with a token, and a count of
    what it would change."""
    form = make_form(lab.campaign, RATING_ONLY)
    task = builder.save_task(lab.campaign.created_by, lab.campaign, title="Unbox it",
                             description=None, due_at=utcnow() + timedelta(days=5),
                             form_id=None)
    theirs = file_report(lab.other, lab.campaign)
    mine = file_report(lab.me, lab.campaign)
    db.session.commit()
    return {
        "fill_form": (form_url(lab, form), {f"q{form.questions[0].id}": "4",
                                            "submit": "Submit"},
                      lambda: count_of(FormResponse)),
        "task_done": (f"{lab.area}tasks/{task.id}/done", {"done": "1"},
                      lambda: count_of(TaskDone)),
        "new_report": (f"{lab.area}reports/new", BUG, lambda: count_of(Report)),
        "me_too": (f"{report_url(lab, theirs)}/me-too", {"on": "1"},
                   lambda: count_of(ReportMeToo)),
        "reply": (f"{report_url(lab, mine)}/reply", {"body": "Hello"},
                  lambda: count_of(ReportComment)),
    }


@pytest.mark.parametrize("action", ["fill_form", "task_done", "new_report", "me_too",
                                    "reply"])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(client, me, posts,
                                                                  action):
    url, data, changed = posts[action]
    before = changed()
    answer = client.post(url, data=data)
    assert answer.status_code == 400
    assert changed() == before


@pytest.mark.parametrize("action", ["fill_form", "task_done", "new_report", "me_too",
                                    "reply"])
def test_the_same_post_with_its_token_changes_it(client, me, lab, posts, action):
    url, data, changed = posts[action]
    before = changed()
    answer = post_form(client, url, data, page=lab.area)
    assert answer.status_code == 302
    assert changed() == before + 1


def test_a_form_sent_without_token_comes_back_with_the_input_kept(client, me, lab):
    db.session.commit()
    answer = client.post(f"{lab.area}reports/new", data=BUG)
    assert answer.status_code == 400
    assert 'value="The WiFi drops every hour"' in answer.get_data(as_text=True)
    assert count_of(Report) == 0


def test_a_non_tester_posting_without_token_gets_no_500(client, auth, lab):
    auth.login(lab.outsider)
    answer = client.post(f"{lab.area}reports/new", data=BUG)
    assert answer.status_code in (400, 403)
    assert count_of(Report) == 0
