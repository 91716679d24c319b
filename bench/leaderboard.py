"""Scale benchmark: the leaderboard and the "my points" ledger page on PostgreSQL.

    python -m bench.leaderboard [--members N] [--entries N] [--quick] [--database-url URL]

The database (default testlab_bench on 127.0.0.1:5432) is dropped and created again,
migrated, and filled with set-based SQL: members, a skewed ledger over the last 18
months (a few members very active, about 30% never earn), reversals and spending, the
cached reputation and balance, and the per-period leaderboard totals. The ledger is
then checked with lab.rewards.ledger.verify() (the run fails if it finds differences),
and the ranking queries, own_rank(), the pagination counts and history_query() are
timed. Numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/testlab_bench"
DEFAULT_MEMBERS, DEFAULT_ENTRIES = 200_000, 2_000_000
QUICK_MEMBERS, QUICK_ENTRIES = 20_000, 200_000
PER_PAGE = 25
DEEP_OFFSET = 10_000

PARTICIPATING = 0.7  # share of members with any ledger entry
SKEW = 2.5  # member index = active * random()^SKEW: low indexes earn far more often
HISTORY_DAYS = 548  # about 18 months
REVERSE_EVERY = 197  # every n-th earning entry is reversed later
# how often each earning reason occurs (points come from lab.rewards.rules)
REASON_WEIGHTS = {
    "helpful_vote": 45,
    "accepted_an_answer": 10,
    "answer_accepted": 12,
    "feedback_on_time": 12,
    "bug_confirmed": 10,
    "bug_confirmed_critical": 3,
    "test_completed": 8,
}


# --- database --------------------------------------------------------------------------

def psycopg_url(url: str) -> str:
    """The URL as plain psycopg wants it (no +psycopg driver suffix)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(psycopg_url(url))
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        sys.exit(f"refusing to drop database {name!r}: give a dedicated benchmark database")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def shown(url: str) -> str:
    """The database URL without user and password, for the report."""
    return urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()


def fresh_app(url: str):
    """Drop and recreate the benchmark database, migrate it, and return the app on it."""
    import flask_migrate

    from lab import create_app
    from lab.extensions import db

    started = time.perf_counter()
    recreate_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "SERVER_NAME": "localhost"})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    print(f"  database recreated and migrated in {time.perf_counter() - started:.1f} s",
          flush=True)
    return app


def coprime_multiplier(n: int) -> int:
    """A multiplier m with gcd(m, n) == 1, so i -> i * m mod n scatters the busy members."""
    m = 1_000_003
    while math.gcd(m, n) != 1:
        m += 2
    return m


