"""The staff analytics page of a campaign: numbers checked against hand-computed values,
charts as SVG with text alternatives, free-text answers escaped, reports by severity and
status, staff only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lab.campaigns.models import EVALUATION
from lab.core.clock import utcnow
from lab.extensions import db
from lab.feedback import builder, responses, tasks, triage
from tests.feedback.conftest import answers_for, participation_of

SCRIPT = "<script>alert('x')</script>\nSecond line"
# what each of three testers answers (rating, nps, multiple choice, long text, number)
ANSWERS = [
    {"rating": "5", "nps": "10", "multiple": ["WiFi", "LAN"], "long_text": SCRIPT,
     "yes_no": "yes", "number": "100"},
    {"rating": "4", "nps": "9", "multiple": ["WiFi"], "long_text": "",
     "yes_no": "yes", "number": "250"},
    {"rating": "4", "nps": "3", "multiple": ["Mesh"], "long_text": "Great range.",
     "yes_no": "no", "number": "400"},
]


def _url(campaign) -> str:
    return f"/staff/campaigns/{campaign.slug}/analytics"


def _submit(member, campaign, form, **by_kind):
    overrides = {f"q{q.id}": by_kind[q.kind] for q in form.questions if q.kind in by_kind}
    return responses.save(participation_of(member, campaign), form,
                          answers_for(form, **overrides), submit=True)


def _question(form, kind):
    return next(q for q in form.questions if q.kind == kind)


def _section(page: str, element_id: str) -> str:
    """The HTML of the (innermost) section with this id."""
    match = re.search(rf'<section[^>]*id="{element_id}">(.*?)</section>', page, re.S)
    assert match, f"no section #{element_id}"
    return match.group(1)


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, re.S)]


def _row(html: str, row_id: str) -> list[str]:
    match = re.search(rf'<tr[^>]*id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row #{row_id}"
    return _cells(match.group(1))


@pytest.fixture
def surveyed(make_test_campaign, make_form, auth, make_staff):
    """A campaign in testing whose three testers submitted a form of every kind (ANSWERS),
    signed in as an English-speaking staff member."""
    campaign, testers = make_test_campaign(testers=3)
    form = make_form(campaign)
    for member, answers in zip(testers, ANSWERS, strict=True):
        _submit(member, campaign, form, **answers)
    auth.login(make_staff(locale="en"))
    return campaign, form, testers


def test_the_overview_counts_testers_submitted_forms_and_reports(client, surveyed,
                                                                 file_report):
    campaign, _form, testers = surveyed
    file_report(testers[0], campaign)
    file_report(testers[1], campaign, kind="idea", title="A guest network schedule")
    db.session.commit()
    page = client.get(_url(campaign)).get_data(as_text=True)
    assert re.search(r'id="overview-testers">3<', page)
    assert re.search(r'id="overview-submitted">3<', page)
    assert re.search(r'id="overview-reports">2<', page)


def test_a_rating_shows_average_median_lowest_and_highest(client, surveyed):
    campaign, form, _testers = surveyed
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{_question(form, 'rating').id}")
    assert re.search(r'class="[^"]*average">4\.33<', section)
    assert re.search(r'class="[^"]*median">4<', section)
    assert re.search(r'class="[^"]*low">4<', section)
    assert re.search(r'class="[^"]*high">5<', section)
    assert "3 answers" in section


def test_a_rating_distribution_is_a_table_with_counts_and_shares(client, surveyed):
    campaign, form, _testers = surveyed
    question = _question(form, "rating")
    page = client.get(_url(campaign)).get_data(as_text=True)
    table = re.search(rf'<table[^>]*id="table-question-{question.id}">(.*?)</table>', page,
                      re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert [_cells(row) for row in rows] == [
        ["1", "0", "0%"], ["2", "0", "0%"], ["3", "0", "0%"], ["4", "2", "67%"],
        ["5", "1", "33%"]]


def test_a_chart_is_an_svg_image_with_a_title_and_every_value_in_words(client, surveyed):
    campaign, form, _testers = surveyed
    question = _question(form, "rating")
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{question.id}")
    svg = re.search(r"<svg[^>]*>.*?</svg>", section, re.S).group(0)
    chart = f"chart-question-{question.id}"
    assert 'role="img"' in svg
    assert f'aria-labelledby="{chart}-title {chart}-desc"' in svg
    assert f'<title id="{chart}-title">Answers to “How do you rate the setup?”</title>' in svg
    assert (f'<desc id="{chart}-desc">1: 0 answers; 2: 0 answers; 3: 0 answers; '
            f'4: 2 answers; 5: 1 answer.</desc>') in svg
    # a bar per scale point, the longest for the most frequent answer
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 5
    assert widths[3] == max(widths) and widths[4] == widths[3] / 2 and widths[0] == 0


def test_the_nps_block_counts_promoters_passives_and_detractors(client, surveyed):
    campaign, form, _testers = surveyed
    question = _question(form, "nps")
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{question.id}")
    assert "NPS +33" in section
    assert re.search(r'class="[^"]*average">7\.33<', section)
    nps = section.split(f'id="nps-{question.id}"')[1]
    rows = dict((cells[0], cells[1:]) for cells in (
        _cells(row) for row in re.findall(r'<tr class="\w+">(.*?)</tr>', nps, re.S)))
    assert rows == {"Promoters (9–10)": ["2", "67%"], "Passives (7–8)": ["0", "0%"],
                    "Detractors (0–6)": ["1", "33%"]}


def test_a_multiple_choice_distribution_counts_each_option(client, surveyed):
    campaign, form, _testers = surveyed
    question = _question(form, "multiple")
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{question.id}")
    assert "WiFi: 2 answers; LAN: 1 answer; Mesh: 1 answer." in section
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1], re.S)
    # shares of the three testers who answered: choices may add up to more than 100%
    assert [_cells(row) for row in rows] == [["WiFi", "2", "67%"], ["LAN", "1", "33%"],
                                             ["Mesh", "1", "33%"]]


def test_yes_no_answers_are_charted_with_words(client, surveyed):
    campaign, form, _testers = surveyed
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{_question(form, 'yes_no').id}")
    assert "yes: 2 answers; no: 1 answer." in section


def test_option_labels_are_escaped_in_the_chart_and_the_table(
        client, auth, make_staff, make_test_campaign, make_form):
    campaign, testers = make_test_campaign(testers=1)
    form = make_form(campaign, [{"kind": "single", "label": "Pick <i>one</i>",
                                 "options": ["<b>bold</b>", "plain"]}])
    _submit(testers[0], campaign, form, single="<b>bold</b>")
    auth.login(make_staff(locale="en"))
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{form.questions[0].id}")
    assert "<b>" not in section and "<i>" not in section
    assert "&lt;b&gt;bold&lt;/b&gt;: 1 answer; plain: 0 answers." in section
    assert "Answers to “Pick &lt;i&gt;one&lt;/i&gt;”" in section
    assert '<th scope="row">&lt;b&gt;bold&lt;/b&gt;</th>' in section


def test_a_number_question_shows_its_average(client, surveyed):
    campaign, form, _testers = surveyed
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{_question(form, 'number').id}")
    assert re.search(r'class="[^"]*average">250<', section)
    assert re.search(r'class="[^"]*low">100<', section)
    assert "<svg" not in section


def test_text_answers_are_listed_with_the_handle_and_escaped(client, surveyed):
    campaign, form, testers = surveyed
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{_question(form, 'long_text').id}")
    assert "<script>" not in section
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;\nSecond line" in section
    assert f"@{testers[0].handle}" in section
    assert "Great range." in section
    assert 'class="lab-pre-line"' in section


def test_more_than_twenty_text_answers_hide_the_rest_in_details(
        client, auth, make_staff, make_test_campaign, make_form):
    campaign, testers = make_test_campaign(testers=23)
    form = make_form(campaign, [{"kind": "short_text", "label": "One word"}])
    for number, member in enumerate(testers, start=1):
        _submit(member, campaign, form, short_text=f"answer number {number:02d}")
    auth.login(make_staff(locale="en"))
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{form.questions[0].id}")
    shown, hidden = section.split("<details")
    assert shown.count("answer number") == 20
    assert "answer number 20" in shown and "answer number 21" not in shown
    assert "Show 3 more answers" in hidden and hidden.count("answer number") == 3


def test_a_question_without_answers_says_so(client, auth, make_staff, make_test_campaign,
                                            make_form):
    campaign, _testers = make_test_campaign(testers=2)
    form = make_form(campaign)
    auth.login(make_staff(locale="en"))
    page = client.get(_url(campaign)).get_data(as_text=True)
    assert page.count("No answers yet") == len(form.questions)
    assert "<svg" not in page.split('id="forms-heading"')[1].split('id="reports-heading"')[0]
    assert "No reports yet." in page


def test_form_completion_counts_submitted_responses_and_drafts(
        client, auth, make_staff, make_test_campaign, make_form):
    campaign, testers = make_test_campaign(testers=4)
    form = make_form(campaign)
    _submit(testers[0], campaign, form)
    responses.save(participation_of(testers[1], campaign), form, {}, submit=False)
    auth.login(make_staff(locale="en"))
    section = client.get(_url(campaign)).get_data(as_text=True).split(f'id="form-{form.id}"')[1]
    assert "Submitted by 1 of 4 testers (25%)." in section
    assert "1 draft not submitted yet." in section


def test_task_completion_shows_done_of_testers_and_a_share(
        client, auth, make_staff, make_test_campaign):
    campaign, testers = make_test_campaign(testers=3)
    task = builder.save_task(campaign.created_by, campaign, title="Set up the router",
                             description=None, due_at=utcnow() + timedelta(days=3),
                             form_id=None)
    for member in testers[:2]:
        tasks.mark_done(participation_of(member, campaign), task)
    auth.login(make_staff(locale="en"))
    page = client.get(_url(campaign)).get_data(as_text=True)
    row = _row(page, f"task-{task.id}")
    assert row[0] == "Set up the router"
    assert row[2:] == ["2 of 3", "67%"]


def test_reports_are_counted_by_severity_and_status(client, surveyed, file_report):
    campaign, _form, testers = surveyed
    staff = campaign.created_by
    file_report(testers[0], campaign, severity="critical")
    fixed = file_report(testers[1], campaign, severity="critical", title="Reboots at night")
    file_report(testers[2], campaign, severity="minor", title="The LED is too bright")
    file_report(testers[0], campaign, kind="praise", title="Lovely setup")
    triage.set_status(staff, fixed, "fixed", "")
    db.session.commit()
    page = client.get(_url(campaign)).get_data(as_text=True)
    table = page.split('id="reports-by-severity"')[1].split("</table>")[0]
    header = _cells(table.split("<tbody>")[0])
    assert header[0] == "Severity" and header[-1] == "Total" and len(header) == 9
    expect = {"critical": [1, 0, 0, 1, 0, 0, 0, 2], "major": [0] * 8, "minor": [1] + [0] * 6
              + [1], "cosmetic": [0] * 8, "none": [1] + [0] * 6 + [1],
              "total": [3, 0, 0, 1, 0, 0, 0, 4]}
    for key, counts in expect.items():
        row = _row(table, f"severity-{key}")
        assert [int(c) for c in row[1:]] == counts, key
    assert _row(table, "severity-none")[0] == "no severity (ideas and praise)"


def test_open_reports_are_charted_by_severity(client, surveyed, file_report):
    campaign, _form, testers = surveyed
    file_report(testers[0], campaign, severity="critical")
    closed = file_report(testers[1], campaign, severity="major", title="Reboots at night")
    file_report(testers[2], campaign, severity="major", title="The LED is too bright")
    triage.set_status(campaign.created_by, closed, "wont_fix", "")
    db.session.commit()
    page = client.get(_url(campaign)).get_data(as_text=True)
    svg = re.search(r'<svg[^>]*id="chart-open-reports".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert ("critical: 1 report; major: 1 report; minor: 0 reports; cosmetic: 0 reports; "
            "ideas and praise: 0 reports.") in svg


def test_the_page_links_the_four_exports(client, surveyed):
    campaign, _form, _testers = surveyed
    page = client.get(_url(campaign)).get_data(as_text=True)
    for name in ("responses.csv", "responses.xlsx", "reports.csv", "reports.xlsx"):
        assert f'href="/staff/campaigns/{campaign.slug}/export/{name}"' in page


def test_the_page_is_in_the_campaign_navigation(client, surveyed):
    campaign, _form, _testers = surveyed
    page = client.get(_url(campaign)).get_data(as_text=True)
    assert re.search(r'href="/staff/campaigns/[^"]+/analytics" aria-current="page"', page)


def test_analytics_of_a_campaign_in_evaluation_are_shown(
        client, auth, make_staff, make_test_campaign, make_form):
    campaign, testers = make_test_campaign(testers=1)
    form = make_form(campaign)
    _submit(testers[0], campaign, form, rating="2")
    campaign.state = EVALUATION
    auth.login(make_staff(locale="en"))
    section = _section(client.get(_url(campaign)).get_data(as_text=True),
                       f"question-{_question(form, 'rating').id}")
    assert re.search(r'class="[^"]*average">2<', section)


def test_a_member_gets_403(client, auth, make_member, make_test_campaign):
    campaign, testers = make_test_campaign(testers=1)
    auth.login(testers[0])
    assert client.get(_url(campaign)).status_code == 403
    auth.login(make_member())
    assert client.get(_url(campaign)).status_code == 403


def test_an_unknown_campaign_is_404(client, auth, make_staff):
    auth.login(make_staff())
    assert client.get("/staff/campaigns/no-such-campaign/analytics").status_code == 404
