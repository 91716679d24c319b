"""The staff pages that build a campaign's test: feedback forms with their questions and
preview, tasks, and the campaign setting "testers see each other's reports"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask_babel import to_user_timezone
from sqlalchemy import select

from lab.campaigns.models import IN_REVIEW, RECRUITING
from lab.core.clock import utcnow
from lab.extensions import db
from lab.feedback import builder, reports, responses
from lab.feedback.models import FORM_QUESTION_KINDS, FeedbackForm, FormQuestion, Task
from tests.campaigns.helpers import audited, count, fresh
from tests.feedback.conftest import EVERY_KIND, answers_for, participation_of
from tests.support import count_queries, post_form


def _local(moment) -> str:
    """A UTC datetime as a datetime-local input sends it: in the reader's time zone."""
    return to_user_timezone(moment).strftime("%Y-%m-%dT%H:%M")


def _base(campaign) -> str:
    return f"/staff/campaigns/{campaign.slug}"


def _form_page(form) -> str:
    return f"{_base(form.campaign)}/forms/{form.id}"


def _question_data(kind="short_text", label="What did you notice?", options=(), **extra):
    return {"kind": kind, "label": label, "help_text": "", "required": "y",
            "options": "\n".join(options), **extra}


def _adding(**fields) -> dict:
    """The "add question" form as the browser sends it (its button names it)."""
    return {**_question_data(**fields), "add_question": "Add question"}


def _window(**overrides) -> dict:
    now = utcnow()
    return {"title": "Week 1", "intro": "Tell us.", "opens_at": _local(now),
            "due_at": _local(now + timedelta(days=7)), **overrides}


def _forms_of(campaign) -> list[FeedbackForm]:
    db.session.expire_all()
    return builder.forms_of(campaign.id)


def _tasks_of(campaign) -> list[Task]:
    db.session.expire_all()
    return builder.tasks_of(campaign.id)


def _submit(tester, campaign, form) -> None:
    """A tester submits the form (through the participants' service)."""
    responses.save(participation_of(tester, campaign), form, answers_for(form), submit=True)


@pytest.fixture
def staff(make_staff):
    return make_staff(locale="en")


@pytest.fixture
def testing(make_test_campaign):
    """A campaign in testing with two confirmed testers: (campaign, testers)."""
    return make_test_campaign(testers=2)


@pytest.fixture
def signed_in(client, auth, staff):
    auth.login(staff)
    return client


# ---- forms ------------------------------------------------------------------------------

def test_a_form_is_created_with_times_typed_in_berlin_and_stored_in_utc(signed_in, testing):
    campaign, _testers = testing
    answer = post_form(signed_in, f"{_base(campaign)}/forms", _window(
        opens_at="2030-01-15T10:00", due_at="2030-07-15T10:00"))
    (form,) = _forms_of(campaign)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(_form_page(form))
    assert (form.title, form.intro) == ("Week 1", "Tell us.")
    assert form.opens_at == datetime(2030, 1, 15, 9, 0)  # CET, UTC+1
    assert form.due_at == datetime(2030, 7, 15, 8, 0)  # CEST, UTC+2
    page = signed_in.get(_form_page(form)).get_data(as_text=True)
    assert 'value="2030-01-15T10:00"' in page and 'value="2030-07-15T10:00"' in page


