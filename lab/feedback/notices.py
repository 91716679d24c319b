"""What testers are told about their reports and tasks (in-app and by mail, each in the
reader's language: lab.notify stores kinds and parameters)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from lab.notify.services import notify_by_mail, register_kind, register_param_label

SEVERITY_LABELS = {
    "critical": _l("critical"),
    "major": _l("major"),
    "minor": _l("minor"),
    "cosmetic": _l("cosmetic"),
}
STATUS_LABELS = {
    "new": _l("new"),
    "acknowledged": _l("acknowledged"),
    "forwarded": _l("forwarded to the product team"),
    "fixed": _l("fixed"),
    "wont_fix": _l("won't fix"),
    "duplicate": _l("duplicate"),
    "invalid": _l("not a bug / invalid"),
}
KIND_LABELS = {"bug": _l("Bug"), "idea": _l("Idea"), "praise": _l("Praise")}

register_param_label("report_status", lambda code: STATUS_LABELS.get(code, code))
register_param_label("severity", lambda code: SEVERITY_LABELS.get(code, code))
register_param_label("due", lambda value: format_datetime(
    datetime.fromisoformat(value), "medium") if value else "")

STATUS_KIND = register_kind("report.status", _l(
    "Your report “%(title)s” is now: %(report_status)s."))
SEVERITY_KIND = register_kind("report.severity", _l(
    "The team rated your report “%(title)s” as %(severity)s."))
COMMENT_KIND = register_kind("report.comment", _l(
    "The team replied to your report “%(title)s”."))
MERGED_KIND = register_kind("report.merged", _l(
    "Your report “%(title)s” describes the same as an earlier report. We joined it to "
    "that one, so your voice counts there."))
TASK_DUE_KIND = register_kind("task.due_soon", _l(
    "Reminder: the task “%(title)s” of the test “%(campaign)s” is due on %(due)s."))
TASK_OVERDUE_KIND = register_kind("task.overdue", _l(
    "The task “%(title)s” of the test “%(campaign)s” was due on %(due)s and is not done "
    "yet. Please catch up or tell the team what stops you."))

SUBJECTS = {
    STATUS_KIND: _l("Your report"),
    SEVERITY_KIND: _l("Your report"),
    COMMENT_KIND: _l("A reply to your report"),
    MERGED_KIND: _l("Your report"),
    TASK_DUE_KIND: _l("A test task is due soon"),
    TASK_OVERDUE_KIND: _l("A test task is overdue"),
}


def tell(member, kind: str, *, link: str, **params) -> None:
    notify_by_mail(member, kind, subject=SUBJECTS[kind], link=link, **params)