def generate(url: str, members: int, entries: int, now) -> list[tuple[str, float]]:
    """Fill the migrated database; return (step, seconds) pairs.

    The whole ledger is first built in an unlogged temporary table, so that members can
    be inserted with their final reputation and balance (no UPDATE of every member), and
    the secondary indexes of ledger_entry and leaderboard_total are dropped during the
    bulk load and rebuilt from their own definitions (pg_get_indexdef) afterwards.
    """
    import psycopg

    from lab.rewards import rules

    reasons = list(REASON_WEIGHTS)
    points = [rules.DEFAULT_RULES[r].points for r in reasons]
    total = sum(REASON_WEIGHTS.values())
    edges, acc = [], 0
    for reason in reasons[:-1]:
        acc += REASON_WEIGHTS[reason]
        edges.append(acc / total)
    params = {
        "n": members,
        "e": entries,
        "active": max(1, int(members * PARTICIPATING)),
        "skew": SKEW,
        "mult": coprime_multiplier(members),
        "now": now,
        "days": HISTORY_DAYS,
        "reasons": reasons,
        "points": points,
        "edges": edges,
        "every": REVERSE_EVERY,
        "reversal": rules.REVERSAL,
        "redemption": rules.REDEMPTION,
    }
    steps = [
        ("ledger built (temporary table)", """
            SELECT setseed(0.42);
            CREATE TEMP TABLE bench_earning AS
            SELECT 1 + (floor(%(active)s * power(random(), %(skew)s))::bigint * %(mult)s)
                       %% %(n)s AS member_id,
                   width_bucket(random(), %(edges)s::float8[]) + 1 AS kind,
                   %(now)s::timestamp - random() * (%(days)s * interval '1 day') AS created_at
            FROM generate_series(1, %(e)s);
            CREATE TEMP TABLE bench_ledger AS
            SELECT id::int, member_id::int, (%(points)s::int[])[kind] AS amount,
                   (%(points)s::int[])[kind] AS reputation_delta,
                   (%(reasons)s::text[])[kind] AS reason,
                   'bench:' || lpad(id::text, 10, '0') AS key,
                   NULL::text AS note, NULL::int AS reverses_id, created_at
            FROM (SELECT row_number() OVER (ORDER BY created_at) AS id, * FROM bench_earning) s;
            DROP TABLE bench_earning;
            -- every n-th earning is reversed a little later (a reversal, not an UPDATE)
            INSERT INTO bench_ledger
            SELECT (SELECT max(id) FROM bench_ledger) + row_number() OVER (ORDER BY e.id),
                   e.member_id, -e.amount, -e.reputation_delta, %(reversal)s,
                   'reversal:' || e.key, 'bench: taken back', e.id,
                   least(e.created_at + random() * interval '3 days', %(now)s::timestamp)
            FROM bench_ledger e WHERE e.id %% %(every)s = 0;
            -- a third of the members with 100 points or more spent 40%% of them
            INSERT INTO bench_ledger (id, member_id, amount, reputation_delta, reason, key,
                                      created_at)
            SELECT (SELECT max(id) FROM bench_ledger) + row_number() OVER (ORDER BY member_id),
                   member_id, -(balance * 2 / 5), 0, %(redemption)s,
                   'bench:spend:' || member_id,
                   least(last_at + interval '1 hour', %(now)s::timestamp)
            FROM (SELECT member_id, sum(amount) AS balance, max(created_at) AS last_at
                  FROM bench_ledger GROUP BY member_id) s
            WHERE balance >= 100 AND member_id %% 3 = 0;
            ANALYZE bench_ledger
        """),
        ("members with reputation and balance", """
            INSERT INTO "user" (id, email, handle, handle_key, password, active, fs_uniquifier,
                                confirmed_at, created_at, reputation, points_balance)
            SELECT g, 'bench' || g || '@example.org', 'Bench' || g, 'bench' || g, NULL, true,
                   'bench-' || md5(g::text), joined, joined,
                   coalesce(s.reputation, 0), coalesce(s.balance, 0)
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (SELECT %(now)s::timestamp - interval '900 days'
                                       + (g::float8 / %(n)s) * interval '880 days') AS j(joined)
            LEFT JOIN (SELECT member_id, sum(reputation_delta) AS reputation,
                              sum(amount) AS balance
                       FROM bench_ledger GROUP BY member_id) s ON s.member_id = g
            ORDER BY g;
            SELECT setval(pg_get_serial_sequence('"user"', 'id'), %(n)s)
        """),
        ("ledger_entry (append only: INSERT)", """
            INSERT INTO ledger_entry (id, member_id, amount, reputation_delta, reason, key,
                                      note, reverses_id, created_at)
            SELECT id, member_id, amount, reputation_delta, reason, key, note, reverses_id,
                   created_at
            FROM bench_ledger ORDER BY id;
            SELECT setval(pg_get_serial_sequence('ledger_entry', 'id'),
                          (SELECT max(id) FROM ledger_entry))
        """),
        # as ledger._add_to_totals: a reversal counts in the periods of the entry it reverses
        ("leaderboard totals", """
            INSERT INTO leaderboard_total (period, member_id, points)
            SELECT p.period, e.member_id, sum(e.reputation_delta)
            FROM bench_ledger e
            LEFT JOIN bench_ledger o ON o.id = e.reverses_id
            CROSS JOIN LATERAL (VALUES
                ('m' || to_char(coalesce(o.created_at, e.created_at), 'YYYY-MM')),
                ('d' || to_char(coalesce(o.created_at, e.created_at), 'YYYY-MM-DD'))
            ) AS p(period)
            WHERE e.reputation_delta <> 0
            GROUP BY p.period, e.member_id
            ORDER BY p.period, e.member_id;
            DROP TABLE bench_ledger
        """),
    ]
    timings = []
    with psycopg.connect(psycopg_url(url)) as conn:
        started = time.perf_counter()
        # plain (non-constraint) indexes of the bulk-loaded tables, rebuilt after the load
        indexes = conn.execute("""
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname IN ('ledger_entry', 'leaderboard_total')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        """).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for name, sql in steps:
            with conn.cursor() as cur:
                for statement in filter(str.strip, sql.split(";")):
                    cur.execute(statement, params if "%(" in statement else None)
            conn.commit()
            timings.append((name, time.perf_counter() - started))
            started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        timings.append((f"{len(indexes)} indexes rebuilt", time.perf_counter() - started))
    # VACUUM as autovacuum would in production (visibility map for index-only scans)
    started = time.perf_counter()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute('VACUUM (ANALYZE) "user", ledger_entry, leaderboard_total')
    timings.append(("VACUUM ANALYZE", time.perf_counter() - started))
    return timings


