"""Badge definitions: automatic ones follow from counts of ledger reasons, manual ones are
granted by admins. Names are translatable, so the definitions live in code."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lab.core import audit
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from lab.extensions import db
from lab.notify.services import notify, register_kind, register_param_label
from lab.rewards import rules
from lab.rewards.models import BadgeGrant


@dataclass(frozen=True)
class Badge:
    code: str
    name: object
    description: object
    # automatic badges: granted when the member has `count` live entries of `reason`
    reason: str | None = None
    count: int = 0

    @property
    def automatic(self) -> bool:
        return self.reason is not None


BADGES = (
    Badge("first-solution", _l("First solution"), _l("An answer was accepted as a solution."),
          rules.ANSWER_ACCEPTED, 1),
    Badge("solutions-10", _l("Problem solver"), _l("10 answers accepted as solutions."),
          rules.ANSWER_ACCEPTED, 10),
    Badge("solutions-100", _l("Solution pro"), _l("100 answers accepted as solutions."),
          rules.ANSWER_ACCEPTED, 100),
    Badge("first-test", _l("First test"), _l("Completed a first product test."),
          rules.TEST_COMPLETED, 1),
    Badge("tests-5", _l("Test pro"), _l("Completed 5 product tests."),
          rules.TEST_COMPLETED, 5),
    Badge("feedback-10", _l("Reliable"), _l("10 feedback forms submitted on time."),
          rules.FEEDBACK_ON_TIME, 10),
    Badge("bugs-10", _l("Bug hunter"), _l("10 bug reports confirmed by staff."),
          rules.BUG_CONFIRMED, 10),
    Badge("helpful-50", _l("Helpful"), _l("50 helpful votes received."),
          rules.HELPFUL_VOTE, 50),
    Badge("pioneer", _l("Pioneer"), _l("Took part in the lab's first year.")),
    Badge("community-hero", _l("Community hero"),
          _l("Went far beyond what anyone expected to help others.")),
    Badge("event-guest", _l("Event guest"), _l("Was a guest at a sponsored event.")),
)
BY_CODE = {badge.code: badge for badge in BADGES}
MANUAL = tuple(badge for badge in BADGES if not badge.automatic)


def triggered_by(reason: str) -> list[Badge]:
    return [badge for badge in BADGES if badge.reason == reason]


BADGE_GRANTED = register_kind("badge.granted", _l("You received the badge “%(badge)s”."))
BADGE_REVOKED = register_kind("badge.revoked",
                              _l("The badge “%(badge)s” was withdrawn: %(why)s."))
register_param_label("badge", lambda code: BY_CODE[code].name if code in BY_CODE else code)
GRANTED = audit.register_action("badge.granted", _l("Badge granted"))
REVOKED = audit.register_action("badge.revoked", _l("Badge withdrawn"))


class BadgeError(DomainError):
    pass


def _grant_of(member_id: int, code: str) -> BadgeGrant | None:
    return db.session.scalar(select(BadgeGrant).where(
        BadgeGrant.member_id == member_id, BadgeGrant.badge == code))


def grant(member, code: str, *, by=None, reason: str | None = None) -> tuple[BadgeGrant, bool]:
    """Give the member the badge; returns (grant, created). Holding it already changes
    nothing; a withdrawn badge is given back."""
    badge = BY_CODE.get(code)
    if badge is None:
        raise BadgeError(_l("There is no such badge."), "badge")
    if by is not None and not badge.automatic and not (reason or "").strip():
        raise BadgeError(_l("Please give a reason."), "reason")
    held = _grant_of(member.id, code)
    if held is not None and held.active:
        return held, False
    if held is None:
        held = BadgeGrant(badge=code, member_id=member.id)
        db.session.add(held)
    reason = (reason or "").strip() or None
    held.granted_at, held.granted_by_id, held.reason = utcnow(), getattr(by, "id", None), reason
    held.revoked_at = held.revoked_by_id = held.revoke_reason = None
    db.session.flush()
    if by is not None:
        audit.record(by, GRANTED, "user", member.id, badge=code, reason=reason)
    notify(member, BADGE_GRANTED, link=f"/members/{member.handle}", badge=code)
    return held, True


def revoke(member, code: str, *, by, reason: str) -> BadgeGrant:
    if not (reason or "").strip():
        raise BadgeError(_l("Please give a reason."), "reason")
    held = _grant_of(member.id, code)
    if held is None or not held.active:
        raise BadgeError(_l("The member does not hold this badge."), "badge")
    held.revoked_at, held.revoked_by_id, held.revoke_reason = utcnow(), by.id, reason.strip()
    audit.record(by, REVOKED, "user", member.id, badge=code, reason=reason.strip())
    notify(member, BADGE_REVOKED, link=f"/members/{member.handle}", badge=code,
           why=reason.strip())
    db.session.flush()
    return held


def grant_automatic(member, reason: str, count: int) -> list[str]:
    """Grant the badges that ``count`` live entries of ``reason`` have earned. A badge an
    admin withdrew is not given back automatically (only an admin can give it back)."""
    granted = []
    for badge in triggered_by(reason):
        if count >= badge.count and _grant_of(member.id, badge.code) is None:
            grant(member, badge.code)
            granted.append(badge.code)
    return granted


def held_by(member_id: int) -> list[BadgeGrant]:
    return list(db.session.scalars(
        select(BadgeGrant).where(BadgeGrant.member_id == member_id,
                                 BadgeGrant.revoked_at.is_(None))
        .order_by(BadgeGrant.granted_at)))


def holders_query(code: str):
    return (select(BadgeGrant).where(BadgeGrant.badge == code, BadgeGrant.revoked_at.is_(None))
            .options(joinedload(BadgeGrant.member))
            .order_by(BadgeGrant.granted_at.desc(), BadgeGrant.id.desc()))


def holder_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(BadgeGrant.badge, func.count()).where(BadgeGrant.revoked_at.is_(None))
        .group_by(BadgeGrant.badge))
    return dict(rows.all())
