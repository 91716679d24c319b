"""Scale benchmark: a campaign's feedback (analytics, triage, response clocks, exports).

    python -m bench.feedback [--testers N] [--reports N] [--older-clocks N] [--quick]
                             [--runs N] [--database-url URL]

The database (default testlab_bench_feedback on 127.0.0.1:5432) is dropped and created
again, migrated, and filled in one transaction with set-based SQL: one campaign in
testing with its confirmed testers; two feedback forms of eight questions (one of each
kind) that every tester submitted with random answers; six tasks (four ticked off by
about half the testers, two done by submitting a form); reports of mixed kinds,
severities and statuses, each with its response clock (70% answered after a random
wait, 30% still waiting, most of them overdue); and older clocks answered over the last
year, so that the 30-day response times read a realistic slice. Then the services the
staff pages call are timed inside a request context, each run rolled back: the
analytics page, the first page of the reports table with its count, the dashboard's
overdue list and response times, and both response exports. Numbers are reported,
never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.leaderboard import DEFAULT_URL as LEADERBOARD_URL
from bench.leaderboard import (
    explain,
    fresh_app,
    header,
    psycopg_url,
    report,
    shown,
    statements,
    timed,
)

DEFAULT_URL = LEADERBOARD_URL + "_feedback"
DEFAULT_TESTERS, DEFAULT_REPORTS, DEFAULT_OLDER_CLOCKS = 2_000, 5_000, 100_000
QUICK_DIVISOR = 10
PER_PAGE = 50  # as the staff reports table and the dashboard's overdue list
REPORT_DAYS = 60  # reports were filed over the last 60 days
ANSWERED = 0.7  # share of reports with a staff response
OLDER_DAYS = 365  # the older clocks were answered over the last year

# one question of each kind per form: (kind, label, options)
QUESTIONS = (
    ("rating", "How do you rate the camera?", []),
    ("nps", "Would you recommend the phone to a friend?", []),
    ("single", "How often did you use it?", ["daily", "a few times a week", "rarely"]),
    ("multiple", "Which features did you use?", ["camera", "GPS", "NFC"]),
    ("short_text", "What did you like most?", []),
    ("long_text", "Describe a typical day with the phone", []),
    ("yes_no", "Would you buy it?", []),
    ("number", "How many hours did the battery last?", []),
)
SHORT_TEXTS = ["The camera", "Battery life", "The screen", "Fast charging", "The size"]

# Staff member 1, testers 2 .. n + 1, campaign 1 in testing, forms 1 and 2 with
# questions 1-8 and 9-16, tasks 1-6, reports 1 .. r with clocks 1 .. r, then the older
# clocks. Random values come from temporary tables (volatile columns are computed per
# row there, never once for a whole uncorrelated subquery).
GENERATE = """
    SELECT setseed(0.42);
    INSERT INTO "user" (id, email, handle, handle_key, password, active, fs_uniquifier,
                        confirmed_at, created_at)
    VALUES (1, 'bench-staff@example.org', 'BenchStaff', 'benchstaff', NULL, true,
            'bench-staff', %(now)s::timestamp - interval '1000 days',
            %(now)s::timestamp - interval '1000 days');
    INSERT INTO "user" (id, email, handle, handle_key, password, active, fs_uniquifier,
                        confirmed_at, created_at)
    SELECT g, 'bench' || g || '@example.org', 'Bench' || g, 'bench' || g, NULL, true,
           'bench-' || md5(g::text), joined, joined
    FROM generate_series(2, %(n)s + 1) AS g
    CROSS JOIN LATERAL (SELECT %(now)s::timestamp - interval '900 days'
                               + (g::float8 / %(n)s) * interval '800 days') AS j(joined);
    INSERT INTO product (id, name, maker, category, created_at, updated_at)
    VALUES (1, 'Phone X', 'Maker', 'smartphone', %(now)s, %(now)s);
    INSERT INTO campaign (id, slug, title, product_id, summary, description, slots, slots_taken,
                          applications_open_at, applications_close_at, test_starts_at,
                          test_ends_at, device_policy, eligibility, terms, terms_version,
                          completion_points, confirm_days, state, ranking_seed, created_by_id,
                          created_at, updated_at)
    VALUES (1, 'bench', 'The benchmark campaign', 1, 'Testing', '', %(n)s, %(n)s,
            %(now)s::timestamp - interval '90 days', %(now)s::timestamp - interval '75 days',
            %(now)s::timestamp - interval '60 days', %(now)s::timestamp + interval '30 days',
            'return', '[]', 'Terms', 1, 50, 5, 'testing', 'bench-seed', 1,
            %(now)s::timestamp - interval '100 days', %(now)s);
    INSERT INTO application (id, campaign_id, member_id, status, answers, unmet_rules,
                             terms_version, terms_accepted_at, submitted_at, eligible,
                             offered_at, confirmed_at, created_at, updated_at)
    SELECT g - 1, 1, g, 'confirmed', '{}', '[]', 1,
           %(now)s::timestamp - interval '80 days', %(now)s::timestamp - interval '80 days',
           true, %(now)s::timestamp - interval '70 days', %(now)s::timestamp - interval '68 days',
           %(now)s::timestamp - interval '80 days', %(now)s::timestamp - interval '68 days'
    FROM generate_series(2, %(n)s + 1) AS g;
    INSERT INTO feedback_form (id, campaign_id, title, intro, opens_at, due_at, created_at,
                               updated_at)
    VALUES (1, 1, 'First impressions', 'Tell us about the first weeks.',
            %(now)s::timestamp - interval '55 days', %(now)s::timestamp - interval '25 days',
            %(now)s::timestamp - interval '58 days', %(now)s::timestamp - interval '58 days'),
           (2, 1, 'A month later', 'How is it going?',
            %(now)s::timestamp - interval '20 days', %(now)s::timestamp + interval '10 days',
            %(now)s::timestamp - interval '22 days', %(now)s::timestamp - interval '22 days');
    INSERT INTO feedback_question (id, form_id, position, kind, label, help_text, required,
                                   options)
    SELECT (f - 1) * %(q)s + p, f, p - 1, (%(kinds)s::text[])[p],
           (%(labels)s::text[])[p] || CASE WHEN f = 2 THEN ' (a month later)' ELSE '' END,
           NULL, true, (%(options)s::text[])[p]::json
    FROM generate_series(1, 2) AS f, generate_series(1, %(q)s) AS p;
    CREATE TEMP TABLE bench_answer AS
    SELECT f AS form_id, g AS member_id, random() AS r1, random() AS r2, random() AS r3,
           random() AS r4, random() AS r5, random() AS r6, random() AS r7, random() AS r8,
           random() AS r_at
    FROM generate_series(1, 2) AS f, generate_series(2, %(n)s + 1) AS g;
    INSERT INTO feedback_response (id, form_id, member_id, answers, submitted_at, created_at,
                                   updated_at)
    SELECT row_number() OVER (ORDER BY form_id, at), form_id, member_id, json_build_object(
        (base + 1)::text, json_build_object('label', l[1], 'kind', 'rating',
                                            'value', 1 + floor(r1 * 5)::int),
        (base + 2)::text, json_build_object('label', l[2], 'kind', 'nps',
                                            'value', floor(r2 * 11)::int),
        (base + 3)::text, json_build_object('label', l[3], 'kind', 'single',
                                            'value', (%(single)s::text[])[1 + floor(r3 * 3)::int]),
        (base + 4)::text, json_build_object('label', l[4], 'kind', 'multiple', 'value',
            (SELECT json_agg(o ORDER BY i) FROM unnest(%(multiple)s::text[])
                 WITH ORDINALITY AS t(o, i)
             WHERE ((1 + floor(r4 * 7)::int) >> (i::int - 1)) & 1 = 1)),
        (base + 5)::text, json_build_object('label', l[5], 'kind', 'short_text',
                                            'value', (%(short)s::text[])[1 + floor(r5 * 5)::int]),
        (base + 6)::text, json_build_object('label', l[6], 'kind', 'long_text',
            'value', 'Used it from morning to night. '
                     || repeat('Photos outside, navigation on the way to work, music. ',
                               1 + floor(r6 * 6)::int)),
        (base + 7)::text, json_build_object('label', l[7], 'kind', 'yes_no',
                                            'value', CASE WHEN r7 < 0.6 THEN 'yes' ELSE 'no' END),
        (base + 8)::text, json_build_object('label', l[8], 'kind', 'number',
                                            'value', 8 + floor(r8 * 40)::int)),
           at, at - interval '20 minutes', at
    FROM bench_answer a
    CROSS JOIN LATERAL (SELECT (a.form_id - 1) * %(q)s,
                               ARRAY(SELECT label FROM feedback_question
                                     WHERE form_id = a.form_id ORDER BY position),
                               CASE WHEN a.form_id = 1
                                    THEN %(now)s::timestamp - interval '55 days'
                                         + r_at * interval '30 days'
                                    ELSE %(now)s::timestamp - r_at * interval '20 days' END
                        ) AS s(base, l, at);
    DROP TABLE bench_answer;
    INSERT INTO test_task (id, campaign_id, position, title, description, due_at, form_id,
                           created_at, updated_at)
    SELECT t, 1, t - 1, 'Task ' || t, 'What to try in this step.',
           %(now)s::timestamp - interval '50 days' + t * interval '10 days',
           CASE t WHEN 5 THEN 1 WHEN 6 THEN 2 END,
           %(now)s::timestamp - interval '60 days', %(now)s::timestamp - interval '60 days'
    FROM generate_series(1, 6) AS t;
    INSERT INTO test_task_done (id, task_id, member_id, created_at)
    SELECT row_number() OVER (ORDER BY t, g), t, g,
           %(now)s::timestamp - interval '55 days' + t * interval '8 days'
    FROM generate_series(1, 4) AS t, generate_series(2, %(n)s + 1) AS g
    WHERE random() < 0.5;
    -- reports: numbered in the order they were filed
    CREATE TEMP TABLE bench_report AS
    SELECT row_number() OVER (ORDER BY started) AS id, *
    FROM (SELECT %(now)s::timestamp - random() * %(report_days)s * interval '1 day' AS started,
                 random() AS r_kind, random() AS r_severity, random() AS r_answered,
                 random() AS r_wait, random() AS r_status, random() AS r_me_too,
                 random() AS r_member
          FROM generate_series(1, %(reports)s)) s;
    ALTER TABLE bench_report ADD COLUMN kind text, ADD COLUMN severity text,
                             ADD COLUMN hours int;
    UPDATE bench_report SET
        kind = CASE WHEN r_kind < 0.7 THEN 'bug' WHEN r_kind < 0.9 THEN 'idea'
                    ELSE 'praise' END,
        severity = CASE WHEN r_kind >= 0.7 THEN NULL WHEN r_severity < 0.05 THEN 'critical'
                        WHEN r_severity < 0.25 THEN 'major' WHEN r_severity < 0.7 THEN 'minor'
                        ELSE 'cosmetic' END;
    UPDATE bench_report SET hours = CASE severity WHEN 'critical' THEN 4 WHEN 'major' THEN 24
                                                   ELSE 72 END;
    INSERT INTO feedback_report (id, campaign_id, member_id, kind, title, severity, steps,
                                 expected, actual, description, device, version, status,
                                 duplicate_of_id, me_too_count, created_at, updated_at)
    SELECT id, 1, 2 + floor(r_member * %(n)s)::int, kind,
           initcap(kind) || ' ' || id || ': ' || (ARRAY['camera freezes', 'battery drains',
               'screen flickers', 'GPS is off', 'app crashes', 'NFC payment fails'])
               [1 + id %% 6],
           severity,
           CASE WHEN kind = 'bug' THEN '1. Open the camera 2. Switch to video 3. Wait' END,
           CASE WHEN kind = 'bug' THEN 'It records.' END,
           CASE WHEN kind = 'bug' THEN 'It stops after a few seconds.' END,
           CASE WHEN kind <> 'bug' THEN 'It would be nice if the phone did this.' END,
           'Phone X', '1.0.' || id %% 7,
           CASE WHEN r_answered >= %(answered)s THEN 'new'
                WHEN r_status < 0.25 THEN 'acknowledged' WHEN r_status < 0.5 THEN 'forwarded'
                WHEN r_status < 0.7 THEN 'fixed' WHEN r_status < 0.8 THEN 'wont_fix'
                WHEN r_status < 0.92 AND id > 1 THEN 'duplicate' ELSE 'invalid' END,
           CASE WHEN r_answered < %(answered)s AND r_status >= 0.8 AND r_status < 0.92
                     AND id > 1 THEN 1 + floor(r_wait * (id - 1))::int END,
           floor(power(r_me_too, 3) * 30)::int, started, started
    FROM bench_report ORDER BY id;
    INSERT INTO response_clock (id, subject_kind, subject_id, category, target_minutes,
                                started_at, due_at, escalate_at, responded_at, responder_id,
                                escalated_at)
    SELECT id, 'report', id, severity, hours * 60, started,
           started + hours * interval '1 hour', started + 3 * hours * interval '1 hour',
           responded, CASE WHEN responded IS NOT NULL THEN 1 END,
           CASE WHEN responded IS NULL
                     AND started + 3 * hours * interval '1 hour' < %(now)s::timestamp
                                                                  - interval '10 minutes'
                THEN started + 3 * hours * interval '1 hour' + interval '10 minutes' END
    FROM bench_report
    CROSS JOIN LATERAL (SELECT CASE WHEN r_answered < %(answered)s THEN
        least(started + r_wait * 2 * hours * interval '1 hour', %(now)s::timestamp) END
        ) AS w(responded)
    ORDER BY id;
    UPDATE feedback_report r SET updated_at = c.responded_at
    FROM response_clock c WHERE c.id = r.id AND c.responded_at IS NOT NULL;
    DROP TABLE bench_report;
    -- older clocks, answered over the last year: reports of earlier campaigns (not
    -- generated) and community questions
    CREATE TEMP TABLE bench_clock AS
    SELECT %(reports)s + g AS id, CASE WHEN g %% 10 < 7 THEN 'report' ELSE 'question' END AS kind,
           random() AS r_category, random() AS r_wait,
           %(now)s::timestamp - random() * %(older_days)s * interval '1 day' AS responded
    FROM generate_series(1, %(older)s) AS g;
    INSERT INTO response_clock (id, subject_kind, subject_id, category, target_minutes,
                                started_at, due_at, escalate_at, responded_at, responder_id)
    SELECT id, kind, id, category, hours * 60, started, started + hours * interval '1 hour',
           started + 3 * hours * interval '1 hour', responded, 1
    FROM bench_clock
    CROSS JOIN LATERAL (SELECT CASE WHEN kind = 'question' THEN NULL
                                    WHEN r_category < 0.05 THEN 'critical'
                                    WHEN r_category < 0.25 THEN 'major'
                                    WHEN r_category < 0.7 THEN 'minor' ELSE 'cosmetic' END
                        ) AS c(category)
    CROSS JOIN LATERAL (SELECT CASE WHEN kind = 'question' THEN 24
                                    WHEN category = 'critical' THEN 4
                                    WHEN category = 'major' THEN 24 ELSE 72 END) AS h(hours)
    CROSS JOIN LATERAL (SELECT responded - r_wait * 2 * hours * interval '1 hour') AS s(started)
    ORDER BY id;
    DROP TABLE bench_clock;
    SELECT setval(pg_get_serial_sequence('"user"', 'id'), %(n)s + 1);
    SELECT setval(pg_get_serial_sequence('product', 'id'), 1);
    SELECT setval(pg_get_serial_sequence('campaign', 'id'), 1);
    SELECT setval(pg_get_serial_sequence('application', 'id'), %(n)s);
    SELECT setval(pg_get_serial_sequence('feedback_form', 'id'), 2);
    SELECT setval(pg_get_serial_sequence('feedback_question', 'id'), 2 * %(q)s);
    SELECT setval(pg_get_serial_sequence('feedback_response', 'id'),
                  (SELECT max(id) FROM feedback_response));
    SELECT setval(pg_get_serial_sequence('test_task', 'id'), 6);
    SELECT setval(pg_get_serial_sequence('test_task_done', 'id'),
                  (SELECT coalesce(max(id), 1) FROM test_task_done));
    SELECT setval(pg_get_serial_sequence('feedback_report', 'id'), %(reports)s);
    SELECT setval(pg_get_serial_sequence('response_clock', 'id'),
                  (SELECT max(id) FROM response_clock))