# --- measuring -------------------------------------------------------------------------

def timed(fn, runs: int) -> tuple[object, list[float]]:
    from lab.extensions import db

    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
        db.session.rollback()  # fresh identity map, no open transaction between runs
    return result, times


ROW = "{:<52} {:>14} {:>10} {:>10}"


def report(label: str, result, times: list[float]) -> None:
    print(ROW.format(label, str(result), f"{statistics.median(times):.1f}",
                     f"{max(times):.1f}"), flush=True)


def statements(fn) -> int:
    """How many SQL statements fn sends (run once more, rolled back)."""
    from sqlalchemy import event

    from lab.extensions import db

    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()
    return len(sent)


def header(title: str) -> None:
    print(f"\n{title}")
    print(ROW.format("measurement", "result", "median ms", "max ms"))
    print("-" * 89)


def explain(label: str, statement) -> None:
    """Print the top plan line, the scan lines and the execution time."""
    from lab.extensions import db

    sql = str(statement.compile(dialect=db.engine.dialect,
                                compile_kwargs={"literal_binds": True}))
    lines = db.session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS) " + sql).scalars().all()
    db.session.rollback()
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) {label}:")
    print("  " + lines[0])
    for line in lines[1:]:
        if "Scan" in line:
            print("  " + line.strip())
    for line in lines:
        if line.startswith("Execution Time"):
            print("  " + line)


