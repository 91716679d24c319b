"""What testers are told about their test device (in-app and by mail, in their language)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from lab.notify.services import notify_by_mail, register_kind, register_param_label

register_param_label("return_by", lambda value: format_datetime(
    datetime.fromisoformat(value), "medium") if value else "")

SHIPPED_KIND = register_kind("device.shipped", _l(
    "Your test device %(product)s for “%(campaign)s” is on its way: %(carrier)s, tracking "
    "number %(tracking)s. Please confirm in the test area when it has arrived."))
RETURN_KIND = register_kind("device.return", _l(
    "The test “%(campaign)s” is over for you. Please send the %(product)s back by "
    "%(return_by)s to: %(address)s. Pack it with all accessories and enter the tracking "
    "number in the test area."))
RETURN_DUE_KIND = register_kind("device.return_due", _l(
    "Reminder: please send the test device %(product)s of “%(campaign)s” back by "
    "%(return_by)s to: %(address)s."))
RETURN_OVERDUE_KIND = register_kind("device.return_overdue", _l(
    "The test device %(product)s of “%(campaign)s” was due back on %(return_by)s. Please "
    "send it today, or tell us in the test area what stops you."))
KEEP_PROPOSED_KIND = register_kind("device.keep_proposed", _l(
    "Thank you for completing “%(campaign)s”! You may keep the %(product)s; a second "
    "admin confirms this shortly."))
GIVEN_AWAY_KIND = register_kind("device.given_away", _l(
    "The %(product)s from “%(campaign)s” is yours now. Enjoy it!"))
KEEP_REJECTED_KIND = register_kind("device.keep_rejected", _l(
    "The %(product)s from “%(campaign)s” cannot be given to you after all. Please send it "
    "back by %(return_by)s to: %(address)s."))

SUBJECTS = {
    SHIPPED_KIND: _l("Your test device is on its way"),
    RETURN_KIND: _l("Please send your test device back"),
    RETURN_DUE_KIND: _l("Your test device is due back soon"),
    RETURN_OVERDUE_KIND: _l("Your test device is overdue"),
    KEEP_PROPOSED_KIND: _l("You may keep your test device"),
    GIVEN_AWAY_KIND: _l("Your test device is yours"),
    KEEP_REJECTED_KIND: _l("Please send your test device back"),
}


def tell(member, kind: str, *, campaign, due: str | None = None, **params) -> None:
    if due is not None:
        params["return_by"] = due
    # the device page, not the area: a dropped tester still holding a device may open it
    notify_by_mail(member, kind, subject=SUBJECTS[kind], link=f"/tests/{campaign.slug}/device",
                   campaign=campaign.title, **params)
