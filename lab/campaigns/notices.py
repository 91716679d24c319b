"""What members and staff are told when an application or campaign changes, in-app and
by mail, in the reader's language (lab.notify stores kinds and parameters, not text)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from lab.accounts.models import User
from lab.campaigns.models import (
    COMPLETED,
    CONFIRMED,
    DECLINED,
    DROPPED,
    NOT_SELECTED,
    SELECTED,
    SUBMITTED,
    WAITLISTED,
    WITHDRAWN,
)
from lab.extensions import db
from lab.notify.services import notify_by_mail, register_kind, register_param_label

# why a member was not selected, in plain and kind words
OUTCOME_REASONS = {
    "not_eligible": _l("your tester profile does not meet the campaign's requirements"),
    "ranking": _l("the places went to other applicants by our published ranking "
                  "(helpfulness, reliability and time since the last test)"),
    "draw": _l("the places were given by a recorded lottery among all eligible applicants"),
    "staff": _l("the team chose other testers for this product"),
    "cancelled": _l("the campaign was cancelled"),
}
register_param_label("outcome", lambda code: OUTCOME_REASONS.get(code, code))
register_param_label("deadline", lambda value: format_datetime(
    datetime.fromisoformat(value), "medium") if value else "")

KINDS = {
    SUBMITTED: register_kind("application.submitted", _l(
        "We received your application for “%(title)s”. We will tell you how it goes.")),
    WITHDRAWN: register_kind("application.withdrawn", _l(
        "You withdrew your application for “%(title)s”.")),
    WAITLISTED: register_kind("application.waitlisted", _l(
        "You are on the waiting list for “%(title)s”. If a place becomes free, "
        "we will offer it to you.")),
    SELECTED: register_kind("application.selected", _l(
        "Good news: you were selected for “%(title)s”! Please confirm your place "
        "by %(deadline)s.")),
    CONFIRMED: register_kind("application.confirmed", _l(
        "Thank you for confirming your place in “%(title)s”.")),
    DECLINED: register_kind("application.declined", _l(
        "You gave up your place in “%(title)s”. It goes to the next person on "
        "the waiting list.")),
    NOT_SELECTED: register_kind("application.not_selected", _l(
        "Thank you for applying for “%(title)s”. This time you were not selected: "
        "%(outcome)s. We hope to see you in the next campaign.")),
    COMPLETED: register_kind("application.completed", _l(
        "You completed the test “%(title)s”. Thank you for your work!")),
    DROPPED: register_kind("application.dropped", _l(
        "Your participation in “%(title)s” has ended.")),
}
OFFERED_KIND = register_kind("application.offered", _l(
    "A place in “%(title)s” became free and it is yours if you want it. Please confirm "
    "by %(deadline)s."))
EXPIRED_KIND = register_kind("application.expired", _l(
    "Your place in “%(title)s” was not confirmed by the deadline, so it went to the next "
    "person on the waiting list."))
CANCELLED_KIND = register_kind("campaign.cancelled", _l(
    "The campaign “%(title)s” was cancelled. We are sorry."))
CLOSING_KIND = register_kind("application.closing", _l(
    "Applications for “%(title)s” close on %(deadline)s, and you have not sent yours yet."))
CONFIRM_REMINDER_KIND = register_kind("application.confirm_reminder", _l(
    "Please confirm your place in “%(title)s” by %(deadline)s, or it goes to the next "
    "person."))
CAMPAIGN_APPROVED_KIND = register_kind("campaign.approved", _l(
    "Your campaign “%(title)s” was approved and is now recruiting."))
CAMPAIGN_RETURNED_KIND = register_kind("campaign.returned", _l(
    "Your campaign “%(title)s” was returned to draft with comments."))

SUBJECTS = {
    OFFERED_KIND: _l("A place for you in the test lab"),
    KINDS[SELECTED]: _l("You were selected for a test"),
    CLOSING_KIND: _l("Applications close soon"),
    CONFIRM_REMINDER_KIND: _l("Please confirm your place"),
}
DEFAULT_SUBJECT = _l("News about your test lab application")


def tell(application, kind: str, **params) -> None:
    """Tell the applicant, in the app and by mail."""
    campaign = application.campaign
    if application.confirm_by is not None and "deadline" not in params:
        params["deadline"] = application.confirm_by.isoformat()
    notify_by_mail(application.member, kind, subject=SUBJECTS.get(kind, DEFAULT_SUBJECT),
                   link=f"/campaigns/{campaign.slug}", title=campaign.title, **params)


def tell_status(application, **params) -> None:
    kind = KINDS.get(application.status)
    if kind is not None:
        tell(application, kind, **params)


def tell_staff(user_id: int | None, kind: str, campaign) -> None:
    user = db.session.get(User, user_id) if user_id else None
    if user is not None:
        notify_by_mail(user, kind, subject=_l("Campaign review"),
                       link=f"/staff/campaigns/{campaign.slug}", title=campaign.title)
