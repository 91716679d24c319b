"""Scale benchmark: test devices (CSV import, inventory list, overdue returns, roster).

    python -m bench.logistics [--devices N] [--loans N] [--testers N] [--rows N] [--quick]
                              [--runs N] [--database-url URL]

The database (default testlab_bench_logistics on 127.0.0.1:5432) is dropped and created
again, migrated, and filled in one transaction with set-based SQL: a phone campaign in
testing whose confirmed testers have a device each (reserved, shipped or with them; every
tenth still waits for one), a router campaign in evaluation whose testers were asked to
send their device back (due dates spread around today, so about two thirds are overdue,
and a third announced their parcel back), and the rest of the inventory (phones with
valid IMEIs, routers and watches; mostly in stock, some returned, lost or given away),
each device with the event that added it. Then the services the staff pages call are
timed inside a request context, each run rolled back: the CSV import of a new delivery
(new serials and IMEIs each run), the check of a file with one bad row (nothing
imported), the first page of the inventory list with its count and the counts per
status, the first page of the overdue returns, and the roster of the phone campaign.
Numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.leaderboard import DEFAULT_URL as LEADERBOARD_URL
from bench.leaderboard import (
    fresh_app,
    header,
    psycopg_url,
    report,
    shown,
    statements,
    timed,
)
from lab.logistics.identifiers import check_digit

DEFAULT_URL = LEADERBOARD_URL + "_logistics"
DEFAULT_DEVICES, DEFAULT_LOANS, DEFAULT_TESTERS, DEFAULT_ROWS = 30_000, 2_000, 1_000, 10_000
QUICK_DIVISOR = 10
PER_PAGE = 50  # as the inventory list and the overdue page (lab.logistics.staff_views)
IMEI_TAC = "35209900"
# the numbers behind the IMEIs of the import runs start here, above the generated devices'
IMPORT_BASE = 500_000


def imei_for(number: int) -> str:
    """A valid IMEI (Luhn check digit) made from a running number."""
    body = f"{IMEI_TAC}{number:06d}"
    return body + check_digit(body)


# Staff member 1; the phone campaign's testers 2 .. t + 1 (applications 1 .. t), the
# router campaign's testers t + 2 .. t + l + 1 (applications t + 1 .. t + l). Devices
# 1 .. t are the phones of campaign 1 (device i for tester i), t + 1 .. t + l the routers
# of campaign 2, the rest the inventory around them. Assignment ids equal device ids.
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
           'bench-' || md5(g::text), %(now)s::timestamp - interval '400 days',
           %(now)s::timestamp - interval '400 days'
    FROM generate_series(2, %(t)s + %(l)s + 1) AS g;
    INSERT INTO product (id, name, maker, category, created_at, updated_at)
    VALUES (1, 'Phone X', 'Maker', 'smartphone', %(now)s, %(now)s),
           (2, 'Router Y', 'Maker', 'router', %(now)s, %(now)s),
           (3, 'Watch Z', 'Maker', 'wearable', %(now)s, %(now)s);
    INSERT INTO campaign (id, slug, title, product_id, summary, description, slots, slots_taken,
                          applications_open_at, applications_close_at, test_starts_at,
                          test_ends_at, device_policy, eligibility, terms, terms_version,
                          completion_points, confirm_days, state, ranking_seed, created_by_id,
                          created_at, updated_at)
    VALUES (1, 'phones', 'The phone campaign', 1, 'Testing', '', %(t)s, %(t)s,
            %(now)s::timestamp - interval '60 days', %(now)s::timestamp - interval '45 days',
            %(now)s::timestamp - interval '30 days', %(now)s::timestamp + interval '30 days',
            'keep', '[]', 'Terms', 1, 50, 5, 'testing', 'bench-1', 1,
            %(now)s::timestamp - interval '70 days', %(now)s),
           (2, 'routers', 'The router campaign', 2, 'Evaluation', '', %(l)s, %(l)s,
            %(now)s::timestamp - interval '150 days', %(now)s::timestamp - interval '135 days',
            %(now)s::timestamp - interval '120 days', %(now)s::timestamp - interval '20 days',
            'return', '[]', 'Terms', 1, 50, 5, 'evaluation', 'bench-2', 1,
            %(now)s::timestamp - interval '160 days', %(now)s);
    INSERT INTO application (id, campaign_id, member_id, status, answers, unmet_rules,
                             terms_version, terms_accepted_at, submitted_at, eligible,
                             offered_at, confirmed_at, created_at, updated_at)
    SELECT g - 1, CASE WHEN g <= %(t)s + 1 THEN 1 ELSE 2 END, g, 'confirmed', '{}', '[]', 1,
           at, at, true, at + interval '10 days', at + interval '11 days' + g * interval '1 s',
           at, at + interval '11 days'
    FROM generate_series(2, %(t)s + %(l)s + 1) AS g
    CROSS JOIN LATERAL (SELECT %(now)s::timestamp - CASE WHEN g <= %(t)s + 1
                               THEN interval '55 days' ELSE interval '145 days' END) AS s(at);
    CREATE TEMP TABLE bench_device AS
    SELECT g AS id, random() AS r_status, random() AS r_product, random() AS r_condition,
           random() AS r_due, random() AS r_back
    FROM generate_series(1, %(d)s) AS g;
    ALTER TABLE bench_device ADD COLUMN product_id int, ADD COLUMN status text,
                             ADD COLUMN campaign_id int, ADD COLUMN holder_id int;
    UPDATE bench_device SET
        product_id = CASE WHEN id <= %(t)s THEN 1 WHEN id <= %(t)s + %(l)s THEN 2
                          WHEN r_product < 0.5 THEN 1 WHEN r_product < 0.8 THEN 2 ELSE 3 END,
        status = CASE WHEN id <= %(t)s THEN
                          CASE WHEN id %% 10 = 0 THEN 'in_stock' WHEN r_status < 0.15
                               THEN 'reserved' WHEN r_status < 0.3 THEN 'shipped'
                               ELSE 'with_tester' END
                      WHEN id <= %(t)s + %(l)s THEN 'return_requested'
                      WHEN r_status < 0.8 THEN 'in_stock' WHEN r_status < 0.9 THEN 'returned'
                      WHEN r_status < 0.93 THEN 'lost' ELSE 'given_away' END;
    UPDATE bench_device SET campaign_id = CASE WHEN id <= %(t)s THEN 1 ELSE 2 END,
                            holder_id = id + 1
    WHERE id <= %(t)s + %(l)s AND status <> 'in_stock';
    INSERT INTO device (id, product_id, serial, imei, condition, notes, status, campaign_id,
                        holder_id, created_at, updated_at)
    SELECT id, product_id, 'SN-' || lpad(id::text, 7, '0'),
           CASE WHEN product_id = 1 THEN (%(imeis)s::text[])[id] END,
           CASE WHEN r_condition < 0.6 THEN 'new' WHEN r_condition < 0.85 THEN 'good'
                WHEN r_condition < 0.97 THEN 'worn' ELSE 'defective' END,
           CASE WHEN id %% 17 = 0 THEN 'Karton beschädigt' END, status, campaign_id, holder_id,
           %(now)s::timestamp - interval '200 days' + (id::float8 / %(d)s) * interval '190 days',
           %(now)s
    FROM bench_device ORDER BY id;
    INSERT INTO device_event (id, device_id, from_status, to_status, actor_id, reason,
                              created_at)
    SELECT id, id, NULL, 'in_stock', 1, 'import', created_at FROM device ORDER BY id;
    INSERT INTO device_assignment (id, device_id, campaign_id, application_id, member_id,
                                   assigned_by_id, received_at, return_requested_at,
                                   return_due_at, ended_at, outcome, created_at)
    SELECT d.id, d.id, d.campaign_id, d.id, d.holder_id, 1,
           CASE WHEN d.status IN ('with_tester', 'return_requested') THEN s.at + interval '2 days'
           END,
           CASE WHEN d.status = 'return_requested' THEN due - interval '14 days' END,
           CASE WHEN d.status = 'return_requested' THEN due END, NULL, NULL, s.at
    FROM bench_device d
    CROSS JOIN LATERAL (SELECT CASE WHEN d.id <= %(t)s THEN %(now)s::timestamp
                                    - interval '30 days' ELSE %(now)s::timestamp
                                    - interval '120 days' END,
                               %(now)s::timestamp - interval '20 days'
                               + r_due * interval '30 days') AS s(at, due)
    WHERE d.id <= %(t)s + %(l)s AND d.status <> 'in_stock'
    ORDER BY d.id;
    INSERT INTO shipment (id, assignment_id, direction, carrier, tracking_number, shipped_at,
                          delivered_at, created_by_id, created_at)
    SELECT a.id, a.id, 'out', 'dhl', '00340434' || lpad(a.id::text, 12, '0'),
           a.created_at + interval '5 hours', a.received_at, 1, a.created_at + interval '5 hours'
    FROM device_assignment a JOIN device d ON d.id = a.device_id
    WHERE d.status <> 'reserved' ORDER BY a.id;
    INSERT INTO shipment (id, assignment_id, direction, carrier, tracking_number, shipped_at,
                          created_by_id, created_at)
    SELECT %(d)s + a.id, a.id, 'back', 'hermes', 'H' || lpad(a.id::text, 19, '0'),
           a.return_requested_at + interval '3 days', a.member_id,
           a.return_requested_at + interval '3 days'
    FROM device_assignment a JOIN bench_device b ON b.id = a.device_id
    WHERE a.return_requested_at IS NOT NULL AND b.r_back < 0.33 ORDER BY a.id;
    DROP TABLE bench_device;
    SELECT setval(pg_get_serial_sequence('"user"', 'id'), %(t)s + %(l)s + 1);
    SELECT setval(pg_get_serial_sequence('product', 'id'), 3);
    SELECT setval(pg_get_serial_sequence('campaign', 'id'), 2);
    SELECT setval(pg_get_serial_sequence('application', 'id'), %(t)s + %(l)s);
    SELECT setval(pg_get_serial_sequence('device', 'id'), %(d)s);
    SELECT setval(pg_get_serial_sequence('device_event', 'id'), %(d)s);
    SELECT setval(pg_get_serial_sequence('device_assignment', 'id'),
                  (SELECT max(id) FROM device_assignment));
    SELECT setval(pg_get_serial_sequence('shipment', 'id'), (SELECT max(id) FROM shipment))
"""


