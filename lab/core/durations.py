"""Durations as people read them: "45 min", "3 h 20 min", "2 days 5 h"."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext


def humanise(delta: timedelta | None) -> str:
    """A duration rounded down to the minute; under 48 hours in hours and minutes, longer
    in days and hours. Negative durations count as none."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return _("less than a minute")
    if minutes < 60:
        return _("%(minutes)d min", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
        return _("%(hours)d h", hours=hours)
    days, hours = divmod(hours, 24)
    days_text = ngettext("%(num)d day", "%(num)d days", days)
    return _("%(days)s %(hours)d h", days=days_text, hours=hours) if hours else days_text