"""


def generate(url: str, testers: int, reports: int, older: int, now) -> float:
    """Fill the migrated database in one transaction; return the seconds it took."""
    import json

    import psycopg

    params = {
        "n": testers,
        "reports": reports,
        "older": older,
        "now": now,
        "q": len(QUESTIONS),
        "kinds": [kind for kind, _, _ in QUESTIONS],
        "labels": [label for _, label, _ in QUESTIONS],
        "options": [json.dumps(options) for _, _, options in QUESTIONS],
        "single": QUESTIONS[2][2],
        "multiple": QUESTIONS[3][2],
        "short": SHORT_TEXTS,
        "report_days": REPORT_DAYS,
        "answered": ANSWERED,
        "older_days": OLDER_DAYS,
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


def describe_data(app, now) -> None:
    from sqlalchemy import text

    from lab.extensions import db

    with app.app_context():
        counts = db.session.execute(text("""
            SELECT (SELECT count(*) FROM application),
                   (SELECT count(*) FROM feedback_response),
                   (SELECT count(*) FROM test_task_done),
                   (SELECT count(*) FROM feedback_report),
                   (SELECT count(*) FROM response_clock),
                   (SELECT count(*) FROM response_clock
                    WHERE responded_at IS NULL AND stopped_at IS NULL),
                   (SELECT count(*) FROM response_clock
                    WHERE responded_at IS NULL AND stopped_at IS NULL AND due_at < :now),
                   (SELECT count(*) FROM response_clock
                    WHERE responded_at >= :now - interval '30 days'),
                   pg_size_pretty(pg_total_relation_size('feedback_response')),
                   pg_size_pretty(pg_total_relation_size('response_clock')),
                   current_setting('server_version'), current_setting('shared_buffers'),
                   current_setting('work_mem'), current_setting('jit')
        """), {"now": now}).one()
        db.session.rollback()
    (testers, responses, done, reports, clocks, waiting, overdue, recent, responses_size,
     clocks_size, version, shared_buffers, work_mem, jit) = counts
    print("\nData")
    print(f"  {testers:,} confirmed testers, {responses:,} submitted responses "
          f"({responses_size}), {done:,} tasks ticked off")
    print(f"  {reports:,} reports; {clocks:,} response clocks ({clocks_size}): "
          f"{waiting:,} waiting, about {overdue:,} overdue, {recent:,} answered in 30 days")
    print(f"  PostgreSQL {version}, shared_buffers {shared_buffers}, work_mem {work_mem}, "
          f"jit {jit}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  host: {os.cpu_count()} CPUs, load average {load} (timings include it)",
          flush=True)


def measure(app, runs: int) -> None:
    from sqlalchemy import func, select

    from lab.campaigns.models import Campaign
    from lab.core.clock import utcnow
    from lab.core.export import csv_lines, xlsx_bytes
    from lab.core.pagination import paginate_rows
    from lab.extensions import db
    from lab.feedback import analytics, exports, triage
    from lab.notify import clocks
    from lab.notify.models import ResponseClock

    def campaign() -> Campaign:
        return db.session.get(Campaign, 1)

    with app.test_request_context("/?page=1"):
        header(f"Staff pages: the services they call ({runs} runs each, rolled back)")

        def analytics_page():
            result = analytics.for_campaign(campaign())
            return f"{sum(form.submitted for form in result.forms):,} responses"

        report("analytics.for_campaign()", *timed(analytics_page, runs))
        sql_counts = [("analytics.for_campaign()", statements(analytics_page))]

        # the page's default (staff_triage_views: open reports, unanswered first), then others
        default = triage.ReportFilters(status="open", sort="waiting")
        filter_sets = [("open, waiting first", default),
                       ("all, waiting first", triage.ReportFilters(sort="waiting")),
                       ("bugs by severity", triage.ReportFilters(kind="bug", sort="severity")),
                       ("title contains 'camera'", triage.ReportFilters(search="camera"))]
        for label, filters in filter_sets:
            def reports_page(filters=filters):
                pagination = paginate_rows(triage.reports_query(1, filters), per_page=PER_PAGE)
                return f"{len(pagination.items)}/{pagination.total:,}"

            report(f"reports {label}: page + count", *timed(reports_page, runs))
        sql_counts.append(("reports table page + count", statements(
            lambda: paginate_rows(triage.reports_query(1, default), per_page=PER_PAGE).total)))

        def overdue():
            items, total = clocks.overdue(limit=PER_PAGE)
            return f"{len(items)}/{total:,}"

        report(f"clocks.overdue(limit={PER_PAGE})", *timed(overdue, runs))
        sql_counts.append(("clocks.overdue()", statements(overdue)))

        def response_times():
            times = clocks.response_times(30)
            return f"{times.count:,} answered"

        report("clocks.response_times(30)", *timed(response_times, runs))

        header(f"Exports of the submitted responses ({runs} runs each)")

        def csv_export():
            head, rows = exports.responses_long(campaign())
            size = sum(len(line.encode()) for line in csv_lines(head, rows))
            return f"{size / 1024:,.0f} KiB"

        report("responses CSV (responses_long + csv_lines)", *timed(csv_export, runs))
        rows = len(exports.responses_long(campaign())[1])
        db.session.rollback()
        print(f"  ({rows:,} rows: one per answer)")

        def xlsx_export():
            return f"{len(xlsx_bytes(exports.responses_sheets(campaign()))) / 1024:,.0f} KiB"

        report("responses XLSX (responses_sheets + xlsx_bytes)", *timed(xlsx_export, runs))

        print("\nSQL statements per call")
        for label, count in sql_counts:
            print(f"  {label:<50} {count:>4}")

        waiting = clocks._waiting().where(ResponseClock.due_at < utcnow())
        explain("clocks.overdue(): the page of clocks",
                waiting.order_by(ResponseClock.due_at, ResponseClock.id).limit(PER_PAGE))
        explain("clocks.overdue(): the count",
                select(func.count()).select_from(waiting.subquery()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feedback", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help=f"PostgreSQL database to DROP and recreate (default {DEFAULT_URL})")
    parser.add_argument("--testers", type=int, help=f"default {DEFAULT_TESTERS:,}")
    parser.add_argument("--reports", type=int, help=f"default {DEFAULT_REPORTS:,}")
    parser.add_argument("--older-clocks", type=int,
                        help=f"answered clocks of the last year (default "
                             f"{DEFAULT_OLDER_CLOCKS:,})")
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the default sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    # accepted so that `make bench BENCH_ARGS=...` can pass the same flags to every benchmark
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--entries", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--applicants", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-http", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    divisor = QUICK_DIVISOR if args.quick else 1
    testers = args.testers or DEFAULT_TESTERS // divisor
    reports = args.reports or DEFAULT_REPORTS // divisor
    older = args.older_clocks if args.older_clocks is not None \
        else DEFAULT_OLDER_CLOCKS // divisor

    from lab.config import normalise_database_url
    from lab.core.clock import utcnow

    url = normalise_database_url(args.database_url)
    print(f"Feedback benchmark: {testers:,} testers, {reports:,} reports, {older:,} older "
          f"clocks, database {shown(url)}", flush=True)
    started = time.perf_counter()
    app = fresh_app(url)
    now = utcnow()
    generated = generate(url, testers, reports, older, now)
    print(f"  data generated in {generated:.1f} s", flush=True)
    describe_data(app, now)
    measure(app, args.runs)
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
