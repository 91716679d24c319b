"""What the exports hold: responses as long rows (CSV) and as one sheet per form (XLSX),
reports as a table; and how cells are written so that a spreadsheet never runs what
testers typed (lab.core.export)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from lab.core import export
from lab.core.clock import frozen_at
from lab.feedback import builder, exports, reports, responses, triage
from lab.feedback.attachments import Upload
from tests.feedback.conftest import EVERY_KIND, answers_for, participation_of, submit_form

pytestmark = pytest.mark.usefixtures("english")

NOW = datetime(2030, 5, 4, 8, 0, 0)
ANN_AT, BEN_AT = datetime(2030, 5, 4, 10, 30, 15), datetime(2030, 5, 4, 12, 5, 59)
LABELS = [q["label"] for q in EVERY_KIND]
RATING_LABEL = EVERY_KIND[0]["label"]
FORMULA = '=HYPERLINK("http://example.com/x")'


def field(form, kind) -> str:
    return next(f"q{q.id}" for q in form.questions if q.kind == kind)


@pytest.fixture
def answered(make_test_campaign, make_form):
    """(campaign, [ann, ben, cem], first form (every kind), final form (a rating)): ann
    submitted the first form at 10:30, ben at 12:05 (a formula as firmware, no speed) and
    the final form too; cem only saved a draft of the first."""
    with frozen_at(NOW):
        campaign, [ann, ben, cem] = make_test_campaign(testers=3)
        first = make_form(campaign, title="First impressions")
        final = make_form(campaign, [EVERY_KIND[0]], title="Final survey",
                          opens_in=-timedelta(hours=1))
    with frozen_at(ANN_AT):
        submit_form(ann, campaign, first)
    with frozen_at(BEN_AT):
        submit_form(ben, campaign, first, **{field(first, "short_text"): FORMULA,
                                             field(first, "number"): ""})
        submit_form(ben, campaign, final, **{field(final, "rating"): "2"})
        responses.save(participation_of(cem, campaign), first, answers_for(first),
                       submit=False)
    return campaign, [ann, ben, cem], first, final


ANN_VALUES = [4, 9, "Flat", ["WiFi", "LAN"], "1.2.3", "The range.", "yes", 250]
BEN_VALUES = [4, 9, "Flat", ["WiFi", "LAN"], FORMULA, "The range.", "yes", None]


# --- responses, one row per answer ----------------------------------------------------------

def test_responses_long_has_a_row_per_answer_with_form_tester_time_question_and_value(
        answered):
    campaign, [ann, ben, _cem], _first, _final = answered
    header, rows = exports.responses_long(campaign)
    assert header == ["Form", "Tester", "Submitted at (UTC)", "Question", "Answer"]
    assert rows == (
        [["First impressions", ann.handle, "2030-05-04 10:30", label, value]
         for label, value in zip(LABELS, ANN_VALUES, strict=True)]
        + [["First impressions", ben.handle, "2030-05-04 12:05", label, value]
           for label, value in zip(LABELS, BEN_VALUES, strict=True)]
        + [["Final survey", ben.handle, "2030-05-04 12:05", RATING_LABEL, 2]])


def test_drafts_are_not_exported(answered):
    campaign, [_ann, _ben, cem], _first, _final = answered
    _header, rows = exports.responses_long(campaign)
    assert cem.handle not in {row[1] for row in rows}
    for _title, _header, sheet_rows in exports.responses_sheets(campaign):
        assert cem.handle not in {row[0] for row in sheet_rows}


def test_exports_hold_no_contact_data(answered):
    campaign, testers, _first, _final = answered
    cells = [str(cell) for _h, rows in [exports.responses_long(campaign)] for row in rows
             for cell in row]
    cells += [str(cell) for _t, _h, rows in exports.responses_sheets(campaign)
              for row in rows for cell in row]
    assert not any(member.email in cell for member in testers for cell in cells)


def test_the_long_rows_follow_a_reworded_question(answered):
    campaign, _testers, _first, final = answered
    builder.save_question(campaign.created_by, final, final.questions[0], kind="rating",
                          label="Overall, how do you rate it?", help_text=None,
                          required=True, options=[])
    _header, rows = exports.responses_long(campaign)
    assert rows[-1][3:] == ["Overall, how do you rate it?", 2]


def test_a_campaign_without_responses_exports_only_the_header(make_test_campaign, make_form):
    campaign, _testers = make_test_campaign(testers=1)
    make_form(campaign)
    header, rows = exports.responses_long(campaign)
    assert (len(header), rows) == (5, [])


# --- responses, one sheet per form ----------------------------------------------------------

def test_responses_sheets_has_one_sheet_per_form_with_the_question_labels(answered):
    campaign, [ann, ben, _cem], _first, _final = answered
    first_sheet, final_sheet = exports.responses_sheets(campaign)
    assert first_sheet == (
        "1 First impressions", ["Tester", "Submitted at (UTC)", *LABELS],
        [[ann.handle, "2030-05-04 10:30", *ANN_VALUES],
         [ben.handle, "2030-05-04 12:05", *BEN_VALUES]])
    assert final_sheet == ("2 Final survey", ["Tester", "Submitted at (UTC)", RATING_LABEL],
                           [[ben.handle, "2030-05-04 12:05", 2]])


def test_a_form_without_responses_gets_an_empty_sheet(make_test_campaign, make_form):
    campaign, _testers = make_test_campaign(testers=1)
    make_form(campaign, [EVERY_KIND[6]], title="Final survey")
    assert exports.responses_sheets(campaign) == [
        ("1 Final survey", ["Tester", "Submitted at (UTC)", EVERY_KIND[6]["label"]], [])]


def test_a_campaign_without_forms_gets_one_sheet_saying_so(make_test_campaign):
    campaign, _testers = make_test_campaign(testers=1)
    assert exports.responses_sheets(campaign) == [("Responses", ["No forms yet"], [])]


def test_sheet_titles_lose_the_characters_excel_forbids_and_stay_short(make_test_campaign,
                                                                      make_form):
    campaign, _testers = make_test_campaign(testers=1)
    make_form(campaign, title="Week 1: setup/first [impressions] of the router?*\\")
    [(title, _header, _rows)] = exports.responses_sheets(campaign)
    assert title == "1 Week 1  setup first  impres"
    assert len(title) <= 31


# --- reports ----------------------------------------------------------------------------------

@pytest.fixture
def filed(make_test_campaign, file_report):
    """(campaign, [ann, ben, cem], bug, idea, duplicate): reports shared; ann's bug with a
    log, a "me too" from cem, and ben's bug merged into it; ben's idea."""
    with frozen_at(NOW):
        campaign, [ann, ben, cem] = make_test_campaign(testers=3)
        campaign.reports_shared = True
    with frozen_at(ANN_AT):
        bug = file_report(ann, campaign, title="WiFi drops every hour", severity="major",
                          device="Fritz!Box 7690", version="8.02",
                          uploads=[Upload("router.log", b"12:00 wlan0 down\n")])
    with frozen_at(BEN_AT):
        idea = file_report(ben, campaign, kind="idea", title="Guest network schedule")
        duplicate = file_report(ben, campaign, title="WLAN keeps dropping", severity="minor")
    reports.me_too(participation_of(cem, campaign), bug)
    triage.merge(campaign.created_by, duplicate, bug.id)
    return campaign, [ann, ben, cem], bug, idea, duplicate


def test_reports_table_has_labelled_columns(filed):
    campaign, *_ = filed
    header, _rows = exports.reports_table(campaign)
    assert header == ["Number", "Kind", "Title", "Severity", "Status", "Me too",
                      "Duplicate of", "Tester", "Filed at (UTC)", "Device", "Version",
                      "Steps to reproduce", "Expected result", "Actual result", "Description",
                      "Attachments"]


def test_reports_table_has_a_row_per_report_with_labels_and_the_me_too_count(filed):
    campaign, [ann, ben, _cem], bug, idea, duplicate = filed
    _header, rows = exports.reports_table(campaign)
    assert rows == [
        [bug.id, "Bug", "WiFi drops every hour", "major", "new", 2, None, ann.handle,
         "2030-05-04 10:30", "Fritz!Box 7690", "8.02", "Leave it running.", "It stays up.",
         "The WiFi drops.", None, 1],
        [idea.id, "Idea", "Guest network schedule", None, "new", 0, None, ben.handle,
         "2030-05-04 12:05", None, None, None, None, None,
         "Please add a guest network schedule.", 0],
        [duplicate.id, "Bug", "WLAN keeps dropping", "minor", "duplicate", 0, bug.id,
         ben.handle, "2030-05-04 12:05", None, None, "Leave it running.", "It stays up.",
         "The WiFi drops.", None, 0],
    ]


def test_reports_table_shows_the_status_label(filed):
    campaign, _testers, bug, _idea, _duplicate = filed
    triage.set_status(campaign.created_by, bug, "forwarded")
    _header, rows = exports.reports_table(campaign)
    assert rows[0][4] == "forwarded to the product team"


def test_reports_of_another_campaign_are_not_in_the_table(filed, make_test_campaign,
                                                         file_report):
    campaign, *_ = filed
    other, [stranger] = make_test_campaign(testers=1)
    file_report(stranger, other, title="Another product's bug")
    _header, rows = exports.reports_table(campaign)
    assert len(rows) == 3
    assert exports.reports_table(other)[1][0][2] == "Another product's bug"


# --- cells a spreadsheet would run ----------------------------------------------------------

@pytest.mark.parametrize("value,cell", [
    ("=1+1", "'=1+1"),
    ("+", "'+"),
    ("+49 171 1234567", "'+49 171 1234567"),
    ("-", "'-"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\rcmd", "'\rcmd"),
    (FORMULA, "'" + FORMULA),
])
def test_neutralise_puts_a_quote_before_what_a_spreadsheet_would_run(value, cell):
    assert export.neutralise(value) == cell


@pytest.mark.parametrize("value,cell", [
    ("Fritz!Box 7690", "Fritz!Box 7690"),
    ("1+1=2", "1+1=2"),
    ("a-b", "a-b"),
    ("", ""),
    (None, ""),
    (True, "yes"),
    (False, "no"),
    (250, "250"),
    (2.5, "2.5"),
    (["WiFi", "LAN"], "WiFi; LAN"),
    (["=1+1", "LAN"], "'=1+1; LAN"),
])
def test_neutralise_writes_other_values_as_plain_text(value, cell):
    assert export.neutralise(value) == cell


def test_csv_starts_with_a_bom_and_neutralises_every_cell():
    text = "".join(export.csv_lines(["Form", "=Header"], [["=1+1", 250], ["@x", None]]))
    assert text.startswith("\ufeffForm,'=Header\r\n")
    assert text.splitlines()[1:] == ["'=1+1,250", "'@x,"]


def read_xlsx(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    finally:
        book.close()


def test_xlsx_is_readable_and_keeps_numbers_as_numbers():
    data = export.xlsx_bytes([("Answers", ["Tester", "=Speed"],
                               [["ann", 250], ["ben", 2.5], ["cem", -3], ["dan", True],
                                ["=1+1", "42"]])])
    [(title, rows)] = read_xlsx(data).items()
    assert title == "Answers"
    assert rows == [("Tester", "'=Speed"), ("ann", 250), ("ben", 2.5), ("cem", -3),
                    ("dan", "yes"), ("'=1+1", "42")]
    assert [type(row[1]) for row in rows[1:4]] == [int, float, int]


def test_xlsx_sheet_titles_are_cut_to_31_characters():
    data = export.xlsx_bytes([("x" * 40, ["a"], [])])
    assert list(read_xlsx(data)) == ["x" * 31]


def test_the_responses_workbook_has_a_sheet_per_form_with_numbers_kept(answered):
    campaign, [ann, ben, _cem], _first, _final = answered
    book = read_xlsx(export.xlsx_bytes(exports.responses_sheets(campaign)))
    assert list(book) == ["1 First impressions", "2 Final survey"]
    header, ann_row, ben_row = book["1 First impressions"]
    assert header == ("Tester", "Submitted at (UTC)", *LABELS)
    assert ann_row == (ann.handle, "2030-05-04 10:30", 4, 9, "Flat", "WiFi; LAN", "1.2.3",
                       "The range.", "yes", 250)
    assert ben_row[:2] == (ben.handle, "2030-05-04 12:05")
    assert ben_row[6] == "'" + FORMULA  # what the tester typed stays text
    assert ben_row[9] is None  # no speed given: an empty cell
    assert book["2 Final survey"] == [("Tester", "Submitted at (UTC)", RATING_LABEL),
                                      (ben.handle, "2030-05-04 12:05", 2)]
