"""The rewards pages run a fixed number of SQL queries with 10 and with 200 members."""

import uuid

from lab.extensions import db
from lab.rewards import catalog, ledger
from tests.support import count_queries


def _reward(admin, n):
    return catalog.save_reward(
        admin, kind="merchandise", title=f"Reward {n}", description="", cost=5, stock=1000,
        per_member_limit=None, min_level="newcomer", available_from=None,
        available_until=None, needs_address=False, active=True)


def _grow(admin, viewer, make_member, members: int, rewards: int):
    """Members with points and redemptions; the viewer gets a long history too."""
    extra = [_reward(admin, n) for n in range(rewards)]
    for n in range(members):
        member = make_member()
        ledger.award_points(member, 10 + n, "manual_award", key=f"grow:{uuid.uuid4().hex}")
        catalog.redeem(member, extra[n % len(extra)].id, request_key=uuid.uuid4().hex)
    for _ in range(members // 5):
        ledger.award_points(viewer, 7, "helpful_vote", key=f"grow:{uuid.uuid4().hex}")
    catalog.redeem(viewer, extra[0].id, request_key=uuid.uuid4().hex)
    db.session.commit()


PAGES = ["/leaderboard", "/leaderboard?period=month", "/leaderboard?period=30d", "/rewards/",
         "/me/points", "/me/redemptions", "/me/notifications", "/members/{handle}",
         "/badges/", "/admin/redemptions", "/admin/approvals", "/admin/awards",
         "/admin/rewards"]


def _counts(client, urls) -> dict[str, list[str]]:
    counted = {}
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).status_code == 200, url
        counted[url] = statements
    return counted


def test_rewards_page_queries_stay_the_same_with_10_and_200_members(
        client, auth, make_admin, make_member):
    # one growth for all pages: 200 members with ledger entries and redemptions are slow
    # to make, and every page must hold with the same data anyway
    admin = auth.login(make_admin())
    urls = [url.format(handle=admin.handle) for url in PAGES]
    _grow(admin, admin, make_member, 10, 3)
    few = _counts(client, urls)
    _grow(admin, admin, make_member, 190, 30)
    many = _counts(client, urls)
    for url in urls:
        assert len(many[url]) == len(few[url]), f"{url}:\n" + "\n".join(many[url])
        assert len(few[url]) <= 10, f"{url}:\n" + "\n".join(few[url])
