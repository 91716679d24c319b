"""The points ledger: award, earn by rule, spend, reverse, verify.

Guarantees, on SQLite and PostgreSQL:
- every change of points is one new ledger entry; entries are never changed;
- an idempotency key is used once: posting it again changes nothing and says so;
- the member's cached reputation and balance change in the same transaction as the
  entry, and never below zero (checked here under a row lock, and by the database);
- per-period leaderboard totals are updated with the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, literal, select
from sqlalchemy.orm import aliased

from lab.accounts.models import User
from lab.core.clock import utcnow
from lab.core.db import dialect_insert
from lab.core.errors import DomainError
from lab.extensions import db
from lab.notify.services import notify, register_kind, register_param_label
from lab.rewards import badges, rules
from lab.rewards.models import LeaderboardTotal, LedgerEntry

MAX_KEY_LENGTH = 150  # reversal keys add a prefix to the original key

POINTS_AWARDED = register_kind(
    "points.awarded", _l("You received %(amount)s points: %(reason)s."))
POINTS_REVERSED = register_kind(
    "points.reversed", _l("%(amount)s points were taken back: %(why)s."))
# notifications store the reason code; it is shown in the reader's language
register_param_label("reason", rules.reason_label)


class PointsError(DomainError):
    pass


@dataclass
class Posted:
    """What a ledger call did: the entry (new or found) and whether it was created now."""

    entry: LedgerEntry | None
    created: bool
    message: object = ""
    entries: list[LedgerEntry] = field(default_factory=list)


def lock_member(member_id: int) -> User:
    """Load the member with a row lock (PostgreSQL), fresh from the database.

    Every ledger write takes this lock first, so checks of balance, caps and keys hold
    until the transaction ends; two writers for one member run one after the other.
    """
    member = db.session.get(User, member_id, with_for_update=True, populate_existing=True)
    if member is None:
        raise PointsError(_l("There is no such member."), "member")
    return member


def entry_by_key(key: str) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.key == key))


def is_reversed(key: str) -> bool:
    """Whether the entry of this key exists and a reversal points at it."""
    entry = entry_by_key(key)
    return entry is not None and not _open_entries(key)


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise PointsError(_l("An idempotency key of at most %(n)d characters is required.",
                             n=MAX_KEY_LENGTH))


def _periods(moment: datetime) -> tuple[str, str]:
    return moment.strftime("m%Y-%m"), moment.strftime("d%Y-%m-%d")


def _add_to_totals(member_id: int, points: int, earned_at: datetime) -> None:
    """Add reputation to the member's month and day totals (an upsert per period)."""
    for period in _periods(earned_at):
        statement = dialect_insert(LeaderboardTotal).values(
            period=period, member_id=member_id, points=points)
        statement = statement.on_conflict_do_update(
            index_elements=["period", "member_id"],
            set_={"points": LeaderboardTotal.points + statement.excluded.points},
        )
        db.session.execute(statement)


def _post(member: User, *, amount: int, reputation: int, reason: str, key: str,
          source: tuple[str, object] | None = None, note: str | None = None,
          created_by=None, approved_by=None, reverses: LedgerEntry | None = None,
          ) -> LedgerEntry:
    """Write one entry and move the cached figures with it (member already locked)."""
    if member.points_balance + amount < 0:
        raise PointsError(_l("Not enough points: %(balance)d available, %(needed)d needed.",
                             balance=member.points_balance, needed=-amount), "points")
    if member.reputation + reputation < 0:
        raise PointsError(_l("Reputation can never fall below zero."))
    entry = LedgerEntry(
        member_id=member.id, amount=amount, reputation_delta=reputation, reason=reason,
        key=key, note=note or None,
        source_kind=source[0] if source else None,
        source_id=str(source[1]) if source else None,
        created_by_id=getattr(created_by, "id", None),
        approved_by_id=getattr(approved_by, "id", None),
        reverses_id=reverses.id if reverses else None,
        created_at=utcnow(),
    )
    db.session.add(entry)
    # arithmetic in SQL: right even if the cached object were stale
    member.points_balance = User.points_balance + amount
    member.reputation = User.reputation + reputation
    db.session.flush()
    if reputation:
        _add_to_totals(member.id, reputation, reverses.created_at if reverses else entry.created_at)
    return entry


