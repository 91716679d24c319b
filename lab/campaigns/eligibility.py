"""Eligibility rules: what a campaign asks of its testers, checked against the tester
profile, and explained in plain words.

A campaign stores its rules as a list of small dicts, e.g.
``{"rule": "owns_os", "values": ["android"]}`` or ``{"rule": "min_level", "value": "helper"}``.
``facts_for`` loads what the rules need for many members in a fixed number of queries;
``unmet`` gives the rules a member does not meet (empty: eligible).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lab.accounts import choices
from lab.accounts.models import OwnedDevice, TesterProfile, User
from lab.core.errors import DomainError
from lab.extensions import db
from lab.rewards import levels

OWNS_OS, OWNS_DEVICE_KIND, CONNECTION, REGION, MIN_LEVEL, MEMBER_DAYS, NO_TEST_MONTHS = (
    "owns_os", "owns_device_kind", "connection", "region", "min_level", "member_days",
    "no_test_months")
LIST_RULES = {OWNS_OS: choices.OPERATING_SYSTEMS, OWNS_DEVICE_KIND: choices.DEVICE_KINDS,
              CONNECTION: choices.CONNECTION_TYPES, REGION: choices.REGIONS}
NUMBER_RULES = (MEMBER_DAYS, NO_TEST_MONTHS)
RULE_NAMES = {
    OWNS_OS: _l("Owns a device with one of these operating systems"),
    OWNS_DEVICE_KIND: _l("Owns a device of one of these kinds"),
    CONNECTION: _l("Has one of these connection types"),
    REGION: _l("Lives in one of these regions"),
    MIN_LEVEL: _l("Has reached at least this level"),
    MEMBER_DAYS: _l("Member for at least this many days"),
    NO_TEST_MONTHS: _l("No test finished in this many months"),
}
DAYS_PER_MONTH = 30.44


@dataclass
class MemberFacts:
    """What the rules look at, for one member."""

    member_id: int
    reputation: int
    joined_at: datetime
    operating_systems: set[str] = field(default_factory=set)
    device_kinds: set[str] = field(default_factory=set)
    connection_type: str | None = None
    region: str | None = None
    has_profile: bool = False
    last_test_at: datetime | None = None


def clean_rules(rules: Iterable[dict]) -> list[dict]:
    """Check and normalise rules composed by staff; raises DomainError naming the field."""
    cleaned = []
    for rule in rules:
        name = rule.get("rule")
        if name in LIST_RULES:
            known = {code for code, _label in LIST_RULES[name]}
            values = sorted(set(rule.get("values") or []))
            if not values:
                continue
            if not set(values) <= known:
                raise DomainError(_l("Please choose from the list."), f"elig_{name}")
            cleaned.append({"rule": name, "values": values})
        elif name == MIN_LEVEL:
            if not rule.get("value") or rule["value"] == levels.LEVELS[0].code:
                continue
            if rule["value"] not in levels.BY_CODE:
                raise DomainError(_l("Please choose a level."), f"elig_{name}")
            cleaned.append({"rule": name, "value": rule["value"]})
        elif name in NUMBER_RULES:
            value = rule.get("value")
            if value in (None, "", 0):
                continue
            if not isinstance(value, int) or not 0 < value <= 3650:
                raise DomainError(_l("Please enter a number between 1 and 3650."),
                                  f"elig_{name}")
            cleaned.append({"rule": name, "value": value})
        else:
            raise DomainError(_l("Unknown eligibility rule."))
    return cleaned


def facts_for(member_ids: Iterable[int]) -> dict[int, MemberFacts]:
    """Facts for many members in four queries, whatever their number."""
    from lab.campaigns.history import last_test_finished

    ids = sorted(set(member_ids))
    if not ids:
        return {}
    facts = {
        user_id: MemberFacts(user_id, reputation or 0, joined_at)
        for user_id, reputation, joined_at in db.session.execute(
            select(User.id, User.reputation, User.created_at).where(User.id.in_(ids)))
    }
    for user_id, connection, region in db.session.execute(
            select(TesterProfile.user_id, TesterProfile.connection_type,
                   TesterProfile.region).where(TesterProfile.user_id.in_(ids))):
        facts[user_id].has_profile = True
        facts[user_id].connection_type = connection
        facts[user_id].region = region
    for user_id, kind, os in db.session.execute(
            select(OwnedDevice.user_id, OwnedDevice.kind, OwnedDevice.os)
            .where(OwnedDevice.user_id.in_(ids))):
        facts[user_id].device_kinds.add(kind)
        facts[user_id].operating_systems.add(os)
    for user_id, finished in last_test_finished(ids).items():
        facts[user_id].last_test_at = finished
    return facts


def unmet(rules: list[dict], facts: MemberFacts, now: datetime) -> list[dict]:
    """The rules these facts do not meet, as stored (an empty list means eligible)."""
    return [rule for rule in rules or [] if not _meets(rule, facts, now)]


def _meets(rule: dict, facts: MemberFacts, now: datetime) -> bool:
    name = rule.get("rule")
    if name == OWNS_OS:
        return bool(facts.operating_systems & set(rule["values"]))
    if name == OWNS_DEVICE_KIND:
        return bool(facts.device_kinds & set(rule["values"]))
    if name == CONNECTION:
        return facts.connection_type in rule["values"]
    if name == REGION:
        return facts.region in rule["values"]
    if name == MIN_LEVEL:
        return levels.reaches(facts.reputation, rule["value"])
    if name == MEMBER_DAYS:
        return facts.joined_at <= now - timedelta(days=rule["value"])
    if name == NO_TEST_MONTHS:
        return (facts.last_test_at is None
                or facts.last_test_at <= now - timedelta(days=rule["value"] * DAYS_PER_MONTH))
    return False  # a rule we do not know is not met: never let anyone through by mistake


def _labels(rule: dict) -> str:
    vocabulary = LIST_RULES[rule["rule"]]
    return _(" or ").join(str(choices.label(vocabulary, code)) for code in rule["values"])


def explain(rule: dict) -> str:
    """A rule in plain words, as a requirement ("You need ...")."""
    name = rule.get("rule")
    if name == OWNS_OS:
        return _("You need a device with %(systems)s in your tester profile.",
                 systems=_labels(rule))
    if name == OWNS_DEVICE_KIND:
        return _("You need a device of the kind %(kinds)s in your tester profile.",
                 kinds=_labels(rule))
    if name == CONNECTION:
        return _("Your connection must be %(types)s (as given in your tester profile).",
                 types=_labels(rule))
    if name == REGION:
        return _("You must live in %(regions)s (as given in your tester profile).",
                 regions=_labels(rule))
    if name == MIN_LEVEL:
        return _("You need at least the level %(level)s.",
                 level=levels.BY_CODE[rule["value"]].label)
    if name == MEMBER_DAYS:
        return _("You must have been a member for at least %(days)d days.", days=rule["value"])
    if name == NO_TEST_MONTHS:
        return _("You must not have finished a test in the last %(months)d months "
                 "(we give newer testers a chance).", months=rule["value"])
    return _("An unknown requirement.")


def rule_value(rules: list[dict], name: str):
    """The values (list rules) or value of the named rule, for filling the campaign form."""
    for rule in rules or []:
        if rule.get("rule") == name:
            return rule.get("values", rule.get("value"))
    return None

