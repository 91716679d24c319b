"""The exports of a campaign's responses and reports: CSV with a BOM and one row per
answer, XLSX with a sheet per form, formula-like cells neutralised, staff only."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from lab.extensions import db
from lab.feedback import responses
from tests.feedback.conftest import EVERY_KIND, answers_for, participation_of

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(campaign, name: str) -> str:
    return f"/staff/campaigns/{campaign.slug}/export/{name}"


def _submit(member, campaign, form, submit=True, **by_kind):
    overrides = {f"q{q.id}": by_kind[q.kind] for q in form.questions if q.kind in by_kind}
    responses.save(participation_of(member, campaign), form, answers_for(form, **overrides),
                   submit=submit)


def _csv(answer) -> list[list[str]]:
    text = answer.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _workbook(answer):
    assert answer.mimetype == XLSX_TYPE
    return load_workbook(io.BytesIO(answer.get_data()))


@pytest.fixture
def answered(make_test_campaign, make_form, auth, make_staff):
    """Two forms; of three testers two submitted the first (one with a formula as
    firmware version), the third only saved a draft; signed in as English staff."""
    campaign, testers = make_test_campaign(testers=3)
    first = make_form(campaign)
    second = make_form(campaign, [{"kind": "rating", "label": "Final verdict"}],
                       title="Final survey")
    _submit(testers[0], campaign, first, rating="5", number="250",
            short_text="=HYPERLINK(\"http://evil.example\")")
    _submit(testers[1], campaign, first, rating="3", number="99.5")
    _submit(testers[2], campaign, first, submit=False)
    auth.login(make_staff(locale="en"))
    return campaign, (first, second), testers


def test_the_responses_csv_is_a_download_named_after_the_campaign(client, answered):
    campaign, _forms, _testers = answered
    answer = client.get(_export(campaign, "responses.csv"))
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.headers["Content-Disposition"] == \
        f'attachment; filename="{campaign.slug}-responses.csv"'


def test_the_responses_csv_has_a_bom_a_header_and_a_row_per_submitted_answer(client,
                                                                              answered):
    campaign, (first, _second), testers = answered
    rows = _csv(client.get(_export(campaign, "responses.csv")))
    assert rows[0] == ["Form", "Tester", "Submitted at (UTC)", "Question", "Answer"]
    body = rows[1:]
    assert len(body) == 2 * len(EVERY_KIND)  # the draft is left out
    assert {row[1] for row in body} == {testers[0].handle, testers[1].handle}
    mine = {row[3]: row[4] for row in body if row[1] == testers[1].handle}
    assert mine["How do you rate the setup?"] == "3"
    assert mine["What did you use?"] == "WiFi; LAN"
    assert mine["Download speed (Mbit/s)"] == "99.5"
    assert all(row[0] == first.title for row in body)


def test_a_csv_cell_starting_with_a_formula_is_neutralised(client, answered):
    campaign, _forms, testers = answered
    rows = _csv(client.get(_export(campaign, "responses.csv")))
    firmware = next(row[4] for row in rows
                    if row[1] == testers[0].handle and row[3] == "Firmware version")
    assert firmware == "'=HYPERLINK(\"http://evil.example\")"


def test_the_responses_xlsx_has_a_sheet_per_form_with_the_questions_as_header(client,
                                                                             answered):
    campaign, (first, second), _testers = answered
    answer = client.get(_export(campaign, "responses.xlsx"))
    assert answer.headers["Content-Disposition"] == \
        f'attachment; filename="{campaign.slug}-responses.xlsx"'
    book = _workbook(answer)
    assert book.sheetnames == ["1 First impressions", "2 Final survey"]
    header = [cell.value for cell in book["1 First impressions"][1]]
    assert header == ["Tester", "Submitted at (UTC)"] + [q["label"] for q in EVERY_KIND]
    assert [cell.value for cell in book["2 Final survey"][1]] == \
        ["Tester", "Submitted at (UTC)", "Final verdict"]
    assert book["2 Final survey"].max_row == 1  # nobody answered it yet


def test_the_responses_xlsx_keeps_numbers_as_numbers_and_neutralises_formulas(client,
                                                                             answered):
    campaign, (first, _second), testers = answered
    sheet = _workbook(client.get(_export(campaign, "responses.xlsx")))["1 First impressions"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {testers[0].handle, testers[1].handle}
    first_row, second_row = rows[testers[0].handle], rows[testers[1].handle]
    assert first_row["How do you rate the setup?"] == 5
    assert isinstance(first_row["How do you rate the setup?"], int)
    assert first_row["Download speed (Mbit/s)"] == 250
    assert second_row["Download speed (Mbit/s)"] == 99.5
    assert first_row["Would you recommend it to a friend?"] == 9
    assert first_row["What did you use?"] == "WiFi; LAN"
    assert first_row["Firmware version"] == "'=HYPERLINK(\"http://evil.example\")"


def test_the_reports_csv_lists_each_report(client, answered, file_report):
    campaign, _forms, testers = answered
    bug = file_report(testers[0], campaign, severity="critical", title="=1+1 reboots")
    idea = file_report(testers[1], campaign, kind="idea", title="A guest network schedule")
    db.session.commit()
    answer = client.get(_export(campaign, "reports.csv"))
    assert answer.headers["Content-Disposition"] == \
        f'attachment; filename="{campaign.slug}-reports.csv"'
    rows = _csv(answer)
    header = rows[0]
    assert header[:5] == ["Number", "Kind", "Title", "Severity", "Status"]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {str(bug.id), str(idea.id)}
    assert by_number[str(bug.id)]["Title"] == "'=1+1 reboots"
    assert by_number[str(bug.id)]["Severity"] == "critical"
    assert by_number[str(bug.id)]["Tester"] == testers[0].handle
    assert by_number[str(idea.id)]["Kind"] == "Idea"
    assert by_number[str(idea.id)]["Severity"] == ""


def test_the_reports_xlsx_lists_each_report_on_one_sheet(client, answered, file_report):
    campaign, _forms, testers = answered
    bug = file_report(testers[0], campaign, severity="minor")
    praise = file_report(testers[1], campaign, kind="praise", title="Lovely setup")
    db.session.commit()
    book = _workbook(client.get(_export(campaign, "reports.xlsx")))
    assert book.sheetnames == ["Reports"]
    rows = list(book["Reports"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Number", "Kind", "Title")
    assert [(row[0], row[2]) for row in rows[1:]] == [(bug.id, bug.title),
                                                      (praise.id, "Lovely setup")]


def test_exports_of_a_campaign_without_forms_or_reports_still_open(
        client, auth, make_staff, make_test_campaign):
    campaign, _testers = make_test_campaign(testers=1)
    auth.login(make_staff(locale="en"))
    assert _csv(client.get(_export(campaign, "responses.csv"))) == [
        ["Form", "Tester", "Submitted at (UTC)", "Question", "Answer"]]
    assert len(_workbook(client.get(_export(campaign, "responses.xlsx"))).sheetnames) == 1
    assert len(_csv(client.get(_export(campaign, "reports.csv")))) == 1


@pytest.mark.parametrize("name", ["answers.csv", "responses.pdf", "reports.json",
                                  "responses", "responses.csv.xlsx", "applications.xlsx"])
def test_an_unknown_export_is_404(client, answered, name):
    campaign, _forms, _testers = answered
    assert client.get(_export(campaign, name)).status_code == 404


def test_an_export_of_an_unknown_campaign_is_404(client, auth, make_staff):
    auth.login(make_staff())
    assert client.get("/staff/campaigns/nowhere/export/responses.csv").status_code == 404


@pytest.mark.parametrize("name", ["responses.csv", "responses.xlsx", "reports.csv",
                                  "reports.xlsx"])
def test_members_and_testers_may_not_export(client, auth, make_member, make_test_campaign,
                                            name):
    campaign, testers = make_test_campaign(testers=1)
    auth.login(testers[0])
    assert client.get(_export(campaign, name)).status_code == 403
    auth.login(make_member())
    assert client.get(_export(campaign, name)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, make_test_campaign):
    campaign, _testers = make_test_campaign(testers=1)
    db.session.commit()
    answer = client.get(_export(campaign, "reports.csv"))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")