def award_points(member, amount: int, reason: str, *, key: str,
                 source: tuple[str, object] | None = None, note: str | None = None,
                 created_by=None, approved_by=None, daily_cap: int | None = None) -> Posted:
    """Credit points earned (reputation and balance). Idempotent per key.

    With ``daily_cap``, points of this reason beyond the cap for the member's UTC day are
    not paid (the part under the cap is).
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise PointsError(_l("The number of points must be a whole number above zero."),
                          "points")
    _check_key(key)
    member = lock_member(getattr(member, "id", member))
    existing = entry_by_key(key)
    if existing is not None:
        return Posted(existing, False, _l("These points were already awarded."))
    if daily_cap is not None:
        amount = min(amount, daily_cap - earned_today(member.id, reason))
        if amount <= 0:
            return Posted(None, False, _l("The daily limit for this kind of points is reached."))
    entry = _post(member, amount=amount, reputation=amount, reason=reason, key=key,
                  source=source, note=note, created_by=created_by, approved_by=approved_by)
    notify(member, POINTS_AWARDED, link="/me/points", amount=amount, reason=reason)
    badges.grant_automatic(member, reason, live_count(member.id, reason))
    return Posted(entry, True, _l("%(amount)d points awarded.", amount=amount))


def earn(member, reason: str, *, key: str, source: tuple[str, object] | None = None,
         actor=None, note: str | None = None) -> Posted:
    """Pay what the earning rule for ``reason`` says. Nobody earns from their own act:
    pass the member who voted or accepted as ``actor``."""
    if actor is not None and getattr(actor, "id", actor) == getattr(member, "id", member):
        return Posted(None, False, _l("No points for your own contributions."))
    rule = rules.rule_for(reason)
    if rule.points <= 0:
        return Posted(None, False, _l("This kind of contribution earns no points."))
    return award_points(member, rule.points, reason, key=key, source=source, note=note,
                        created_by=actor, daily_cap=rule.daily_cap)


def spend(member, amount: int, reason: str, *, key: str,
          source: tuple[str, object] | None = None, note: str | None = None,
          created_by=None) -> Posted:
    """Debit the balance (not reputation); refuses if the balance is too small."""
    if amount <= 0:
        raise PointsError(_l("The number of points must be a whole number above zero."))
    _check_key(key)
    member = lock_member(getattr(member, "id", member))
    existing = entry_by_key(key)
    if existing is not None:
        return Posted(existing, False, _l("These points were already debited."))
    entry = _post(member, amount=-amount, reputation=0, reason=reason, key=key,
                  source=source, note=note, created_by=created_by)
    return Posted(entry, True)


def _open_entries(target) -> list[LedgerEntry]:
    """Entries named by a key or a (kind, id) source that no reversal points at yet."""
    reversal = aliased(LedgerEntry)
    query = select(LedgerEntry).where(
        LedgerEntry.reverses_id.is_(None),
        ~exists().where(reversal.reverses_id == LedgerEntry.id),
    ).order_by(LedgerEntry.id)
    if isinstance(target, str):
        query = query.where(LedgerEntry.key == target)
    else:
        kind, source_id = target
        query = query.where(LedgerEntry.source_kind == kind,
                            LedgerEntry.source_id == str(source_id))
    return list(db.session.scalars(query))


def reverse(target, reason: str, *, actor=None) -> Posted:
    """Take back what the entries of a key or a (kind, id) source gave. Idempotent.

    Reputation is taken back in full. Points already spent cannot be taken back, so the
    balance goes down by at most what is left (the entry's note says so); a balance
    never goes negative. Spending entries are reversed as refunds.
    """
    if not reason or not str(reason).strip():
        raise PointsError(_l("A reversal needs a reason."), "reason")
    posted = []
    for original in _open_entries(target):
        posted.append(_reverse_one(original, str(reason).strip(), actor))
    if not posted:
        return Posted(None, False, _l("Nothing to reverse: already reversed or never awarded."))
    return Posted(posted[0], True, _l("Reversed."), entries=posted)


def _reverse_one(original: LedgerEntry, reason: str, actor) -> LedgerEntry:
    member = lock_member(original.member_id)
    amount = -original.amount
    note = reason
    if amount < 0 and member.points_balance + amount < 0:
        amount = -member.points_balance
        with force_locale(member.locale or "de"):  # the member reads it on /me/points
            note = gettext("%(reason)s (%(spent)d already spent)", reason=reason,
                           spent=original.amount + amount)
    entry = _post(member, amount=amount, reputation=-original.reputation_delta,
                  reason=rules.REDEMPTION_REFUND if original.reason == rules.REDEMPTION
                  else rules.REVERSAL, key=f"reversal:{original.key}",
                  source=(original.source_kind, original.source_id)
                  if original.source_kind else None,
                  note=note, created_by=actor, reverses=original)
    if original.reputation_delta:  # refunds are told by the redemption's own notice
        notify(member, POINTS_REVERSED, link="/me/points",
               amount=max(-amount, original.reputation_delta), why=reason)
    return entry


def earned_today(member_id: int, reason: str) -> int:
    """Points of this reason paid to the member since midnight UTC, reversals ignored
    (taking a vote back does not make room under the cap for new ones)."""
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.reputation_delta), 0)).where(
            LedgerEntry.member_id == member_id, LedgerEntry.reason == reason,
            LedgerEntry.created_at >= midnight)
    )


def live_count(member_id: int, reason: str) -> int:
    """How many entries of this reason the member has that were not reversed."""
    reversal = aliased(LedgerEntry)
    return db.session.scalar(
        select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.member_id == member_id, LedgerEntry.reason == reason,
            ~exists().where(reversal.reverses_id == LedgerEntry.id))
    )


def history_query(member_id: int):
    """The member's entries newest first, each with the balance after it (a window sum
    over the member's own entries only)."""
    balance = func.sum(LedgerEntry.amount).over(order_by=LedgerEntry.id)
    inner = (select(LedgerEntry.id.label("entry_id"), balance.label("balance_after"))
             .where(LedgerEntry.member_id == member_id).subquery())
    return (select(LedgerEntry, inner.c.balance_after)
            .join(inner, inner.c.entry_id == LedgerEntry.id)
            .order_by(LedgerEntry.id.desc()))


@dataclass
class Difference:
    member_id: int
    handle: str
    cached_reputation: int
    ledger_reputation: int
    cached_balance: int
    ledger_balance: int


def verify() -> list[Difference]:
    """Recompute every member's figures from the ledger; return those that differ."""
    sums = (select(LedgerEntry.member_id,
                   func.sum(LedgerEntry.amount).label("balance"),
                   func.sum(LedgerEntry.reputation_delta).label("reputation"))
            .group_by(LedgerEntry.member_id).subquery())
    ledger_balance = func.coalesce(sums.c.balance, literal(0))
    ledger_reputation = func.coalesce(sums.c.reputation, literal(0))
    rows = db.session.execute(
        select(User.id, User.handle, User.reputation, ledger_reputation,
               User.points_balance, ledger_balance)
        .outerjoin(sums, sums.c.member_id == User.id)
        .where((User.reputation != ledger_reputation) | (User.points_balance != ledger_balance)
               | (User.reputation < 0) | (User.points_balance < 0))
        .order_by(User.id)
    )
    return [Difference(*row) for row in rows]


def recent_window(days: int = 30) -> list[str]:
    """The day periods of the last ``days`` days, today included."""
    today = utcnow()
    return [(today - timedelta(days=n)).strftime("d%Y-%m-%d") for n in range(days)]




def reputation_earned_since(member_ids, since: datetime) -> dict[int, int]:
    """Reputation each member gained since a moment (net of reversals), one grouped query.

    The test lab's ranking reads helpfulness from here (reputation of the last 12 months).
    """
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(LedgerEntry.member_id, func.sum(LedgerEntry.reputation_delta))
        .where(LedgerEntry.member_id.in_(ids), LedgerEntry.created_at >= since)
        .group_by(LedgerEntry.member_id))
    return {member_id: max(int(total or 0), 0) for member_id, total in rows}