def generate(url: str, devices: int, loans: int, testers: int, now) -> float:
    """Fill the migrated database in one transaction; return the seconds it took."""
    import psycopg

    params = {"d": devices, "l": loans, "t": testers, "now": now,
              "imeis": [imei_for(n) for n in range(1, devices + 1)]}
    started = time.perf_counter()
    with psycopg.connect(psycopg_url(url)) as conn:
        with conn.cursor() as cur:
            for statement in filter(str.strip, GENERATE.split(";")):
                cur.execute(statement, params if "%(" in statement else None)
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def delivery_csv(run: int, rows: int, bad_row: int | None = None) -> bytes:
    """A maker's delivery of new phones as Excel writes it (semicolons), new serials and
    IMEIs for each run; ``bad_row`` (a line of the file) gets a wrong IMEI check digit."""
    lines = ["product;serial;imei;condition;notes"]
    for n in range(rows):
        imei = imei_for(IMPORT_BASE + run * rows + n)
        if bad_row is not None and n + 2 == bad_row:
            imei = imei[:-1] + str((int(imei[-1]) + 1) % 10)
        lines.append(f"1;IMP{run}-{n:06d};{imei};new;")
    return ("\r\n".join(lines) + "\r\n").encode()


def describe_data(app) -> None:
    from sqlalchemy import text

    from lab.extensions import db

    with app.app_context():
        counts = db.session.execute(text("""
            SELECT (SELECT count(*) FROM device), (SELECT count(*) FROM device_assignment
                                                   WHERE ended_at IS NULL),
                   (SELECT count(*) FROM device_assignment WHERE ended_at IS NULL
                                                           AND return_due_at < now()),
                   (SELECT count(*) FROM shipment),
                   pg_size_pretty(pg_total_relation_size('device')),
                   current_setting('server_version'), current_setting('shared_buffers'),
                   current_setting('work_mem'), current_setting('jit')
        """)).one()
        db.session.rollback()
    devices, open_loans, overdue, shipments, size, version, buffers, work_mem, jit = counts
    print("\nData")
    print(f"  {devices:,} devices ({size}), {open_loans:,} open loans (about {overdue:,} "
          f"overdue), {shipments:,} shipments")
    print(f"  PostgreSQL {version}, shared_buffers {buffers}, work_mem {work_mem}, jit {jit}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  host: {os.cpu_count()} CPUs, load average {load} (timings include it)",
          flush=True)


