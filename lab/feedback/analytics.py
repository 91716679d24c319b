"""The numbers of a campaign's test: completion of tasks and forms, results per question
(distributions, averages, NPS), free-text answers, reports by severity and status.

A fixed number of queries whatever the number of responses: the submitted responses of
the campaign are read once and counted here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import defaultload

from lab.accounts.models import User
from lab.campaigns.models import (
    LONG_TEXT,
    MULTIPLE,
    NPS,
    NUMBER,
    RATING,
    SCALES,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Campaign,
)
from lab.extensions import db
from lab.feedback import access, builder, tasks, triage
from lab.feedback.models import (
    OPEN_REPORT_STATUSES,
    REPORT_STATUSES,
    SEVERITIES,
    FeedbackForm,
    FormQuestion,
    FormResponse,
    Task,
)

TEXT_KINDS = (SHORT_TEXT, LONG_TEXT)


def half_up(value: float, places: int = 0) -> float:
    step = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class NetPromoter:
    promoters: int  # 9-10
    passives: int  # 7-8
    detractors: int  # 0-6

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> int | None:
        """% promoters − % detractors, from −100 to 100."""
        if not self.total:
            return None
        return int(half_up(100 * (self.promoters - self.detractors) / self.total))


def net_promoter(values: list[int]) -> NetPromoter:
    return NetPromoter(promoters=sum(1 for v in values if v >= 9),
                       passives=sum(1 for v in values if 7 <= v <= 8),
                       detractors=sum(1 for v in values if v <= 6))


@dataclass
class QuestionResult:
    question: FormQuestion
    answered: int = 0
    # (label, count) in the scale's or the options' order; empty for text and numbers
    distribution: list[tuple[str, int]] = field(default_factory=list)
    average: float | None = None
    median: float | None = None
    low: float | None = None
    high: float | None = None
    nps: NetPromoter | None = None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (handle, text)

    @property
    def chartable(self) -> bool:
        return bool(self.distribution)


def question_result(question: FormQuestion, answers: list[tuple[str, object]]) -> QuestionResult:
    """Results of one question from its (handle, value) answers."""
    values = [value for _handle, value in answers]
    result = QuestionResult(question, answered=len(values))
    kind = question.kind
    if kind in SCALES:
        counts = Counter(values)
        result.distribution = [(str(n), counts.get(n, 0)) for n in SCALES[kind]]
        if kind == NPS:
            result.nps = net_promoter(values)
    elif kind in (SINGLE, MULTIPLE):
        counts = Counter(v for value in values
                         for v in (value if isinstance(value, list) else [value]))
        result.distribution = [(option, counts.get(option, 0)) for option in question.options]
    elif kind == YES_NO:
        counts = Counter(values)
        result.distribution = [("yes", counts.get("yes", 0)), ("no", counts.get("no", 0))]
    elif kind in TEXT_KINDS:
        result.texts = [(handle, str(value)) for handle, value in answers]
    if kind in (RATING, NPS, NUMBER) and values:
        result.average = half_up(sum(values) / len(values), 2)
        result.median = float(median(values))
        result.low, result.high = float(min(values)), float(max(values))
    return result


@dataclass
class FormResult:
    form: FeedbackForm
    testers: int
    submitted: int
    drafts: int
    questions: list[QuestionResult]


@dataclass
class TaskResult:
    task: Task
    testers: int
    done: int


@dataclass
class Analytics:
    testers: int
    forms: list[FormResult]
    tasks: list[TaskResult]
    reports: dict[tuple[str, str | None], int]

    def reports_total(self) -> int:
        return sum(self.reports.values())


def for_campaign(campaign: Campaign) -> Analytics:
    tester_ids = access.tester_ids(campaign.id)
    forms = builder.forms_of(campaign.id)
    responses = list(db.session.scalars(select(FormResponse).options(
        defaultload(FormResponse.member).lazyload(User.roles)).where(
        FormResponse.form_id.in_([f.id for f in forms])).order_by(FormResponse.id))) \
        if forms else []
    form_results = [_form_result(form, [r for r in responses if r.form_id == form.id],
                                 len(tester_ids)) for form in forms]
    task_list = builder.tasks_of(campaign.id)
    done = tasks.done_times(tester_ids, task_list)
    task_results = [TaskResult(task, len(tester_ids),
                               sum(1 for m in tester_ids if (task.id, m) in done))
                    for task in task_list]
    return Analytics(len(tester_ids), form_results, task_results,
                     triage.counts_by(campaign.id))


def _form_result(form: FeedbackForm, responses: list[FormResponse], testers: int) -> FormResult:
    submitted = [r for r in responses if r.submitted_at is not None]
    results = []
    for question in form.questions:
        answers = [(r.member.handle, r.answers[str(question.id)]["value"]) for r in submitted
                   if str(question.id) in (r.answers or {})]
        results.append(question_result(question, answers))
    return FormResult(form, testers, len(submitted), len(responses) - len(submitted), results)


def report_grid(counts: dict[tuple[str, str | None], int]) -> dict:
    """The (status, severity) counts as a table: a row per severity and one for reports
    without (ideas, praise), a column per status, with totals; and the open reports per
    severity for the chart."""
    severities = [*SEVERITIES, None]
    rows = [(severity, [counts.get((status, severity), 0) for status in REPORT_STATUSES])
            for severity in severities]
    return {
        "rows": [(severity, cells, sum(cells)) for severity, cells in rows],
        "totals": [sum(counts.get((status, s), 0) for s in severities)
                   for status in REPORT_STATUSES],
        "total": sum(counts.values()),
        "open": [(severity, sum(counts.get((status, severity), 0)
                                for status in OPEN_REPORT_STATUSES))
                 for severity in severities],
    }
