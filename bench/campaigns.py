"""Scale benchmark: ranking and selecting a test lab campaign's applicants on PostgreSQL.

    python -m bench.campaigns [--applicants N] [--quick] [--runs N] [--database-url URL]

The database (by default the same as bench.leaderboard's) is dropped and created again,
migrated, and filled with set-based SQL: applicants with a tester profile, a device, a
ledger over the last 18 months and, for some, an earlier finished test; one campaign in
recruiting with two screening questions, three eligibility rules and 50 slots, and a
submitted application of every applicant. Then the services the staff pages call are
timed, each run rolled back: rank(), select_by_ranking() (after the campaign moved to
selection), the first page of the applications table with its count, and the CSV
export of every row. Numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.leaderboard import (
    DEFAULT_URL,
    coprime_multiplier,
    fresh_app,
    header,
    psycopg_url,
    report,
    shown,
    timed,
)

DEFAULT_APPLICANTS, QUICK_APPLICANTS = 5_000, 500
SLOTS = 50
PER_PAGE = 50  # as the staff applications table (staff_views.applications)
ENTRIES_PER_APPLICANT = 12  # ledger entries on average, skewed towards a few members
SKEW = 2.5
HISTORY_DAYS = 548
TESTED_EVERY = 3  # every third applicant finished an earlier test
ELIGIBILITY = ('[{"rule": "owns_os", "values": ["android"]},'
               ' {"rule": "member_days", "value": 30},'
               ' {"rule": "no_test_months", "value": 3}]')
REASONS = ("helpful_vote", "answer_accepted", "feedback_on_time", "bug_confirmed")

# Staff member 1, applicants 2 .. n + 1; campaign 1 is an earlier, closed one (for the
# test records), campaign 2 the one ranked.
GENERATE = """
    SELECT setseed(0.42);
    CREATE TEMP TABLE bench_ledger AS
    SELECT g AS id,
           2 + (floor(%(n)s * power(random(), %(skew)s))::bigint * %(mult)s) %% %(n)s
               AS member_id,
           1 + floor(random() * %(kinds)s)::int AS kind,
           %(now)s::timestamp - random() * (%(days)s * interval '1 day') AS created_at
    FROM generate_series(1, %(entries)s) AS g;
    INSERT INTO "user" (id, email, handle, handle_key, password, active, fs_uniquifier,
                        confirmed_at, created_at, reputation, points_balance)
    SELECT 1, 'bench-staff@example.org', 'BenchStaff', 'benchstaff', NULL, true,
           'bench-staff', %(now)s::timestamp - interval '1000 days',
           %(now)s::timestamp - interval '1000 days', 0, 0;
    INSERT INTO "user" (id, email, handle, handle_key, password, active, fs_uniquifier,
                        confirmed_at, created_at, reputation, points_balance)
    SELECT g, 'bench' || g || '@example.org', 'Bench' || g, 'bench' || g, NULL, true,
           'bench-' || md5(g::text), joined, joined,
           coalesce(s.reputation, 0), coalesce(s.reputation, 0)
    FROM generate_series(2, %(n)s + 1) AS g
    CROSS JOIN LATERAL (SELECT %(now)s::timestamp - interval '900 days'
                               + (g::float8 / %(n)s) * interval '895 days') AS j(joined)
    LEFT JOIN (SELECT member_id, sum((%(points)s::int[])[kind]) AS reputation
               FROM bench_ledger GROUP BY member_id) s ON s.member_id = g;
    INSERT INTO ledger_entry (id, member_id, amount, reputation_delta, reason, key, created_at)
    SELECT id, member_id, (%(points)s::int[])[kind], (%(points)s::int[])[kind],
           (%(reasons)s::text[])[kind], 'bench:' || id, created_at
    FROM bench_ledger;
    DROP TABLE bench_ledger;
    INSERT INTO tester_profile (user_id, connection_type, has_mobile_contract, region,
                                postcode_area, created_at, updated_at)
    SELECT g, (ARRAY['dsl', 'fibre', 'cable'])[1 + g %% 3], g %% 2 = 0,
           (ARRAY['DE-BW', 'DE-BY', 'DE-BE', 'DE-HH'])[1 + g %% 4], lpad((g %% 99)::text, 2, '0'),
           %(now)s, %(now)s
    FROM generate_series(2, %(n)s + 1) AS g;
    INSERT INTO owned_device (id, user_id, kind, brand, model, os)
    SELECT g - 1, g, 'smartphone', 'Brand', 'Model ' || g %% 40,
           CASE WHEN g %% 10 < 7 THEN 'android' ELSE 'ios' END
    FROM generate_series(2, %(n)s + 1) AS g;
    INSERT INTO product (id, name, maker, category, created_at, updated_at)
    VALUES (1, 'Phone X', 'Maker', 'smartphone', %(now)s, %(now)s);
    INSERT INTO campaign (id, slug, title, product_id, summary, description, slots, slots_taken,
                          applications_open_at, applications_close_at, test_starts_at,
                          test_ends_at, device_policy, eligibility, terms, terms_version,
                          completion_points, confirm_days, state, ranking_seed, created_by_id,
                          created_at, updated_at)
    VALUES (1, 'earlier', 'An earlier test', 1, 'Closed', '', %(earlier)s, %(earlier)s,
            %(now)s::timestamp - interval '400 days', %(now)s::timestamp - interval '380 days',
            %(now)s::timestamp - interval '370 days', %(now)s::timestamp - interval '5 days',
            'return', '[]', '', 1, 50, 5, 'closed', 'earlier-seed', 1, %(now)s, %(now)s),
           (2, 'bench', 'The benchmark campaign', 1, 'Recruiting', '', %(slots)s, 0,
            %(now)s::timestamp - interval '10 days', %(now)s::timestamp + interval '10 days',
            %(now)s::timestamp + interval '20 days', %(now)s::timestamp + interval '50 days',
            'return', %(eligibility)s, 'Terms', 1, 50, 5, 'recruiting', 'bench-seed', 1,
            %(now)s, %(now)s);
    INSERT INTO campaign_question (id, campaign_id, position, kind, label, required, options)
    VALUES (1, 2, 0, 'yes_no', 'Do you take photos every day?', true, '[]'),
           (2, 2, 1, 'single', 'How often do you change your phone?', true,
            '["every year", "every two years", "less often"]');
    -- the earlier test: every third applicant completed it (most on time) or dropped out,
    -- finished between 5 and 370 days ago
    INSERT INTO application (id, campaign_id, member_id, status, answers, unmet_rules,
                             terms_version, terms_accepted_at, submitted_at, eligible,
                             finished_at, feedback_on_time, created_at, updated_at)
    SELECT row_number() OVER (ORDER BY g), 1, g,
           CASE WHEN random() < 0.85 THEN 'completed' ELSE 'dropped' END, '{}', '[]', 1,
           %(now)s::timestamp - interval '390 days', %(now)s::timestamp - interval '390 days',
           true, %(now)s::timestamp - (5 + random() * 365) * interval '1 day',
           random() < 0.8, %(now)s::timestamp - interval '390 days', %(now)s
    FROM generate_series(2, %(n)s + 1) AS g WHERE g %% %(tested)s = 0;
    INSERT INTO application (id, campaign_id, member_id, status, answers, unmet_rules,
                             terms_version, terms_accepted_at, submitted_at, created_at,
                             updated_at)
    SELECT %(earlier)s + g - 1, 2, g, 'submitted',
           json_build_object(
               '1', json_build_object('label', 'Do you take photos every day?',
                                      'kind', 'yes_no',
                                      'value', CASE WHEN g %% 2 = 0 THEN 'yes' ELSE 'no' END),
               '2', json_build_object('label', 'How often do you change your phone?',
                                      'kind', 'single',
                                      'value', (ARRAY['every year', 'every two years',
                                                      'less often'])[1 + g %% 3])),
           '[]', 1, at, at, at, at
    FROM generate_series(2, %(n)s + 1) AS g
    CROSS JOIN LATERAL (SELECT %(now)s::timestamp - random() * interval '9 days') AS s(at);
    INSERT INTO application_event (id, application_id, status, created_at)
    SELECT id, id, 'submitted', submitted_at FROM application WHERE campaign_id = 2;
    SELECT setval(pg_get_serial_sequence('"user"', 'id'), %(n)s + 1);
    SELECT setval(pg_get_serial_sequence('ledger_entry', 'id'), %(entries)s);
    SELECT setval(pg_get_serial_sequence('owned_device', 'id'), %(n)s);
    SELECT setval(pg_get_serial_sequence('product', 'id'), 1);
    SELECT setval(pg_get_serial_sequence('campaign', 'id'), 2);
    SELECT setval(pg_get_serial_sequence('campaign_question', 'id'), 2);
    SELECT setval(pg_get_serial_sequence('application', 'id'), (SELECT max(id) FROM application));
    SELECT setval(pg_get_serial_sequence('application_event', 'id'),
                  (SELECT max(id) FROM application_event))
