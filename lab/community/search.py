"""Full-text search over questions, their answers and knowledge-base articles.

PostgreSQL: the `german` text-search configuration (stemming, stop words) over GIN
expression indexes; SQLite: FTS5 tables kept by triggers (migration 0007), with prefix
matching standing in for stemming. A question is found by its own text or by any of its
visible answers; it is listed once, with its best-ranked passage. Results are ranked,
paginated, and their passages highlighted: the database marks the matches with two
private-use characters, the text is escaped, and only then do the marks become <mark>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import select, text

from lab.community.models import Article, Question
from lab.extensions import db

START, STOP = "\ue000", "\ue001"
MAX_TERMS = 12
MIN_TERM_LENGTH = 2
# answers and articles weigh differently from the question itself
ANSWER_WEIGHT, ARTICLE_WEIGHT = 0.8, 1.2
# words too common to suggest a similar question by (PostgreSQL drops its own stop words)
STOP_WORDS = frozenset(
    "aber alle auch auf aus bei bin bis das dass dem den der des die doch ein eine einen "
    "einem einer es für geht habe hat ich ihr ist kann kein keine man mein meine meinem "
    "mit nach nicht noch nur oder seit sich sie sind und von vom was weil wenn wie wird "
    "wo zu zum zur über".split())

# a kind for suggestions: questions by their own text only, duplicates left out
ORIGINALS = "original question"

_PG_DOCUMENT = {  # identical to the expressions of the indexes in migration 0007
    "question": "to_tsvector('german'::regconfig, q.title || ' ' || q.body)",
    "answer": "to_tsvector('german'::regconfig, a.body)",
    "article": "to_tsvector('german'::regconfig, r.title || ' ' || r.body)",
}


def terms(query: str | None, *, for_suggestions: bool = False) -> list[str]:
    """The words searched for: letters and digits only, so no query syntax gets through."""
    words = []
    for word in re.findall(r"[^\W_]+", (query or "").lower()):
        if len(word) < MIN_TERM_LENGTH or (for_suggestions and word in STOP_WORDS):
            continue
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


@dataclass
class Hit:
    kind: str  # "question" or "article"
    id: int
    rank: float
    passage: Markup
    title: Markup
    question: Question | None = None
    article: Article | None = None

    @property
    def link(self) -> str:
        if self.kind == "article":
            return f"/community/kb/{self.article.slug}"
        return f"/community/q/{self.id}"


def _marked(raw: str | None) -> Markup:
    """Escape text the database marked up, then turn its marks into <mark> elements."""
    safe = str(escape(raw or ""))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S704


def _title_marked(title: str, words: list[str]) -> Markup:
    """The title with the words searched for (and longer words they begin) marked."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.I)
    return _marked(pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", title))


def _originals_only(kinds) -> str:
    return "AND q.duplicate_of_id IS NULL" if ORIGINALS in kinds else ""


# -- PostgreSQL ----------------------------------------------------------------------

def _pg_query(words: list[str], any_term: bool) -> str:
    return (" | " if any_term else " & ").join(f"{w}:*" for w in words)


def _pg_hits(kinds: tuple[str, ...]) -> str:
    parts = []
    if "question" in kinds or ORIGINALS in kinds:
        parts.append(f"""
            SELECT 'question' AS kind, q.id AS ref_id,
                   ts_rank({_PG_DOCUMENT['question']}, s.query) AS rank, q.body AS passage
            FROM community_question q, s
            WHERE {_PG_DOCUMENT['question']} @@ s.query AND q.hidden_at IS NULL
            {_originals_only(kinds)}""")
    if "question" in kinds:
        parts.append(f"""
            SELECT 'question', a.question_id,
                   ts_rank({_PG_DOCUMENT['answer']}, s.query) * {ANSWER_WEIGHT}, a.body
            FROM community_answer a JOIN community_question q ON q.id = a.question_id, s
            WHERE {_PG_DOCUMENT['answer']} @@ s.query
              AND a.hidden_at IS NULL AND q.hidden_at IS NULL""")
    if "article" in kinds:
        parts.append(f"""
            SELECT 'article', r.id,
                   ts_rank({_PG_DOCUMENT['article']}, s.query) * {ARTICLE_WEIGHT}, r.body
            FROM community_article r, s
            WHERE {_PG_DOCUMENT['article']} @@ s.query""")
    return (" WITH s AS (SELECT to_tsquery('german'::regconfig, :query) AS query), "
            "hits AS (" + " UNION ALL ".join(parts) + "), "
            "best AS (SELECT kind, ref_id, rank, passage, row_number() OVER ("
            "PARTITION BY kind, ref_id ORDER BY rank DESC) AS n FROM hits) ")


def _pg_page(words, any_term, kinds, limit, offset) -> list[tuple]:
    headline = (f"'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, "
                "ShortWord=2, MaxFragments=2, FragmentDelimiter=\" … \"'")
    sql = _pg_hits(kinds) + f"""
        SELECT page.kind, page.ref_id, page.rank,
               ts_headline('german'::regconfig, page.passage, s.query, {headline})
        FROM (SELECT kind, ref_id, rank, passage FROM best WHERE n = 1
              ORDER BY rank DESC, ref_id DESC LIMIT :limit OFFSET :offset) AS page, s
        ORDER BY page.rank DESC, page.ref_id DESC"""
    return db.session.execute(text(sql), {"query": _pg_query(words, any_term),
                                          "limit": limit, "offset": offset}).all()


def _pg_count(words, any_term, kinds) -> int:
    sql = _pg_hits(kinds) + "SELECT count(*) FROM best WHERE n = 1"
    return db.session.execute(text(sql), {"query": _pg_query(words, any_term)}).scalar()


# -- SQLite --------------------------------------------------------------------------

def _fts_query(words: list[str], any_term: bool) -> str:
    return (" OR " if any_term else " ").join(f'"{w}"*' for w in words)


def _sqlite_hits(kinds: tuple[str, ...]) -> str:
    snippet = f"'{START}', '{STOP}', ' … ', 24"
    parts = []
    if "question" in kinds or ORIGINALS in kinds:
        parts.append(f"""
            SELECT 'question' AS kind, q.id AS ref_id,
                   -bm25(community_question_fts, 2.0, 1.0) AS rank,
                   snippet(community_question_fts, 1, {snippet}) AS passage
            FROM community_question_fts JOIN community_question q
              ON q.id = community_question_fts.rowid
            WHERE community_question_fts MATCH :query AND q.hidden_at IS NULL
            {_originals_only(kinds)}""")
    if "question" in kinds:
        parts.append(f"""
            SELECT 'question', a.question_id,
                   -bm25(community_answer_fts) * {ANSWER_WEIGHT},
                   snippet(community_answer_fts, 0, {snippet})
            FROM community_answer_fts
              JOIN community_answer a ON a.id = community_answer_fts.rowid
              JOIN community_question q ON q.id = a.question_id
            WHERE community_answer_fts MATCH :query
              AND a.hidden_at IS NULL AND q.hidden_at IS NULL""")
    if "article" in kinds:
        parts.append(f"""
            SELECT 'article', r.id, -bm25(community_article_fts, 2.0, 1.0) * {ARTICLE_WEIGHT},
                   snippet(community_article_fts, 1, {snippet})
            FROM community_article_fts JOIN community_article r
              ON r.id = community_article_fts.rowid
            WHERE community_article_fts MATCH :query""")
    return ("WITH hits AS (" + " UNION ALL ".join(parts) + "), "
            "best AS (SELECT kind, ref_id, rank, passage, row_number() OVER ("
            "PARTITION BY kind, ref_id ORDER BY rank DESC) AS n FROM hits) ")


def _sqlite_page(words, any_term, kinds, limit, offset) -> list[tuple]:
    sql = _sqlite_hits(kinds) + """
        SELECT kind, ref_id, rank, passage FROM best WHERE n = 1
        ORDER BY rank DESC, ref_id DESC LIMIT :limit OFFSET :offset"""
    return db.session.execute(text(sql), {"query": _fts_query(words, any_term),
                                          "limit": limit, "offset": offset}).all()


def _sqlite_count(words, any_term, kinds) -> int:
    sql = _sqlite_hits(kinds) + "SELECT count(*) FROM best WHERE n = 1"
    return db.session.execute(text(sql), {"query": _fts_query(words, any_term)}).scalar()


# -- both ----------------------------------------------------------------------------

def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _rows(words, any_term, kinds, limit, offset) -> list[tuple]:
    page = _pg_page if _postgres() else _sqlite_page
    return page(words, any_term, kinds, limit, offset)


def _count(words, any_term, kinds) -> int:
    return (_pg_count if _postgres() else _sqlite_count)(words, any_term, kinds)


def _hits(rows, words) -> list[Hit]:
    """Hits with their questions and articles loaded (one query each)."""
    question_ids = [ref for kind, ref, *_ in rows if kind == "question"]
    article_ids = [ref for kind, ref, *_ in rows if kind == "article"]
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(question_ids)))} if question_ids else {}
    articles = {a.id: a for a in db.session.scalars(
        select(Article).where(Article.id.in_(article_ids)))} if article_ids else {}
    hits = []
    for kind, ref, rank, passage in rows:
        subject = questions.get(ref) if kind == "question" else articles.get(ref)
        if subject is None:  # deleted between the two queries
            continue
        hits.append(Hit(kind=kind, id=ref, rank=float(rank or 0), passage=_marked(passage),
                        title=_title_marked(subject.title, words),
                        question=subject if kind == "question" else None,
                        article=subject if kind == "article" else None))
    return hits


