"""Scale benchmark: the community (question list, a thread, search, similar questions,
the moderation queue) on PostgreSQL.

    python -m bench.community [--questions N] [--answers N] [--votes N] [--authors N]
                              [--quick] [--runs N] [--database-url URL]

The database (default testlab_bench_community on 127.0.0.1:5432) is dropped and created
again, migrated, and filled in one transaction with set-based SQL (not through the
services): members and three staff, questions over two years written from the German
templates of the demo (lab.community.demo) with their tags, answers (some official,
a few hidden) spread over the questions plus one long thread, helpful votes (skewed
towards a few answers, the long thread's among them), "me too", solutions (the most
helpful answer of about 45% of the answered questions), flags (some still open) and
knowledge-base articles; every counter is computed from its rows. A rare word stands in
a few dozen questions. Then what the pages call is timed inside a request context, each
run rolled back, and the SQL statements of one call are counted: the list's first page
with its count for each sort order (and for a category and a tag), a thread's data (the
question, its answers in order, the answers the reader voted for, flagged, joined, the
article), search for a common and a rare word (first page and count), the similar
questions for a title being typed, and the first page of the moderation queue.
Numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from types import SimpleNamespace

from bench.leaderboard import DEFAULT_URL as LEADERBOARD_URL
from bench.leaderboard import fresh_app, psycopg_url, shown, statements, timed

DEFAULT_URL = LEADERBOARD_URL + "_community"
DEFAULT_QUESTIONS, DEFAULT_ANSWERS, DEFAULT_VOTES = 20_000, 60_000, 100_000
DEFAULT_AUTHORS = 5_000
QUICK_DIVISOR = 10
STAFF = 3  # users 1 .. 3 are staff, the members follow
LONG_THREAD = 500  # answers of the long thread (question 1), part of --answers
RARE_EVERY = 500  # every n-th question mentions the rare word
COMMON_WORD, RARE_WORD = "WLAN", "Zwischenstecker"
TYPED_TITLE = "FRITZ!Box verliert ständig die DSL-Verbindung"
VARIANTS_PER_TITLE = 6

ROW = "{:<50} {:>16} {:>10} {:>9} {:>6}"


def texts(seed: int = 42) -> dict[str, list]:
    """The demo's templates filled in a few ways each: titles, bodies, category slugs,
    tags (comma separated) of the question variants, and answer bodies."""
    from lab.community import demo

    rng = random.Random(seed)
    story = SimpleNamespace(rng=rng)  # what demo._words draws from
    titles, bodies, categories, tags = [], [], [], []
    for topic in demo.TOPICS:
        for title in topic.titles:
            for _ in range(VARIANTS_PER_TITLE):
                words = demo._words(story)
                titles.append(title.format(**words))
                bodies.append(topic.body.format(**words) + "\n\n" + rng.choice(demo.THANKS)
                              .format(**words))
                categories.append(topic.category)
                tags.append(",".join(topic.tags))
    answers = [fix for topic in demo.TOPICS for fix in topic.fixes]
    answers += [reply.format(city=city) for reply in demo.REPLIES for city in demo.CITIES[:3]]
    return {"titles": titles, "bodies": bodies, "categories": categories, "tags": tags,
            "tag_names": sorted({name for names in tags for name in names.split(",")}),
            "answers": answers}


# Users 1 .. STAFF are staff (their answers are official), STAFF + 1 .. STAFF + n members.
# Question 1 is the long thread: its LONG_THREAD answers are answers 1 .. LONG_THREAD.
GENERATE = """
    SELECT setseed(0.42);
    INSERT INTO "user" (id, email, handle, handle_key, password, active, fs_uniquifier,
                        confirmed_at, created_at)
    SELECT g, 'community' || g || '@example.org', 'Mitglied' || g, 'mitglied' || g, NULL,
           true, 'community-' || md5(g::text), %(now)s::timestamp - interval '800 days',
           %(now)s::timestamp - interval '800 days'
    FROM generate_series(1, %(staff)s + %(m)s) AS g;
    INSERT INTO role (name, description) VALUES ('staff', 'Team')
    ON CONFLICT (name) DO NOTHING;
    INSERT INTO roles_users (user_id, role_id)
    SELECT g, (SELECT id FROM role WHERE name = 'staff') FROM generate_series(1, %(staff)s) g;
    INSERT INTO community_tag (id, name)
    SELECT i, name FROM unnest(%(tag_names)s::text[]) WITH ORDINALITY AS t(name, i);
    CREATE TEMP TABLE bench_q AS
    SELECT g AS id, 1 + floor(random() * %(variants)s)::int AS variant,
           %(staff)s + 1 + floor(%(m)s * power(random(), 2))::int AS author_id,
           CASE WHEN g = 1 THEN %(now)s::timestamp - interval '300 days'
                ELSE %(now)s::timestamp - (1 - g::float8 / %(q)s) * interval '730 days'
                     - random() * interval '2 hours' END AS created_at
    FROM generate_series(1, %(q)s) AS g;
    INSERT INTO community_question (id, author_id, category_id, title, body, body_html,
                                    answer_count, me_too_count, last_activity_at, hidden_at,
                                    hidden_by_id, hidden_reason, created_at, updated_at)
    SELECT q.id, q.author_id, c.id, (%(titles)s::text[])[q.variant],
           (%(bodies)s::text[])[q.variant]
               || CASE WHEN q.id %% %(rare_every)s = 7
                       THEN ' Der Zwischenstecker im Flur war es übrigens nicht.' ELSE '' END,
           '<p>' || (%(bodies)s::text[])[q.variant] || '</p>', 0, 0, q.created_at,
           CASE WHEN q.id %% 400 = 0 THEN q.created_at + interval '1 day' END,
           CASE WHEN q.id %% 400 = 0 THEN 1 END,
           CASE WHEN q.id %% 400 = 0 THEN 'Werbung' END,
           q.created_at, q.created_at
    FROM bench_q q
    JOIN community_category c ON c.slug = (%(categories)s::text[])[q.variant]
    ORDER BY q.id;
    INSERT INTO community_question_tag (question_id, tag_id)
    SELECT DISTINCT q.id, t.id FROM bench_q q
    CROSS JOIN LATERAL unnest(string_to_array((%(tags)s::text[])[q.variant], ',')) AS n(name)
    JOIN community_tag t ON t.name = n.name;
    CREATE TEMP TABLE bench_a AS
    SELECT g AS id,
           CASE WHEN g <= %(long)s THEN 1 ELSE 1 + floor(random() * %(q)s)::int END
               AS question_id,
           CASE WHEN random() < 0.08 THEN 1 + floor(random() * %(staff)s)::int
                ELSE %(staff)s + 1 + floor(%(m)s * power(random(), 1.5))::int END AS author_id,
           1 + floor(random() * %(answer_texts)s)::int AS text, random() AS r
    FROM generate_series(1, %(a)s) AS g;
    INSERT INTO community_answer (id, question_id, author_id, official, helpful_count, body,
                                  body_html, hidden_at, hidden_by_id, hidden_reason,
                                  created_at, updated_at)
    SELECT a.id, a.question_id, a.author_id, a.author_id <= %(staff)s, 0,
           (%(answers)s::text[])[a.text], '<p>' || (%(answers)s::text[])[a.text] || '</p>',
           CASE WHEN a.id %% 300 = 0 THEN s.at + interval '1 hour' END,
           CASE WHEN a.id %% 300 = 0 THEN 1 END,
           CASE WHEN a.id %% 300 = 0 THEN 'Bitte sachlich bleiben.' END, s.at, s.at
    FROM bench_a a JOIN bench_q q ON q.id = a.question_id
    CROSS JOIN LATERAL (SELECT least(q.created_at + a.r * interval '3 days'
                                     + a.id * interval '1 millisecond',
                                     %(now)s::timestamp - interval '1 minute')) AS s(at)
    ORDER BY a.id;
    INSERT INTO community_vote (answer_id, voter_id, author_id, paid_key, created_at)
    SELECT DISTINCT ON (v.answer_id, v.voter_id) v.answer_id, v.voter_id, a.author_id,
           'helpful-vote:' || v.answer_id || ':' || v.voter_id,
           a.created_at + interval '2 hours'
    FROM (SELECT 1 + floor(%(a)s * power(random(), 1.6))::int AS answer_id,
                 %(staff)s + 1 + floor(random() * %(m)s)::int AS voter_id
          FROM generate_series(1, %(v)s * 11 / 10)) AS v
    JOIN community_answer a ON a.id = v.answer_id
    WHERE v.voter_id <> a.author_id
    ORDER BY v.answer_id, v.voter_id
    LIMIT %(v)s;
    UPDATE community_answer a SET helpful_count = v.n
    FROM (SELECT answer_id, count(*) AS n FROM community_vote GROUP BY answer_id) AS v
    WHERE v.answer_id = a.id;
    INSERT INTO community_me_too (question_id, member_id, created_at)
    SELECT DISTINCT ON (t.question_id, t.member_id) t.question_id, t.member_id,
           q.created_at + interval '3 hours'
    FROM (SELECT 1 + floor(%(q)s * power(random(), 0.7))::int AS question_id,
                 %(staff)s + 1 + floor(random() * %(m)s)::int AS member_id
          FROM generate_series(1, %(q)s * 2)) AS t
    JOIN community_question q ON q.id = t.question_id
    WHERE t.member_id <> q.author_id
    ORDER BY t.question_id, t.member_id;
    UPDATE community_question q SET me_too_count = t.n
    FROM (SELECT question_id, count(*) AS n FROM community_me_too GROUP BY question_id) AS t
    WHERE t.question_id = q.id;
    UPDATE community_question q SET answer_count = s.n, last_activity_at = s.last
    FROM (SELECT question_id, count(*) FILTER (WHERE hidden_at IS NULL) AS n,
                 max(created_at) AS last
          FROM community_answer GROUP BY question_id) AS s
    WHERE s.question_id = q.id;
    UPDATE community_answer a
    SET accepted_at = least(a.created_at + interval '5 hours', %(now)s::timestamp),
        accepted_by_id = q.author_id
    FROM (SELECT DISTINCT ON (question_id) id, question_id FROM community_answer
          WHERE hidden_at IS NULL
          ORDER BY question_id, helpful_count DESC, id) AS best
    JOIN community_question q ON q.id = best.question_id
    WHERE a.id = best.id AND q.hidden_at IS NULL AND q.id %% 20 < 9;
    UPDATE community_question q SET solved_at = a.accepted_at
    FROM community_answer a WHERE a.question_id = q.id AND a.accepted_at IS NOT NULL;
    INSERT INTO community_flag (post_kind, post_id, reporter_id, reason, resolved_at,
                                resolved_by_id, resolution, created_at)
    SELECT DISTINCT ON (f.kind, f.post_id, f.reporter_id) f.kind, f.post_id, f.reporter_id,
           'Unfreundlich und hilft nicht weiter.',
           CASE WHEN f.is_open THEN NULL ELSE f.at + interval '1 day' END,
           CASE WHEN f.is_open THEN NULL ELSE 1 END,
           CASE WHEN f.is_open THEN NULL ELSE 'kept' END, f.at
    FROM (SELECT CASE WHEN g %% 3 = 0 THEN 'question' ELSE 'answer' END AS kind,
                 CASE WHEN g %% 3 = 0 THEN 1 + floor(random() * %(q)s)::int
                      ELSE 1 + floor(random() * %(a)s)::int END AS post_id,
                 %(staff)s + 1 + floor(random() * %(m)s)::int AS reporter_id,
                 random() < 0.3 AS is_open,
                 %(now)s::timestamp - random() * interval '60 days' AS at
          FROM generate_series(1, %(flags)s) AS g) AS f
    ORDER BY f.kind, f.post_id, f.reporter_id;
    INSERT INTO community_article (slug, title, body, body_html, category_id, question_id,
                                   author_id, created_at, updated_at)
    SELECT 'artikel-' || q.id, q.title, q.body || E'\n\n## Lösung\n\n' || a.body,
           '<p>' || q.body || '</p><h2>Lösung</h2><p>' || a.body || '</p>', q.category_id,
           q.id, 1, q.solved_at + interval '2 days', q.solved_at + interval '2 days'
    FROM community_question q JOIN community_answer a
      ON a.question_id = q.id AND a.accepted_at IS NOT NULL
    WHERE q.id %% 50 = 3
    ORDER BY q.id;
    DROP TABLE bench_q;
    DROP TABLE bench_a;
    SELECT setval(pg_get_serial_sequence('"user"', 'id'), %(staff)s + %(m)s);
    SELECT setval(pg_get_serial_sequence('community_tag', 'id'),
                  (SELECT max(id) FROM community_tag));
    SELECT setval(pg_get_serial_sequence('community_question', 'id'), %(q)s);
    SELECT setval(pg_get_serial_sequence('community_answer', 'id'), %(a)s);
    SELECT setval(pg_get_serial_sequence('community_flag', 'id'),
                  (SELECT max(id) FROM community_flag));
    SELECT setval(pg_get_serial_sequence('community_article', 'id'),
                  (SELECT max(id) FROM community_article))