"""


def generate(url: str, applicants: int, now) -> float:
    """Fill the migrated database in one transaction; return the seconds it took."""
    import psycopg

    from lab.rewards import rules

    params = {
        "n": applicants,
        "entries": applicants * ENTRIES_PER_APPLICANT,
        "skew": SKEW,
        "mult": coprime_multiplier(applicants),
        "kinds": len(REASONS),
        "reasons": list(REASONS),
        "points": [rules.DEFAULT_RULES[r].points for r in REASONS],
        "now": now,
        "days": HISTORY_DAYS,
        "slots": SLOTS,
        "earlier": sum(1 for g in range(2, applicants + 2) if g % TESTED_EVERY == 0),
        "tested": TESTED_EVERY,
        "eligibility": ELIGIBILITY,
    }
    started = time.perf_counter()
    with psycopg.connect(psycopg_url(url)) as conn:
        with conn.cursor() as cur:
            for statement in filter(str.strip, GENERATE.split(";")):
                cur.execute(statement, params if "%(" in statement else None)
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def measure(app, runs: int) -> None:
    from sqlalchemy import event, func, select, update

    from lab.accounts.models import User
    from lab.campaigns import ranking, selection, staff_lists
    from lab.campaigns.models import SELECTION, Application, Campaign
    from lab.core.pagination import paginate
    from lab.extensions import db

    def campaign() -> Campaign:
        return db.session.get(Campaign, 2)

    def actor() -> User:
        return db.session.get(User, 1)

    def counted(fn):
        """Run fn once more and keep its work; return its result and the SQL statements
        it sent (an executemany counts once)."""
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            return fn(), len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    with app.test_request_context("/?page=1"):
        header(f"Ranking and selection ({runs} runs each, rolled back)")
        report("rank(): score and order every applicant",
               *timed(lambda: ranking.rank(actor(), campaign()), runs))
        eligible, sent = counted(lambda: ranking.rank(actor(), campaign()))  # kept
        db.session.execute(update(Campaign).where(Campaign.id == 2).values(state=SELECTION))
        db.session.commit()
        print(f"  ({eligible:,} eligible, {sent:,} SQL statements; campaign moved to selection)")
        result, times = timed(lambda: selection.select_by_ranking(actor(), campaign()), runs)
        report(f"select_by_ranking() with {SLOTS} slots", f"{result[0]}/{result[1]:,}", times)
        # kept: the lists below show its outcome
        _, sent = counted(lambda: selection.select_by_ranking(actor(), campaign()))
        db.session.commit()
        print(f"  (result: selected/waitlisted; {sent:,} SQL statements)")

        header(f"Staff applications table ({PER_PAGE} rows a page) and CSV")
        filter_sets = [("by rank", {}), ("by handle", {"sort": "handle"}),
                       ("eligible, by score", {"eligible": "yes", "sort": "score"}),
                       ("search 'bench12'", {"search": "bench12"})]
        for label, filters in filter_sets:
            def page(filters=filters):
                query = staff_lists.applications_query(campaign(), filters)
                return len(db.session.execute(query.limit(PER_PAGE)).unique().all())

            def count(filters=filters):  # what SelectPagination._query_count runs
                query = staff_lists.applications_query(campaign(), filters)
                return db.session.execute(select(func.count()).select_from(
                    query.order_by(None).subquery())).scalar()

            def paginated(filters=filters):
                return paginate(staff_lists.applications_query(campaign(), filters),
                                per_page=PER_PAGE).total

            report(f"{label}: first page", *timed(page, runs))
            report(f"{label}: count", *timed(count, runs))
            report(f"{label}: paginate() (page + count)", *timed(paginated, runs))

        def export():
            rows = db.session.scalars(staff_lists.applications_query(campaign(), {}))
            return len("".join(staff_lists.applications_csv(campaign(), rows)))

        rows = db.session.scalar(select(func.count()).where(Application.campaign_id == 2))
        db.session.rollback()
        size, times = timed(export, runs)
        report(f"applications_csv(): all {rows:,} rows", f"{size / 1024:,.0f} KiB", times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.campaigns", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help=f"PostgreSQL database to DROP and recreate (default {DEFAULT_URL})")
    parser.add_argument("--applicants", type=int, help=f"default {DEFAULT_APPLICANTS:,}")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_APPLICANTS:,} applicants")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    # accepted so that `make bench BENCH_ARGS=...` can pass the same flags to both benchmarks
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--entries", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-http", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    applicants = args.applicants or (QUICK_APPLICANTS if args.quick else DEFAULT_APPLICANTS)

    from lab.config import normalise_database_url
    from lab.core.clock import utcnow

    url = normalise_database_url(args.database_url)
    print(f"Campaign benchmark: {applicants:,} applicants, {SLOTS} slots, "
          f"database {shown(url)}", flush=True)
    app = fresh_app(url)
    generated = generate(url, applicants, utcnow())
    print(f"  data generated in {generated:.1f} s "
          f"({applicants * ENTRIES_PER_APPLICANT:,} ledger entries)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  host: {os.cpu_count()} CPUs, load average {load} (timings include it)",
          flush=True)

    measure(app, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