def measure(app, runs: int, rows: int, imei_prefix: str) -> None:
    from sqlalchemy import func, select

    from lab.accounts.models import User
    from lab.campaigns.models import Campaign
    from lab.core.pagination import paginate
    from lab.extensions import db
    from lab.logistics import assignments, importer, inventory, shipping
    from lab.logistics.models import Device

    def actor() -> User:
        return db.session.get(User, 1)

    with app.test_request_context("/?page=1"):
        header(f"CSV import of {rows:,} phones ({runs} runs each, rolled back)")
        files = iter([delivery_csv(run, rows) for run in range(runs + 1)])
        sql_counts = []

        def import_all():
            result = importer.import_devices(actor(), next(files), filename="delivery.csv")
            return f"{result.imported:,} added"

        report("import_devices(): a good file", *timed(import_all, runs))
        sql_counts.append(("import_devices(): a good file", statements(import_all)))
        bad = delivery_csv(runs + 1, rows, bad_row=rows // 2)
        before = db.session.scalar(select(func.count(Device.id)))
        db.session.rollback()

        def check_bad():
            result = importer.import_devices(actor(), bad, filename="delivery.csv")
            added = db.session.scalar(select(func.count(Device.id))) - before
            return f"{len(result.errors)} error, {added} added"

        report("import_devices(): one bad row", *timed(check_bad, runs))

        header(f"Inventory list, first page of {PER_PAGE} with its count ({runs} runs each)")
        filter_sets = [("no filter", {}),
                       ("product + in stock", {"product_id": 1, "status": "in_stock"}),
                       ("return requested + campaign", {"status": "return_requested",
                                                        "campaign_id": 2}),
                       ("lost (few rows)", {"status": "lost"}),
                       ("serial contains '0012'", {"search": "0012"}),
                       (f"IMEI starts '{imei_prefix}'", {"search": imei_prefix})]
        for label, filters in filter_sets:
            def page(filters=filters):
                pagination = paginate(inventory.devices_query(**filters), per_page=PER_PAGE)
                return f"{len(pagination.items)}/{pagination.total:,}"

            report(f"devices_query {label}", *timed(page, runs))
        sql_counts.append(("inventory page + count", statements(
            lambda: paginate(inventory.devices_query(), per_page=PER_PAGE).items)))
        report("status_counts()", *timed(
            lambda: f"{sum(inventory.status_counts().values()):,}", runs))

        header(f"Overdue returns and the roster ({runs} runs each)")

        def overdue():
            pagination = paginate(shipping.overdue_returns_query(), per_page=PER_PAGE)
            announced = sum(loan.shipment("back") is not None for loan in pagination.items)
            return f"{len(pagination.items)}/{pagination.total:,} ({announced} back)"

        report(f"overdue_returns_query first {PER_PAGE} + count", *timed(overdue, runs))
        sql_counts.append(("overdue page + count", statements(overdue)))

        def roster():
            rows = assignments.roster(db.session.get(Campaign, 1))
            handles = {row.application.member.handle for row in rows}
            devices = sum(row.assignment is not None and bool(row.assignment.device.serial)
                          for row in rows)
            return f"{len(handles):,}/{devices:,}"

        report("roster(): testers/with a device", *timed(roster, runs))
        sql_counts.append(("roster() with handles and devices", statements(roster)))

        print("\nSQL statements per call")
        for label, count in sql_counts:
            print(f"  {label:<50} {count:>4}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.logistics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help=f"PostgreSQL database to DROP and recreate (default {DEFAULT_URL})")
    parser.add_argument("--devices", type=int, help=f"default {DEFAULT_DEVICES:,}")
    parser.add_argument("--loans", type=int,
                        help=f"open loans asked back (default {DEFAULT_LOANS:,})")
    parser.add_argument("--testers", type=int,
                        help=f"testers of the campaign in testing (default {DEFAULT_TESTERS:,})")
    parser.add_argument("--rows", type=int, help=f"rows of the imported CSV (default "
                                                 f"{DEFAULT_ROWS:,})")
    parser.add_argument("--quick", action="store_true", help="a tenth of the default sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    # accepted so that `make bench BENCH_ARGS=...` can pass the same flags to every benchmark
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--entries", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--applicants", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--reports", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--older-clocks", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-http", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    divisor = QUICK_DIVISOR if args.quick else 1
    testers = args.testers or DEFAULT_TESTERS // divisor
    loans = args.loans or DEFAULT_LOANS // divisor
    devices = max(args.devices or DEFAULT_DEVICES // divisor, testers + loans)
    rows = args.rows or DEFAULT_ROWS // divisor

    from lab.config import normalise_database_url
    from lab.core.clock import utcnow

    url = normalise_database_url(args.database_url)
    print(f"Logistics benchmark: {devices:,} devices, {loans:,} loans asked back, "
          f"{testers:,} testers, a CSV of {rows:,} rows, database {shown(url)}", flush=True)
    started = time.perf_counter()
    app = fresh_app(url)
    generated = generate(url, devices, loans, testers, utcnow())
    print(f"  data generated in {generated:.1f} s", flush=True)
    describe_data(app)
    # a hundred devices of the stock (about half of them phones) share this IMEI beginning
    imei_prefix = imei_for((testers + loans + devices) // 2)[:12]
    measure(app, args.runs, rows, imei_prefix)
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