def test_a_due_date_before_the_opening_is_shown_beside_the_due_date(signed_in, testing):
    campaign, _testers = testing
    answer = post_form(signed_in, f"{_base(campaign)}/forms", _window(
        title="Backwards", opens_at="2030-02-01T10:00", due_at="2030-01-01T10:00"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="due_at-error"' in html and "must be after the opening date" in html
    assert 'value="Backwards"' in html and 'value="2030-01-01T10:00"' in html
    assert _forms_of(campaign) == []


def test_the_form_list_shows_questions_and_submitted_responses(
        signed_in, testing, make_form):
    campaign, (tester, _other) = testing
    form = make_form(campaign)
    make_form(campaign, questions=EVERY_KIND[:2], title="Final survey")
    _submit(tester, campaign, form)
    html = signed_in.get(f"{_base(campaign)}/forms").get_data(as_text=True)
    row = html.split(f'id="form-{form.id}"')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells == [str(len(EVERY_KIND)), "1"]
    assert f"{_form_page(form)}/preview" in row


def test_the_form_list_runs_the_same_queries_for_one_and_four_forms(
        client, auth, staff, testing, make_form):
    campaign, (tester, _other) = testing
    _submit(tester, campaign, make_form(campaign))
    auth.login(staff)
    url = f"{_base(campaign)}/forms"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(3):
        _submit(tester, campaign, make_form(campaign, title=f"Form {n}"))
    db.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)


def test_the_title_and_dates_of_a_form_are_edited(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign)
    answer = post_form(signed_in, _form_page(form), _window(
        title="Week one", opens_at="2030-03-01T08:00", due_at="2030-03-08T20:00"))
    assert answer.status_code == 302
    form = fresh(form)
    assert form.title == "Week one" and form.due_at == datetime(2030, 3, 8, 19, 0)
    assert audited("feedback.form_saved", "feedback_form", form.id)


def test_a_question_of_each_kind_is_added_through_the_page(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=())
    for question in EVERY_KIND:
        data = _adding(kind=question["kind"], label=question["label"],
                       options=question.get("options", ()))
        if not question.get("required", True):
            del data["required"]
        answer = post_form(signed_in, _form_page(form), data)
        assert answer.status_code == 302, question
    questions = fresh(form).questions
    assert [q.kind for q in questions] == list(FORM_QUESTION_KINDS)
    assert [(q.label, q.options, q.required) for q in questions] == [
        (q["label"], list(q.get("options", [])), q.get("required", True)) for q in EVERY_KIND]
    assert [q.position for q in questions] == list(range(1, len(EVERY_KIND) + 1))


def test_the_kind_select_names_every_kind_of_a_feedback_question(signed_in, testing,
                                                                  make_form):
    campaign, _testers = testing
    html = signed_in.get(_form_page(make_form(campaign, questions=()))).get_data(as_text=True)
    select_html = html.split('id="kind"')[1].split("</select>")[0]
    assert re.findall(r'value="([a-z_]+)"', select_html) == list(FORM_QUESTION_KINDS)
    assert "Rating 1–5" in select_html and "Recommendation 0–10 (NPS)" in select_html


def test_a_choice_with_one_option_is_refused_beside_the_options(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=())
    answer = post_form(signed_in, _form_page(form), _adding(
        kind="single", label="Where did you test?", options=["Only here"]))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="options-error"' in html and 'value="Where did you test?"' in html
    assert "Only here" in html.split('id="options"')[1].split("</textarea>")[0]
    assert fresh(form).questions == []


def test_moving_a_question_up_swaps_it_with_the_one_above(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=EVERY_KIND[:3])
    third = form.questions[2]
    page = _form_page(form)
    answer = post_form(signed_in, f"{page}/questions/{third.id}/move", {"direction": "up"},
                       page=page)
    assert answer.status_code == 302
    assert [q.kind for q in fresh(form).questions] == ["rating", "single", "nps"]


def test_a_question_is_edited_with_its_options_one_per_line(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=[EVERY_KIND[2]])
    question = form.questions[0]
    url = f"{_form_page(form)}/questions/{question.id}/edit"
    html = signed_in.get(url).get_data(as_text=True)
    assert "Flat\nHouse\nOffice</textarea>" in html
    answer = post_form(signed_in, url, _question_data(
        kind="single", label="Where at home?", options=["Flat", "House"],
        help_text="Where the router stood."))
    assert answer.status_code == 302
    question = fresh(question)
    assert (question.label, question.options, question.help_text) == (
        "Where at home?", ["Flat", "House"], "Where the router stood.")


def test_deleting_a_question_removes_it_and_closes_the_gap(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=EVERY_KIND[:3])
    first_id = form.questions[0].id
    page = _form_page(form)
    post_form(signed_in, f"{page}/questions/{first_id}/delete", {}, page=page)
    questions = fresh(form).questions
    assert [(q.kind, q.position) for q in questions] == [("nps", 1), ("single", 2)]
    assert db.session.get(FormQuestion, first_id) is None


def test_the_preview_shows_every_kind_as_testers_see_it_but_disabled(
        signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign)
    answer = signed_in.get(f"{_form_page(form)}/preview")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="preview-banner"' in html
    fields = html.split("<fieldset disabled")[1].rsplit("</fieldset>", 1)[0]
    by_kind = {q.kind: q for q in form.questions}

    def values(kind, input_type="radio"):
        name = f"q{by_kind[kind].id}"
        return re.findall(rf'name="{name}" type="{input_type}" value="([^"]*)"', fields)

    assert values("rating") == [str(n) for n in range(1, 6)]
    assert values("nps") == [str(n) for n in range(0, 11)]
    assert values("single") == ["Flat", "House", "Office"]
    assert values("multiple", "checkbox") == ["WiFi", "LAN", "Mesh"]
    assert values("yes_no") == ["yes", "no"]
    assert f'name="q{by_kind["long_text"].id}"' in fields.split("<textarea")[1]
    for kind in ("short_text", "number"):
        assert f'name="q{by_kind[kind].id}" type="text"' in fields
    assert all(q.label in fields for q in form.questions)
    assert 'type="submit"' not in fields and "csrf_token" not in fields


def test_a_question_of_another_form_is_404(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=EVERY_KIND[:1])
    other = make_form(campaign, questions=EVERY_KIND[1:2], title="Other")
    stranger = other.questions[0]
    page = _form_page(form)
    assert signed_in.get(f"{page}/questions/{stranger.id}/edit").status_code == 404
    for action in ("move", "delete"):
        answer = post_form(signed_in, f"{page}/questions/{stranger.id}/{action}",
                           {"direction": "up"}, page=page)
        assert answer.status_code == 404
    assert fresh(other).questions == [stranger]


def test_a_form_or_task_of_another_campaign_is_404(
        signed_in, testing, make_test_campaign, make_form):
    campaign, _testers = testing
    elsewhere, _others = make_test_campaign(testers=0)
    form = make_form(elsewhere)
    task = builder.save_task(elsewhere.created_by, elsewhere, title="Elsewhere",
                             description=None, due_at=utcnow() + timedelta(days=3),
                             form_id=None)
    base = _base(campaign)
    for url in (f"{base}/forms/{form.id}", f"{base}/forms/{form.id}/preview",
                f"{base}/forms/{form.id}/questions/{form.questions[0].id}/edit",
                f"{base}/tasks/{task.id}/edit"):
        assert signed_in.get(url).status_code == 404, url
    assert signed_in.get("/staff/campaigns/no-such-campaign/forms").status_code == 404


# ---- once testers answered ------------------------------------------------------------

@pytest.fixture
def answered(testing, make_form):
    """A form a tester has submitted: (campaign, form)."""
    campaign, (tester, _other) = testing
    form = make_form(campaign)
    _submit(tester, campaign, form)
    return campaign, form


def test_once_answered_the_kind_of_a_question_cannot_change(signed_in, answered):
    _campaign, form = answered
    rating = form.questions[0]
    answer = post_form(signed_in, f"{_form_page(form)}/questions/{rating.id}/edit",
                       _question_data(kind="short_text", label=rating.label))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="kind-error"' in html and "can no longer change" in html
    assert fresh(rating).kind == "rating"


def test_once_answered_a_question_can_still_be_reworded(signed_in, answered):
    _campaign, form = answered
    rating = form.questions[0]
    url = f"{_form_page(form)}/questions/{rating.id}/edit"
    html = signed_in.get(url).get_data(as_text=True)
    assert 'id="answered-notice"' in html
    kinds = html.split('id="kind"')[1].split("</select>")[0]
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', kinds) == ["rating"]
    answer = post_form(signed_in, url, _question_data(kind="rating", label="Setup, 1 to 5?"))
    assert answer.status_code == 302
    assert fresh(rating).label == "Setup, 1 to 5?"


def test_once_answered_no_question_is_added(signed_in, answered):
    _campaign, form = answered
    page = signed_in.get(_form_page(form)).get_data(as_text=True)
    assert 'id="answered-notice"' in page and 'name="add_question"' not in page
    assert "/delete" not in page.split('id="questions"')[1]
    answer = post_form(signed_in, _form_page(form), _adding(label="One more?"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "not added or removed" in html and 'value="One more?"' in html
    assert len(fresh(form).questions) == len(EVERY_KIND)


def test_an_answered_form_is_not_deleted(signed_in, answered):
    _campaign, form = answered
    page = _form_page(form)
    answer = post_form(signed_in, f"{page}/delete", {}, page=page)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(page)
    flashed = signed_in.get(page).get_data(as_text=True)
    assert "cannot be deleted" in flashed
    assert db.session.get(FeedbackForm, form.id) is not None


def test_a_form_without_answers_is_deleted(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign)
    form_id, page = form.id, _form_page(form)
    answer = post_form(signed_in, f"{page}/delete", {}, page=page)
    assert answer.headers["Location"].endswith(f"{_base(campaign)}/forms")
    assert _forms_of(campaign) == []
    assert audited("feedback.form_deleted", "feedback_form", form_id)


# ---- tasks ------------------------------------------------------------------------------

def _task_data(form_id=0, **overrides) -> dict:
    return {"title": "Set up the router", "description": "Follow the leaflet.",
            "due_at": "2030-01-15T18:00", "form_id": str(form_id), **overrides}


def test_a_task_without_a_form_is_created(signed_in, testing):
    campaign, _testers = testing
    answer = post_form(signed_in, f"{_base(campaign)}/tasks", _task_data())
    assert answer.status_code == 302
    (task,) = _tasks_of(campaign)
    assert (task.title, task.description, task.form_id) == (
        "Set up the router", "Follow the leaflet.", None)
    assert task.due_at == datetime(2030, 1, 15, 17, 0)


def test_a_task_with_a_form_is_created_and_counts_who_submitted(
        signed_in, testing, make_form):
    campaign, (tester, _other) = testing
    form = make_form(campaign)
    _submit(tester, campaign, form)
    page = f"{_base(campaign)}/tasks"
    assert f'<option value="{form.id}">{form.title}</option>' in \
        signed_in.get(page).get_data(as_text=True)
    answer = post_form(signed_in, page, _task_data(form.id, title="Fill in week 1"))
    assert answer.status_code == 302
    (task,) = _tasks_of(campaign)
    assert task.form_id == form.id
    row = signed_in.get(page).get_data(as_text=True).split(f'id="task-{task.id}"')[1]
    assert "1 of 2 testers" in row.split("</tr>")[0]


def test_a_form_of_another_campaign_is_refused_beside_the_form_choice(
        signed_in, testing, make_test_campaign, make_form):
    campaign, _testers = testing
    elsewhere, _others = make_test_campaign(testers=0)
    foreign = make_form(elsewhere)
    answer = post_form(signed_in, f"{_base(campaign)}/tasks", _task_data(foreign.id))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="form_id-error"' in html and 'value="Set up the router"' in html
    assert _tasks_of(campaign) == []


def test_a_task_is_edited_and_its_form_removed(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign)
    task = builder.save_task(campaign.created_by, campaign, title="Fill in", description=None,
                             due_at=utcnow() + timedelta(days=3), form_id=form.id)
    url = f"{_base(campaign)}/tasks/{task.id}/edit"
    assert f'<option selected value="{form.id}">' in signed_in.get(url).get_data(as_text=True)
    answer = post_form(signed_in, url, _task_data(0, title="Test the mesh"))
    assert answer.status_code == 302
    task = fresh(task)
    assert (task.title, task.form_id) == ("Test the mesh", None)


def test_a_task_is_deleted(signed_in, testing):
    campaign, _testers = testing
    task = builder.save_task(campaign.created_by, campaign, title="Gone", description=None,
                             due_at=utcnow() + timedelta(days=3), form_id=None)
    task_id, page = task.id, f"{_base(campaign)}/tasks"
    answer = post_form(signed_in, f"{page}/{task_id}/delete", {}, page=page)
    assert answer.status_code == 302
    assert _tasks_of(campaign) == []
    assert audited("feedback.task_deleted", "test_task", task_id)


# ---- who may, and CSRF --------------------------------------------------------------------

@pytest.fixture
def built(testing, make_form):
    """A campaign in testing with a form (with questions) and a task: URL parts."""
    campaign, _testers = testing
    form = make_form(campaign)
    task = builder.save_task(campaign.created_by, campaign, title="Set up", description=None,
                             due_at=utcnow() + timedelta(days=3), form_id=form.id)
    return {"base": _base(campaign), "form": form.id, "question": form.questions[0].id,
            "task": task.id}


FORM_PAGES = ["{base}/forms", "{base}/forms/{form}",
              "{base}/forms/{form}/questions/{question}/edit", "{base}/tasks",
              "{base}/tasks/{task}/edit"]
PAGES = [*FORM_PAGES, "{base}/forms/{form}/preview"]
BUTTONS = ["{base}/forms/{form}/questions/{question}/move",
           "{base}/forms/{form}/questions/{question}/delete", "{base}/forms/{form}/delete",
           "{base}/tasks/{task}/delete"]


@pytest.mark.parametrize("page", PAGES)
def test_every_builder_page_renders_for_staff(signed_in, built, page):
    assert signed_in.get(page.format(**built)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_members_are_refused_every_builder_page(client, auth, make_member, built, page):
    auth.login(make_member())
    assert client.get(page.format(**built)).status_code == 403


@pytest.mark.parametrize("url", FORM_PAGES + BUTTONS)
def test_members_cannot_post_to_the_builder(client, auth, make_member, built, url):
    auth.login(make_member())
    answer = post_form(client, url.format(**built), {"title": "x", "direction": "up"},
                       page="/")
    assert answer.status_code == 403
    assert count(FormQuestion, FormQuestion.form_id == built["form"]) == len(EVERY_KIND)
    assert count(Task, Task.id == built["task"]) == 1


def test_a_new_form_without_csrf_token_is_refused_with_the_input_kept(signed_in, testing):
    campaign, _testers = testing
    answer = signed_in.post(f"{_base(campaign)}/forms", data=_window(title="No token"))
    assert answer.status_code == 400
    assert 'value="No token"' in answer.get_data(as_text=True)
    assert _forms_of(campaign) == []


def test_deleting_a_task_without_csrf_token_is_refused(signed_in, testing):
    campaign, _testers = testing
    task = builder.save_task(campaign.created_by, campaign, title="Kept", description=None,
                             due_at=utcnow() + timedelta(days=3), form_id=None)
    db.session.commit()
    answer = signed_in.post(f"{_base(campaign)}/tasks/{task.id}/delete")
    assert answer.status_code == 400
    assert [t.id for t in _tasks_of(campaign)] == [task.id]


# ---- the campaign setting ------------------------------------------------------------------

def _campaign_form(campaign, **overrides) -> dict:
    """The campaign's edit form as a browser sends it back unchanged."""
    data = {name: str(getattr(campaign, name)) for name in (
        "title", "slug", "product_id", "summary", "description", "terms", "device_policy",
        "slots", "completion_points", "confirm_days")}
    data.update({name: _local(getattr(campaign, name)) for name in (
        "applications_open_at", "applications_close_at", "test_starts_at", "test_ends_at")})
    data["elig_min_level"] = "newcomer"
    if campaign.reports_shared:
        data["reports_shared"] = "y"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_reports_are_shared_by_default_and_the_box_shows_it(signed_in, testing):
    campaign, _testers = testing
    assert campaign.reports_shared is True
    html = signed_in.get(f"{_base(campaign)}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]* checked [^>]*id="reports_shared"', html)


def test_unsharing_reports_does_not_send_a_recruiting_campaign_back_to_review(
        signed_in, make_campaign):
    campaign = make_campaign(RECRUITING)
    url = f"{_base(campaign)}/edit"
    answer = post_form(signed_in, url, _campaign_form(campaign, reports_shared=None))
    assert answer.status_code == 302
    campaign = fresh(campaign)
    assert campaign.reports_shared is False and campaign.state == RECRUITING
    post_form(signed_in, url, _campaign_form(campaign, reports_shared="y"))
    campaign = fresh(campaign)
    assert campaign.reports_shared is True and campaign.state == RECRUITING


def test_the_text_still_sends_a_recruiting_campaign_back_to_review(signed_in, make_campaign):
    campaign = make_campaign(RECRUITING)
    post_form(signed_in, f"{_base(campaign)}/edit",
              _campaign_form(campaign, title="A new title", reports_shared=None))
    campaign = fresh(campaign)
    assert campaign.state == IN_REVIEW and campaign.reports_shared is False


def test_adding_a_question_is_audited_on_its_form(signed_in, testing, make_form):
    campaign, _testers = testing
    form = make_form(campaign, questions=())
    before = len(audited("feedback.form_saved", "feedback_form", form.id))
    post_form(signed_in, _form_page(form), _adding(label="Anything else?"))
    entries = audited("feedback.form_saved", "feedback_form", form.id)
    assert len(entries) == before + 1
    question = db.session.scalar(select(FormQuestion).where(FormQuestion.form_id == form.id))
    assert question.label == "Anything else?"


def test_staff_stop_and_restart_sharing_reports_while_the_test_runs(signed_in, testing,
                                                                     file_report):
    campaign, (reporter, other) = testing
    report = file_report(reporter, campaign)
    url = f"{_base(campaign)}/reports-shared"
    answer = post_form(signed_in, url, {"shared": "0"}, page=f"{_base(campaign)}/forms")
    assert answer.status_code == 302
    assert fresh(campaign).reports_shared is False
    assert not reports.can_see(participation_of(other, campaign), report)
    assert audited("feedback.reports_shared", "campaign", campaign.id)
    post_form(signed_in, url, {"shared": "1"}, page=f"{_base(campaign)}/forms")
    assert fresh(campaign).reports_shared is True
    assert reports.can_see(participation_of(other, campaign), report)