def measure(app, runs: int) -> None:
    from sqlalchemy import func, select

    from lab.accounts.models import User
    from lab.extensions import db
    from lab.rewards import leaderboard
    from lab.rewards.ledger import history_query
    from lab.rewards.models import LedgerEntry

    def page(query, offset):
        return lambda: len(db.session.execute(query.limit(PER_PAGE).offset(offset)).all())

    def count(query):  # what SelectPagination._query_count runs
        return lambda: db.session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())).scalar()

    with app.app_context():
        no_points = db.session.scalar(
            select(User.id).where(~select(LedgerEntry.id)
                                  .where(LedgerEntry.member_id == User.id).exists())
            .order_by(User.id).limit(1))
        busiest, busiest_entries = db.session.execute(
            select(LedgerEntry.member_id, func.count()).group_by(LedgerEntry.member_id)
            .order_by(func.count().desc()).limit(1)).one()
        db.session.rollback()

        typical = None  # the median member of the all-time ranking, for history below
        header(f"Queries ({runs} runs each; page = {PER_PAGE} rows)")
        for period in leaderboard.PERIODS:
            query = leaderboard.ranking(period).query
            report(f"ranking {period}: first page (offset 0)", *timed(page(query, 0), runs))
            report(f"ranking {period}: deep page (offset {DEEP_OFFSET:,})",
                   *timed(page(query, DEEP_OFFSET), runs))
            ranked, times = timed(count(query), runs)
            report(f"ranking {period}: pagination count", ranked, times)
            top = db.session.execute(query.limit(1)).first()
            median = db.session.execute(query.limit(1).offset(ranked // 2)).first() \
                if ranked else None
            db.session.rollback()
            if period == "all" and median:
                typical = median[0].id
            members = [("top", top[0].id if top else None),
                       ("median", median[0].id if median else None),
                       ("no points", no_points)]
            for role, member_id in members:
                if member_id is None:
                    print(f"own_rank {period} {role}: no such member, skipped")
                    continue
                result, times = timed(lambda m=member_id, p=period: leaderboard.own_rank(p, m),
                                      runs)
                shown = f"#{result[0]:,}" if result else "None"
                report(f"own_rank {period} {role} (member {member_id})", shown, times)

        history = history_query(busiest)
        report(f"history first page (member {busiest}, {busiest_entries:,} entries)",
               *timed(page(history, 0), runs))
        report("history pagination count", *timed(count(history), runs))
        if typical is not None:
            entries = db.session.scalar(select(func.count()).where(
                LedgerEntry.member_id == typical))
            report(f"history first page (member {typical}, {entries:,} entries)",
                   *timed(page(history_query(typical), 0), runs))

        explain("ranking 'all', first page", leaderboard.ranking("all").query
                .limit(PER_PAGE).offset(0))
        explain("ranking '30d', first page", leaderboard.ranking("30d").query
                .limit(PER_PAGE).offset(0))
        # the other 30d queries whose cost grows with the number of recent earners
        board = leaderboard.ranking("30d")
        explain("own_rank '30d' (the count of members ahead, for the median member)",
                _ahead_query(board, db))
        explain("history first page (busiest member)", history.limit(PER_PAGE))


def _ahead_query(board, db):
    """The second statement of own_rank() for the 30d median member, for EXPLAIN."""
    from sqlalchemy import func, or_, select

    from lab.accounts.models import User

    ranked = db.session.scalar(select(func.count()).select_from(board.rows))
    member_id, mine = db.session.execute(
        select(board.rows.c.member_id, board.rows.c.points)
        .order_by(board.rows.c.points.desc(), board.rows.c.member_id.desc())
        .limit(1).offset(ranked // 2)).one()
    db.session.rollback()
    return (select(func.count()).select_from(board.rows)
            .join(User, User.id == board.rows.c.member_id)
            .where(User.active.is_(True),
                   or_(board.rows.c.points > mine,
                       (board.rows.c.points == mine) & (board.rows.c.member_id > member_id))))


def measure_http(app, runs: int) -> None:
    """Whole requests through the test client (no network), rendering included."""
    from sqlalchemy import func, select

    from lab.accounts.models import User
    from lab.extensions import db
    from lab.rewards.models import LedgerEntry

    with app.app_context():
        busiest = db.session.scalar(
            select(LedgerEntry.member_id).group_by(LedgerEntry.member_id)
            .order_by(func.count().desc()).limit(1))
        uniquifier = db.session.scalar(select(User.fs_uniquifier).where(User.id == busiest))
        db.session.remove()

    def get(client, url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return response.status_code
        return run

    header(f"End to end: GET through app.test_client() ({runs} runs each)")
    anonymous = app.test_client()
    for url in ("/leaderboard", "/leaderboard?period=30d", "/rewards/"):
        report(f"anonymous GET {url}", *_timed_plain(get(anonymous, url), runs))
    member = app.test_client()
    with member.session_transaction() as session:  # signed in as tests/conftest.py Auth does
        session["_user_id"] = uniquifier
        session["_fresh"] = True
        session["fs_paa"] = time.time()
        session["fs_cc"] = "set"
    for url in ("/me/points", "/leaderboard?period=30d"):
        report(f"busiest member GET {url}", *_timed_plain(get(member, url), runs))


def _timed_plain(fn, runs: int) -> tuple[object, list[float]]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


# --- main ------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.leaderboard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help=f"PostgreSQL database to DROP and recreate (default {DEFAULT_URL})")
    parser.add_argument("--members", type=int, help=f"default {DEFAULT_MEMBERS:,}")
    parser.add_argument("--entries", type=int,
                        help=f"earning entries before reversals and spending "
                             f"(default {DEFAULT_ENTRIES:,})")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_MEMBERS:,} members and {QUICK_ENTRIES:,} entries")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--no-http", action="store_true",
                        help="skip the end-to-end requests through the test client")
    args = parser.parse_args(argv)
    members = args.members or (QUICK_MEMBERS if args.quick else DEFAULT_MEMBERS)
    entries = args.entries or (QUICK_ENTRIES if args.quick else DEFAULT_ENTRIES)

    from sqlalchemy import text

    from lab.config import normalise_database_url
    from lab.core.clock import utcnow
    from lab.extensions import db
    from lab.rewards.ledger import verify

    url = normalise_database_url(args.database_url)
    print(f"Leaderboard benchmark: {members:,} members, {entries:,} earning entries, "
          f"database {shown(url)}", flush=True)
    app = fresh_app(url)

    generation = generate(url, members, entries, utcnow())
    for name, seconds in generation:
        print(f"  {name:<38} {seconds:7.1f} s", flush=True)
    generated = sum(seconds for _, seconds in generation)
    print(f"  {'generation total':<38} {generated:7.1f} s", flush=True)

    with app.app_context():
        sizes = db.session.execute(text("""
            SELECT relname, (SELECT count(*) FROM "user"), (SELECT count(*) FROM ledger_entry),
                   (SELECT count(*) FROM leaderboard_total),
                   pg_size_pretty(pg_total_relation_size(c.oid))
            FROM pg_class c WHERE relname IN ('user', 'ledger_entry', 'leaderboard_total')
            ORDER BY relname""")).all()
        settings = db.session.execute(text(
            "SELECT version(), current_setting('shared_buffers'), current_setting('work_mem'),"
            " current_setting('jit')")).one()
        recent = db.session.execute(text(
            "SELECT count(*) FILTER (WHERE period LIKE 'd%'),"
            " count(*) FILTER (WHERE period LIKE 'm%') FROM leaderboard_total")).one()
        db.session.rollback()
        counts = {"user": sizes[0][1], "ledger_entry": sizes[0][2],
                  "leaderboard_total": sizes[0][3]}
        print("\nData")
        for relname, *_, size in sizes:
            print(f"  {relname:<18} {counts[relname]:>12,} rows  {size:>9} with indexes")
        print(f"  leaderboard_total: {recent[0]:,} day rows, {recent[1]:,} month rows")
        print(f"  {settings[0].split(' on ')[0]}, shared_buffers {settings[1]}, "
              f"work_mem {settings[2]}, jit {settings[3]}")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"  host: {os.cpu_count()} CPUs, load average {load} (timings include it)")

        started = time.perf_counter()
        differences = verify()
        checked = time.perf_counter() - started
        db.session.rollback()
        print(f"\nverify(): {len(differences)} differences in {checked * 1000:.0f} ms", flush=True)
        for difference in differences[:10]:
            print(f"  {difference}")
        # not part of verify(): the period totals must add up to the reputation too
        started = time.perf_counter()
        off_totals = db.session.scalar(text("""
            SELECT count(*) FROM "user" u
            LEFT JOIN (SELECT member_id,
                              sum(points) FILTER (WHERE period LIKE 'm%') AS months,
                              sum(points) FILTER (WHERE period LIKE 'd%') AS days
                       FROM leaderboard_total GROUP BY member_id) t ON t.member_id = u.id
            WHERE coalesce(t.months, 0) <> u.reputation OR coalesce(t.days, 0) <> u.reputation
        """))
        db.session.rollback()
        print(f"leaderboard totals: {off_totals} members whose month or day totals do not "
              f"add up to their reputation ({(time.perf_counter() - started) * 1000:.0f} ms)")
        if differences or off_totals:
            print("FAILED: the generated data is not consistent with the ledger")
            return 1

    measure(app, args.runs)
    if not args.no_http:
        measure_http(app, args.runs)
    print(f"\ndone; data generation took {generated:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
