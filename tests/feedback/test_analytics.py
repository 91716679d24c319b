"""The numbers of a campaign's test, checked against values worked out by hand:
per-question distributions, averages and medians, NPS, free texts, completion of forms
and tasks, and reports by status and severity. Only submitted responses count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.campaigns.models import COMPLETED, DROPPED, NOT_SELECTED, Application
from lab.extensions import db
from lab.feedback import analytics, builder, responses, tasks, triage
from lab.feedback.analytics import NetPromoter, half_up, net_promoter
from tests.feedback.conftest import EVERY_KIND, participation_of, submit_form

pytestmark = pytest.mark.usefixtures("english")

DAY = timedelta(days=1)

RATING = {"kind": "rating", "label": "How do you rate the setup?"}
NPS = {"kind": "nps", "label": "Would you recommend it to a friend?"}
NUMBER = {"kind": "number", "label": "Download speed (Mbit/s)", "required": False}
YES_NO = {"kind": "yes_no", "label": "Would you buy it?"}
SINGLE = {"kind": "single", "label": "Where did you test?",
          "options": ["Flat", "House", "Office"]}
MULTIPLE = {"kind": "multiple", "label": "What did you use?", "options": ["WiFi", "LAN", "Mesh"]}
LONG_TEXT = {"kind": "long_text", "label": "What did you like?", "required": False}


@pytest.fixture
def answered(make_test_campaign, make_form):
    """answered(question, values, drafts=()) -> (campaign, form, testers): a form with that
    one question, submitted by one tester per value (and saved as a draft by one more
    tester per value in ``drafts``)."""

    def make(question, values, drafts=()):
        campaign, testers = make_test_campaign(testers=len(values) + len(drafts))
        form = make_form(campaign, [question])
        name = f"q{form.questions[0].id}"
        sends = [(value, True) for value in values] + [(value, False) for value in drafts]
        for tester, (value, submit) in zip(testers, sends, strict=True):
            responses.save(participation_of(tester, campaign), form, {name: value},
                           submit=submit)
        return campaign, form, testers

    return make


def only_result(campaign) -> analytics.QuestionResult:
    [form_result] = analytics.for_campaign(campaign).forms
    [result] = form_result.questions
    return result


def counts(result) -> list[int]:
    return [count for _label, count in result.distribution]


# --- scales ---------------------------------------------------------------------------------

def test_ratings_5_4_4(answered):
    campaign, _form, _testers = answered(RATING, ["5", "4", "4"])
    result = only_result(campaign)
    assert result.answered == 3
    assert result.distribution == [("1", 0), ("2", 0), ("3", 0), ("4", 2), ("5", 1)]
    assert result.average == 4.33  # 13 / 3 = 4.333…
    assert (result.median, result.low, result.high) == (4.0, 4.0, 5.0)
    assert result.chartable is True
    assert (result.nps, result.texts) == (None, [])


def test_ratings_average_rounds_half_up(answered):
    campaign, _form, _testers = answered(RATING, ["5", "4", "4", "4", "5", "5", "4", "4"])
    # 35 / 8 = 4.375 -> 4.38; the median of an even count is the mean of the middle two
    result = only_result(campaign)
    assert (result.average, result.median) == (4.38, 4.0)


def test_nps_10_9_7_3_0(answered):
    campaign, _form, _testers = answered(NPS, ["10", "9", "7", "3", "0"])
    result = only_result(campaign)
    assert result.nps == NetPromoter(promoters=2, passives=1, detractors=2)
    assert (result.nps.total, result.nps.score) == (5, 0)
    assert [label for label, _count in result.distribution] == [str(n) for n in range(11)]
    assert counts(result) == [1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1]
    assert (result.average, result.median, result.low, result.high) == (5.8, 7.0, 0.0, 10.0)


def test_nps_10_9_3_scores_plus_33(answered):
    campaign, _form, _testers = answered(NPS, ["10", "9", "3"])
    result = only_result(campaign)
    # 2 of 3 promoters (66.7 %) minus 1 of 3 detractors (33.3 %)
    assert (result.nps.promoters, result.nps.passives, result.nps.detractors) == (2, 0, 1)
    assert result.nps.score == 33
    assert (result.average, result.median) == (7.33, 9.0)


def test_nps_with_more_detractors_is_negative(answered):
    campaign, _form, _testers = answered(NPS, ["0", "3", "6", "10"])
    assert only_result(campaign).nps.score == -50  # 25 % - 75 %


# --- numbers, yes/no, choices, texts --------------------------------------------------------

def test_number_answers_average_median_lowest_and_highest(answered):
    campaign, _form, _testers = answered(NUMBER, ["250", "100", "50,5", "1000"])
    result = only_result(campaign)
    assert result.answered == 4
    assert result.average == 350.13  # 1400.5 / 4 = 350.125, rounded half up
    assert result.median == 175.0  # (100 + 250) / 2
    assert (result.low, result.high) == (50.5, 1000.0)
    assert (result.distribution, result.chartable) == ([], False)


def test_an_optional_number_left_empty_is_not_counted(answered):
    campaign, _form, _testers = answered(NUMBER, ["10", "", "20"])
    result = only_result(campaign)
    assert (result.answered, result.average, result.median) == (2, 15.0, 15.0)


def test_yes_no_counts(answered):
    campaign, _form, _testers = answered(YES_NO, ["yes", "no", "yes"])
    result = only_result(campaign)
    assert result.distribution == [("yes", 2), ("no", 1)]
    assert (result.answered, result.average) == (3, None)


def test_single_choice_counts_every_option_in_its_order(answered):
    campaign, _form, _testers = answered(SINGLE, ["Office", "Flat", "Office"])
    assert only_result(campaign).distribution == [("Flat", 1), ("House", 0), ("Office", 2)]


def test_multiple_choice_counts_each_option_picked(answered):
    campaign, _form, _testers = answered(MULTIPLE, [["WiFi", "LAN"], ["WiFi"],
                                                    ["Mesh", "WiFi"]])
    result = only_result(campaign)
    assert result.answered == 3
    assert result.distribution == [("WiFi", 3), ("LAN", 1), ("Mesh", 1)]


def test_free_texts_are_listed_with_the_testers_handle(answered):
    campaign, _form, [ann, _ben, cem] = answered(LONG_TEXT, ["Great range", "", "Too warm"])
    result = only_result(campaign)
    assert result.answered == 2
    assert result.texts == [(ann.handle, "Great range"), (cem.handle, "Too warm")]
    assert (result.distribution, result.chartable, result.average) == ([], False, None)


# --- what counts ----------------------------------------------------------------------------

def test_drafts_are_not_counted(answered):
    campaign, _form, _testers = answered(RATING, ["5", "3"], drafts=["1"])
    [form_result] = analytics.for_campaign(campaign).forms
    assert (form_result.testers, form_result.submitted, form_result.drafts) == (3, 2, 1)
    [result] = form_result.questions
    assert (result.answered, result.average) == (2, 4.0)
    assert counts(result) == [0, 0, 1, 0, 1]


def test_a_question_nobody_answered_yet(make_test_campaign, make_form):
    campaign, _testers = make_test_campaign(testers=2)
    make_form(campaign, [RATING, NPS, LONG_TEXT])
    [form_result] = analytics.for_campaign(campaign).forms
    rating, nps, text = form_result.questions
    assert (form_result.testers, form_result.submitted, form_result.drafts) == (2, 0, 0)
    assert (rating.answered, rating.average, rating.median, rating.low, rating.high) == (
        0, None, None, None, None)
    assert counts(rating) == [0] * 5
    assert (nps.nps.total, nps.nps.score) == (0, None)
    assert text.texts == []


def test_every_form_and_question_is_reported_in_order(make_test_campaign, make_form):
    campaign, [tester] = make_test_campaign(testers=1)
    first = make_form(campaign, EVERY_KIND, title="First impressions")
    final = make_form(campaign, [RATING], title="Final survey", opens_in=DAY, due_in=9 * DAY)
    submit_form(tester, campaign, first)
    result = analytics.for_campaign(campaign)
    assert [f.form for f in result.forms] == [first, final]
    assert [q.question.kind for q in result.forms[0].questions] == [
        q["kind"] for q in EVERY_KIND]
    assert [q.answered for q in result.forms[0].questions] == [1] * len(EVERY_KIND)
    assert (result.forms[1].submitted, result.forms[1].questions[0].answered) == (0, 0)


def test_answers_of_another_campaign_are_not_counted(answered):
    campaign, _form, _testers = answered(RATING, ["5"])
    other, _other_form, _ = answered(RATING, ["1", "1"])
    assert (only_result(campaign).answered, only_result(campaign).average) == (1, 5.0)
    assert only_result(other).average == 1.0


def test_answers_still_count_after_their_question_is_reworded(answered):
    campaign, form, _testers = answered(RATING, ["5", "3"])
    question = form.questions[0]
    builder.save_question(campaign.created_by, form, question, kind="rating",
                          label="How easy was the setup?", help_text=None, required=True,
                          options=[])
    result = only_result(campaign)
    assert (result.question.label, result.answered, result.average) == (
        "How easy was the setup?", 2, 4.0)


# --- testers and tasks ----------------------------------------------------------------------

def test_testers_are_the_confirmed_and_completed_ones(make_test_campaign, make_member):
    campaign, _confirmed = make_test_campaign(testers=2)
    for status in (COMPLETED, DROPPED, NOT_SELECTED):
        db.session.add(Application(campaign_id=campaign.id, member_id=make_member().id,
                                   status=status, answers={}))
    db.session.flush()
    assert analytics.for_campaign(campaign).testers == 3


def test_task_completion_per_task(make_test_campaign, make_form, make_task):
    campaign, [ann, ben, cem] = make_test_campaign(testers=3)
    form = make_form(campaign)
    setup = make_task(campaign, "Set up the router", due_in=2 * DAY)
    survey = make_task(campaign, "First impressions", form=form, due_in=5 * DAY)
    mesh = make_task(campaign, "Test the mesh", due_in=9 * DAY)
    for member in (ann, ben):
        tasks.mark_done(participation_of(member, campaign), setup)
    submit_form(cem, campaign, form)
    responses.save(participation_of(ann, campaign), form, {}, submit=False)  # a draft

    result = analytics.for_campaign(campaign)
    assert [(t.task, t.testers, t.done) for t in result.tasks] == [
        (setup, 3, 2), (survey, 3, 1), (mesh, 3, 0)]


def test_a_campaign_without_forms_tasks_or_reports(make_test_campaign):
    campaign, _testers = make_test_campaign(testers=2)
    result = analytics.for_campaign(campaign)
    assert (result.testers, result.forms, result.tasks, result.reports) == (2, [], [], {})
    assert result.reports_total() == 0


# --- reports --------------------------------------------------------------------------------

def test_reports_are_counted_by_status_and_severity(make_test_campaign, file_report):
    campaign, [ann, ben] = make_test_campaign(testers=2)
    file_report(ann, campaign, title="WiFi drops every hour", severity="major")
    file_report(ben, campaign, title="LAN port 2 is dead", severity="major")
    critical = file_report(ann, campaign, title="Reboots when streaming", severity="critical")
    file_report(ben, campaign, kind="idea", title="Guest network schedule")
    file_report(ben, campaign, kind="praise", title="Great range")
    triage.set_status(campaign.created_by, critical, "acknowledged")

    expected = {("new", "major"): 2, ("acknowledged", "critical"): 1, ("new", None): 2}
    assert triage.counts_by(campaign.id) == expected
    result = analytics.for_campaign(campaign)
    assert (result.reports, result.reports_total()) == (expected, 5)


def test_reports_of_another_campaign_are_not_counted(make_test_campaign, file_report):
    campaign, [ann] = make_test_campaign(testers=1)
    other, [ben] = make_test_campaign(testers=1)
    file_report(ben, other)
    assert triage.counts_by(campaign.id) == {}
    file_report(ann, campaign, severity="minor")
    assert triage.counts_by(campaign.id) == {("new", "minor"): 1}


# --- the arithmetic -------------------------------------------------------------------------

@pytest.mark.parametrize("value,places,rounded", [
    (0.5, 0, 1.0), (1.5, 0, 2.0), (2.5, 0, 3.0), (2.49, 0, 2.0),
    (4.335, 2, 4.34), (2.675, 2, 2.68), (4.333, 2, 4.33), (350.125, 2, 350.13),
    (-2.5, 0, -3.0), (12.5, 0, 13.0),
])
def test_half_up_rounds_halves_away_from_zero_as_people_expect(value, places, rounded):
    assert half_up(value, places) == rounded


@pytest.mark.parametrize("value,kind", [(0, "detractors"), (6, "detractors"),
                                        (7, "passives"), (8, "passives"),
                                        (9, "promoters"), (10, "promoters")])
def test_nps_groups(value, kind):
    groups = net_promoter([value])
    assert getattr(groups, kind) == 1
    assert groups.total == 1


@pytest.mark.parametrize("values,score", [
    ([], None),
    ([9, 10, 10], 100),
    ([0, 6, 3], -100),
    ([7, 8], 0),
    ([10, 7, 7, 7, 7, 7, 7, 7], 13),  # 12.5 rounds half up
    ([0, 7, 7, 7, 7, 7, 7, 7], -13),
    ([10, 10, 3], 33),
    ([10, 3, 3], -33),
    ([10, 10, 8, 3], 25),
])
def test_net_promoter_score(values, score):
    assert net_promoter(values).score == score


def test_no_answers_give_no_score_but_zero_counts():
    nobody = net_promoter([])
    assert (nobody.promoters, nobody.passives, nobody.detractors, nobody.total) == (0, 0, 0, 0)
    assert nobody.score is None
