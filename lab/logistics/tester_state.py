"""Where a tester's device is, as the tester reads it (the device page and the card in
the participant area)."""

from __future__ import annotations

from lab.campaigns.models import COMPLETED, KEEP, Application
from lab.logistics.after_test import kept_pending
from lab.logistics.models import (
    BACK,
    ENDED_CANCELLED,
    ENDED_GIVEN_AWAY,
    ENDED_LOST,
    ENDED_RETURNED,
    RESERVED,
    RETURN_REQUESTED,
    SHIPPED,
    WITH_TESTER,
    Assignment,
)

# Where the device is, in the tester's words (templates/logistics/tests/_device.html)
PREPARING, ON_THE_WAY, WITH_YOU, KEEP_PENDING, SEND_BACK, SENT_BACK = (
    "preparing", "on_the_way", "with_you", "keep_pending", "send_back", "sent_back")
RETURNED, KEPT, LOST, CANCELLED = "returned", "kept", "lost", "cancelled"
_ENDED = {ENDED_RETURNED: RETURNED, ENDED_GIVEN_AWAY: KEPT, ENDED_LOST: LOST,
          ENDED_CANCELLED: CANCELLED}


def device_state(assignment: Assignment | None, application: Application | None) -> str | None:
    """The tester's view of their device (None: no device yet). Looks up the device award
    only for a completed test of a "keep" campaign whose device the tester still has."""
    if assignment is None:
        return None
    if assignment.ended_at is not None:
        return _ENDED.get(assignment.outcome, RETURNED)
    status = assignment.device.status
    if assignment.shipment(BACK) is not None:
        return SENT_BACK
    if status == RESERVED:
        return PREPARING
    if status == SHIPPED:
        return ON_THE_WAY
    if status == RETURN_REQUESTED:
        return SEND_BACK
    if (status == WITH_TESTER and assignment.campaign.device_policy == KEEP
            and application is not None and application.status == COMPLETED):
        if kept_pending(assignment):
            return KEEP_PENDING
    return WITH_YOU