class SearchPage(Pagination):
    """A page of hits, shaped like the list pages' pagination (for the pager macro)."""

    def _query_items(self) -> list[Hit]:
        args = self._query_args
        if not args["words"]:
            return []
        rows = _rows(args["words"], args["any_term"], args["kinds"], self.per_page,
                     self._query_offset)
        return _hits(rows, args["words"])

    def _query_count(self) -> int:
        args = self._query_args
        if not args["words"]:
            return 0
        return _count(args["words"], args["any_term"], args["kinds"])


def search(query: str | None, *, page: int = 1, per_page: int = 20,
           kinds: tuple[str, ...] = ("question", "article")) -> SearchPage:
    """Questions (found by their own text or an answer) and articles containing every
    word, best first."""
    return SearchPage(page=page, per_page=per_page, max_per_page=100, error_out=False,
                      words=terms(query), any_term=False, kinds=kinds)


def similar_questions(title: str | None, *, limit: int = 5) -> list[Question]:
    """Visible questions sharing words with a title being typed, best first: offered on
    the ask page so members join a question instead of asking it again. Only the
    questions' own text counts, and duplicates are left out (their original is there)."""
    words = terms(title, for_suggestions=True)
    if not words:
        return []
    rows = _rows(words, True, (ORIGINALS,), limit, 0)
    return [hit.question for hit in _hits(rows, words)]