"""


def generate(url: str, questions: int, answers: int, votes: int, authors: int, now) -> float:
    """Fill the migrated database in one transaction; return the seconds it took."""
    import psycopg

    words = texts()
    params = {"q": questions, "a": max(answers, LONG_THREAD + 1), "v": votes, "m": authors,
              "staff": STAFF, "now": now, "long": LONG_THREAD, "rare_every": RARE_EVERY,
              "variants": len(words["titles"]), "answer_texts": len(words["answers"]),
              "flags": max(questions // 25, 50), **words}
    started = time.perf_counter()
    with psycopg.connect(psycopg_url(url)) as conn:
        with conn.cursor() as cur:
            for statement in filter(str.strip, GENERATE.split(";")):
                cur.execute(statement, params if "%" in statement else None)
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def describe_data(app) -> dict:
    """Print what was generated; return the ids the measurements use."""
    import os

    from sqlalchemy import text

    from lab.extensions import db

    with app.app_context():
        row = db.session.execute(text("""
            SELECT (SELECT count(*) FROM community_question),
                   (SELECT count(*) FROM community_question WHERE answer_count = 0
                                                               AND hidden_at IS NULL),
                   (SELECT count(*) FROM community_question WHERE solved_at IS NOT NULL),
                   (SELECT count(*) FROM community_answer),
                   (SELECT count(*) FROM community_answer WHERE official),
                   (SELECT count(*) FROM community_vote),
                   (SELECT count(*) FROM community_me_too),
                   (SELECT count(*) FROM community_flag WHERE resolved_at IS NULL),
                   (SELECT count(*) FROM community_article),
                   (SELECT answer_count FROM community_question WHERE id = 1),
                   (SELECT sum(helpful_count) FROM community_answer WHERE question_id = 1),
                   pg_size_pretty(pg_total_relation_size('community_answer')),
                   current_setting('server_version'), current_setting('shared_buffers'),
                   current_setting('work_mem'), current_setting('jit')
        """)).one()
        # a typical thread: a visible question with a few answers, one solved
        typical = db.session.scalar(text(
            "SELECT id FROM community_question WHERE hidden_at IS NULL AND answer_count = 4 "
            "AND solved_at IS NOT NULL ORDER BY id DESC LIMIT 1"))
        # the reader of the long thread: the member who voted most in it
        reader = db.session.scalar(text(
            "SELECT v.voter_id FROM community_vote v JOIN community_answer a "
            "ON a.id = v.answer_id WHERE a.question_id = 1 GROUP BY v.voter_id "
            "ORDER BY count(*) DESC, v.voter_id LIMIT 1"))
        db.session.rollback()
    (questions, unanswered, solved, answers, official, votes, me_toos, open_flags, articles,
     long_answers, long_votes, size, version, buffers, work_mem, jit) = row
    print("\nData")
    print(f"  {questions:,} questions ({unanswered:,} unanswered, {solved:,} solved), "
          f"{answers:,} answers ({official:,} official, {size}), {votes:,} helpful votes, "
          f"{me_toos:,} me-toos, {open_flags:,} open flags, {articles:,} articles")
    print(f"  the long thread: {long_answers:,} visible answers with {long_votes:,} votes")
    print(f"  PostgreSQL {version}, shared_buffers {buffers}, work_mem {work_mem}, jit {jit}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  host: {os.cpu_count()} CPUs, load average {load} (timings include it)",
          flush=True)
    return {"typical": typical, "reader": reader}


def measure(app, runs: int, ids: dict) -> None:
    from sqlalchemy import select

    from lab.community import knowledge, lists, moderation, search, votes
    from lab.community.models import ANSWER, QUESTION, Category, MeToo, Question
    from lab.community.views import PER_PAGE
    from lab.core.pagination import paginate, paginate_rows
    from lab.extensions import db

    reader = ids["reader"]

    def row(label, fn):
        result, times = timed(fn, runs)
        print(ROW.format(label, str(result), f"{statistics.median(times):.1f}",
                         f"{max(times):.1f}", statements(fn)), flush=True)

    def header(title):
        print(f"\n{title}")
        print(ROW.format("measurement", "result", "median ms", "max ms", "SQL"))
        print("-" * 95)

    with app.test_request_context("/?page=1"):
        header(f"/community/: first page of {PER_PAGE} with its count ({runs} runs each)")

        def listing(sort, category=None, tag=None):
            def run():
                page = paginate(lists.questions(sort, category.id if category else None, tag),
                                per_page=PER_PAGE)
                shown = [(q.title, q.author.handle, q.category.name, [t.name for t in q.tags])
                         for q in page.items]
                return f"{len(shown)}/{page.total:,}"
            return run

        for sort in ("newest", "unanswered", "me_too", "solved"):
            row(f"sort={sort}", listing(sort))
        category = db.session.scalar(select(Category).where(Category.slug == "mobilfunk"))
        db.session.expunge(category)
        row("sort=newest&category=mobilfunk", listing("newest", category=category))
        row("sort=newest&tag=fritzbox", listing("newest", tag="fritzbox"))
        db.session.rollback()

        header(f"A thread's data, as /community/q/<id> loads it ({runs} runs each)")

        def thread(question_id):
            def run():
                question = db.session.get(Question, question_id)
                answers = list(db.session.scalars(lists.answers(question.id, with_hidden=False)))
                voted = votes.voted(reader, [a.id for a in answers])
                flagged = moderation.flagged_by(reader, [(QUESTION, question.id)]
                                                + [(ANSWER, a.id) for a in answers])
                joined = db.session.get(MeToo, (question.id, reader)) is not None
                article = knowledge.article_for(question.id)
                # what the page shows besides: authors, tags, the reader's state, the article
                shown = ({a.author.handle for a in answers}, [t.name for t in question.tags],
                         flagged, joined, article)
                return f"{len(answers)} ans, {len(voted)} voted" if shown else ""
            return run

        row(f"typical thread (question {ids['typical']})", thread(ids["typical"]))
        row("long thread (question 1)", thread(1))

        header(f"Search, first page of 20 with its count ({runs} runs each)")

        def find(words):
            def run():
                page = search.search(words)
                return f"{len(page.items)}/{page.total:,}"
            return run

        row(f"search({COMMON_WORD!r}): common word", find(COMMON_WORD))
        row(f"search({RARE_WORD!r}): rare word", find(RARE_WORD))
        row("search('FRITZ!Box DSL Störsicherheit')", find("FRITZ!Box DSL Störsicherheit"))
        row("similar_questions(typed title)",
            lambda: f"{len(search.similar_questions(TYPED_TITLE))} found")

        header(f"Moderation queue, first page with its count ({runs} runs each)")

        def queue():
            page = paginate_rows(moderation.queue())
            entries = moderation.queue_entries(page.items)
            reporters = {r.reporter.handle for e in entries for r in e.reports}
            return f"{len(entries)}/{page.total:,} ({len(reporters)} rep.)"

        row("queue() + queue_entries()", queue)
        row("open_flag_count()", lambda: f"{moderation.open_flag_count():,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.community", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help=f"PostgreSQL database to DROP and recreate (default {DEFAULT_URL})")
    parser.add_argument("--questions", type=int, help=f"default {DEFAULT_QUESTIONS:,}")
    parser.add_argument("--answers", type=int, help=f"default {DEFAULT_ANSWERS:,}")
    parser.add_argument("--votes", type=int, help=f"default {DEFAULT_VOTES:,}")
    parser.add_argument("--authors", type=int, help=f"members (default {DEFAULT_AUTHORS:,})")
    parser.add_argument("--quick", action="store_true", help="a tenth of the default sizes")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    # accepted so that `make bench BENCH_ARGS=...` can pass the same flags to every benchmark
    for flag in ("--members", "--entries", "--applicants", "--testers", "--reports",
                 "--older-clocks", "--devices", "--loans", "--rows"):
        parser.add_argument(flag, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-http", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    divisor = QUICK_DIVISOR if args.quick else 1
    questions = args.questions or DEFAULT_QUESTIONS // divisor
    answers = max(args.answers or DEFAULT_ANSWERS // divisor, LONG_THREAD + 1)
    votes = args.votes or DEFAULT_VOTES // divisor
    authors = args.authors or DEFAULT_AUTHORS // divisor

    from lab.config import normalise_database_url
    from lab.core.clock import utcnow

    url = normalise_database_url(args.database_url)
    print(f"Community benchmark: {questions:,} questions, {answers:,} answers, {votes:,} "
          f"votes, {authors:,} members, database {shown(url)}", flush=True)
    started = time.perf_counter()
    app = fresh_app(url)
    generated = generate(url, questions, answers, votes, authors, utcnow())
    print(f"  data generated in {generated:.1f} s", flush=True)
    ids = describe_data(app)
    measure(app, args.runs, ids)
    print(f"\ndone in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
