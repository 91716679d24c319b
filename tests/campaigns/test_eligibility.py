"""Eligibility rules: each kind met and unmet, explained with its values, checked when
staff compose them, and loaded for many members in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lab.accounts import services as accounts
from lab.campaigns import eligibility
from lab.campaigns.models import DROPPED
from lab.core.clock import utcnow
from lab.core.errors import DomainError
from tests.support import count_queries

pytestmark = pytest.mark.usefixtures("english")


def unmet(member, *rules):
    facts = eligibility.facts_for([member.id])[member.id]
    return eligibility.unmet(list(rules), facts, utcnow())


def is_met(member, rule) -> bool:
    return unmet(member, rule) == []


# --- each rule, met and unmet --------------------------------------------------------------

@pytest.mark.parametrize("values,met", [(["android", "ios"], True), (["ios"], False)])
def test_owns_os(make_tester, values, met):
    assert is_met(make_tester(os="android"), {"rule": "owns_os", "values": values}) is met


def test_owns_os_looks_at_every_device(make_tester):
    member = make_tester(os="android")
    accounts.add_device(member, kind="tablet", brand="Apple", model="iPad", os="ios")
    assert is_met(member, {"rule": "owns_os", "values": ["ios"]})


@pytest.mark.parametrize("values,met", [(["router", "smartphone"], True), (["smart_tv"], False)])
def test_owns_device_kind(make_tester, values, met):
    member = make_tester(kind="smartphone")
    assert is_met(member, {"rule": "owns_device_kind", "values": values}) is met


def test_a_member_without_devices_owns_no_os(make_tester):
    member = make_tester(os=None, kind=None)
    assert not is_met(member, {"rule": "owns_os", "values": ["android"]})


@pytest.mark.parametrize("values,met", [(["fibre", "cable"], True), (["dsl"], False)])
def test_connection(make_tester, values, met):
    assert is_met(make_tester(connection="fibre"), {"rule": "connection",
                                                    "values": values}) is met


def test_no_connection_given_meets_no_connection_rule(make_tester):
    assert not is_met(make_tester(connection=None), {"rule": "connection", "values": ["dsl"]})


@pytest.mark.parametrize("values,met", [(["DE-NW", "DE-BY"], True), (["AT"], False)])
def test_region(make_tester, values, met):
    assert is_met(make_tester(region="DE-NW"), {"rule": "region", "values": values}) is met


def test_a_member_without_a_profile_meets_no_profile_rule(make_member):
    member = make_member()
    assert len(unmet(member, {"rule": "region", "values": ["DE-NW"]},
                     {"rule": "connection", "values": ["fibre"]})) == 2


@pytest.mark.parametrize("reputation,met", [(99, False), (100, True), (600, True)])
def test_min_level(make_tester, reputation, met):
    member = make_tester(reputation=reputation)
    assert is_met(member, {"rule": "min_level", "value": "helper"}) is met


@pytest.mark.parametrize("days_ago,met", [(29, False), (30, True)])
def test_member_days(make_tester, days_ago, met):
    member = make_tester(created_at=utcnow() - timedelta(days=days_ago))
    assert is_met(member, {"rule": "member_days", "value": 30}) is met


def test_no_test_months_is_met_by_someone_who_never_tested(make_tester):
    assert is_met(make_tester(), {"rule": "no_test_months", "value": 6})


@pytest.mark.parametrize("months_ago,met", [(5, False), (7, True)])
def test_no_test_months(make_tester, make_past_test, months_ago, met):
    member = make_tester()
    make_past_test(member, utcnow() - timedelta(days=months_ago * 30.44))
    assert is_met(member, {"rule": "no_test_months", "value": 6}) is met


def test_a_dropped_test_counts_as_a_finished_one(make_tester, make_past_test):
    member = make_tester()
    make_past_test(member, utcnow() - timedelta(days=10), status=DROPPED)
    assert not is_met(member, {"rule": "no_test_months", "value": 6})


def test_unmet_lists_only_the_rules_not_met_as_stored(make_tester):
    rules = [{"rule": "owns_os", "values": ["android"]}, {"rule": "region", "values": ["AT"]},
             {"rule": "min_level", "value": "expert"}]
    assert unmet(make_tester(os="android", region="DE-NW"), *rules) == rules[1:]


def test_an_unknown_rule_is_never_met(make_tester):
    assert not is_met(make_tester(), {"rule": "likes_cats"})


# --- explaining ----------------------------------------------------------------------------

@pytest.mark.parametrize("rule,words", [
    ({"rule": "owns_os", "values": ["android", "ios"]}, "Android or iOS / iPadOS"),
    ({"rule": "owns_device_kind", "values": ["smart_tv"]}, "Smart TV"),
    ({"rule": "connection", "values": ["dsl", "fibre"]}, "DSL or Fibre (FTTH)"),
    ({"rule": "region", "values": ["DE-BY", "AT"]}, "Bayern or Austria"),
    ({"rule": "min_level", "value": "connoisseur"}, "at least the level Connoisseur"),
    ({"rule": "member_days", "value": 90}, "at least 90 days"),
    ({"rule": "no_test_months", "value": 6}, "in the last 6 months"),
])
def test_explain_names_the_values(rule, words):
    assert words in eligibility.explain(rule)


def test_explain_says_when_it_does_not_know_a_rule(app):
    assert eligibility.explain({"rule": "likes_cats"}) == "An unknown requirement."


# --- composing -----------------------------------------------------------------------------

def test_clean_rules_sorts_values_and_drops_empty_rules(app):
    rules = [{"rule": "owns_os", "values": ["ios", "android", "ios"]},
             {"rule": "region", "values": []}, {"rule": "min_level", "value": "newcomer"},
             {"rule": "member_days", "value": 0}, {"rule": "no_test_months", "value": 3}]
    assert eligibility.clean_rules(rules) == [
        {"rule": "owns_os", "values": ["android", "ios"]},
        {"rule": "no_test_months", "value": 3}]


@pytest.mark.parametrize("rule,field", [
    ({"rule": "owns_os", "values": ["android", "symbian"]}, "elig_owns_os"),
    ({"rule": "owns_device_kind", "values": ["toaster"]}, "elig_owns_device_kind"),
    ({"rule": "connection", "values": ["carrier_pigeon"]}, "elig_connection"),
    ({"rule": "region", "values": ["FR"]}, "elig_region"),
    ({"rule": "min_level", "value": "guru"}, "elig_min_level"),
    ({"rule": "member_days", "value": 3651}, "elig_member_days"),
    ({"rule": "member_days", "value": "30"}, "elig_member_days"),
    ({"rule": "no_test_months", "value": -1}, "elig_no_test_months"),
])
def test_clean_rules_refuses_unknown_values(app, rule, field):
    with pytest.raises(DomainError) as refused:
        eligibility.clean_rules([rule])
    assert refused.value.field == field


def test_clean_rules_refuses_an_unknown_rule(app):
    with pytest.raises(DomainError, match="Unknown eligibility rule"):
        eligibility.clean_rules([{"rule": "likes_cats", "value": 1}])


def test_a_campaign_stores_its_rules_cleaned(make_campaign):
    campaign = make_campaign(eligibility=[{"rule": "region", "values": ["DE-NW", "AT"]},
                                          {"rule": "connection", "values": []}])
    assert campaign.eligibility == [{"rule": "region", "values": ["AT", "DE-NW"]}]


def test_rule_value_reads_back_what_the_form_shows(app):
    rules = [{"rule": "region", "values": ["AT"]}, {"rule": "member_days", "value": 30}]
    assert eligibility.rule_value(rules, "region") == ["AT"]
    assert eligibility.rule_value(rules, "member_days") == 30
    assert eligibility.rule_value(rules, "min_level") is None


# --- loading facts -------------------------------------------------------------------------

def test_facts_for_gathers_profile_devices_and_last_test(make_tester, make_past_test):
    member = make_tester(os="ios", kind="tablet", connection="cable", region="AT",
                         reputation=120)
    finished = utcnow().replace(microsecond=0) - timedelta(days=40)
    make_past_test(member, finished)
    facts = eligibility.facts_for([member.id])[member.id]
    assert (facts.operating_systems, facts.device_kinds) == ({"ios"}, {"tablet"})
    assert (facts.connection_type, facts.region, facts.has_profile) == ("cable", "AT", True)
    assert (facts.reputation, facts.last_test_at) == (120, finished)


def test_facts_for_nobody_asks_nothing(app):
    with count_queries() as statements:
        assert eligibility.facts_for([]) == {}
    assert statements == []


def test_facts_for_uses_the_same_few_queries_for_one_or_thirty_members(make_tester):
    members = [make_tester() for _ in range(30)]
    with count_queries() as one:
        eligibility.facts_for([members[0].id])
    with count_queries() as thirty:
        facts = eligibility.facts_for([m.id for m in members])
    assert len(facts) == 30
    assert len(one) == len(thirty) == 4
