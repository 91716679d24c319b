"""The community demo (lab.community.demo, part of `flask lab seed-demo`): a few hundred
German questions with answers, solutions, votes, "me too", tags, knowledge-base
articles, and moderation at work; everything written through the services, so the
counters match the rows and the ledger verifies; seeding again adds nothing.

The seed takes a few seconds, so this module seeds once per database, into a database
of its own with the data committed, and the tests read it (the rolled-back transaction
of the `app` fixture would make every test seed again). The demo accounts are made by
lab.demo.seed with the other domains' demos left out; only the idempotence test seeds a
second time, and rolls that back.
"""

from __future__ import annotations

from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import func, select

import lab.demo
from lab.accounts import services
from lab.accounts.models import User
from lab.community import demo as community_demo
from lab.community import moderation, search
from lab.community.models import (
    ANSWER,
    Answer,
    Article,
    Category,
    Flag,
    HelpfulVote,
    MeToo,
    Question,
    QuestionTag,
    Tag,
)
from lab.core.clock import utcnow
from lab.extensions import db
from lab.rewards import ledger
from lab.rewards.models import LedgerEntry
from tests.conftest import make_app
from tests.support import postgres_url, sqlite_url

# what the accounts-only seed leaves out: the other domains' demos
OTHER_DEMOS = ("_seed_rewards", "_seed_campaigns", "_seed_feedback", "_seed_logistics",
               "_seed_community")  # seeded below, with the pace limit read first


# database kind -> (app, pace limit): pytest-xdist may interleave this module's tests
# with others', which tears module fixtures down; the seeded databases stay for the run
_SEEDED: dict[str, tuple] = {}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request):
    """Which database this module's tests run on (named database_url so that the summary
    counts the tests per database)."""
    return request.param


def _people() -> dict:
    """The demo's staff and members, as lab.demo made them."""
    staff = {email: services.find_user(email) for _, email, _, _ in lab.demo.STAFF}
    return {"staff1": staff["staff1@testlab.example"],
            "staff2": staff["staff2@testlab.example"],
            "members": [services.find_user(lab.demo._member_email(m[0]))
                        for m in lab.demo.MEMBERS]}


@pytest.fixture(scope="module")
def seeded(database_url, tmp_path_factory):
    """An app whose database holds the demo accounts and the community demo, seeded once
    per run and committed: the app and its pace limit for new members before the seed."""
    if database_url not in _SEEDED:
        url = sqlite_url(tmp_path_factory.mktemp("communitydemo")) \
            if database_url == "sqlite" else postgres_url("_commdemo")
        app = make_app(url)
        seed_community = lab.demo._seed_community  # the step `flask lab seed-demo` runs
        with pytest.MonkeyPatch.context() as patch, app.app_context():
            for step in OTHER_DEMOS:
                patch.setattr(lab.demo, step, lambda: None)
            flask_migrate.upgrade()
            lab.demo.seed()
            pace = app.config["NEW_MEMBER_POSTS_PER_HOUR"]
            seed_community()
            db.session.commit()
            db.session.remove()
        _SEEDED[database_url] = (app, pace)
    return _SEEDED[database_url]


@pytest.fixture
def demo(seeded):
    """The seeded app's context for one test; whatever the test changes is rolled back."""
    app, _pace = seeded
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            db.session.remove()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_a_few_hundred_questions_are_asked_by_members(demo):
    askers = db.session.scalars(select(User).join(Question, Question.author_id == User.id)
                                .distinct()).all()

    assert _count(Question) >= 250
    assert len(askers) >= 10 and not any(user.is_staff for user in askers)


def test_every_category_has_questions(demo):
    counts = dict(db.session.execute(
        select(Category.slug, func.count(Question.id))
        .join(Question, Question.category_id == Category.id).group_by(Category.slug)).all())

    assert set(counts) == {"mobilfunk", "internet-festnetz", "tv-entertainment",
                           "geraete-zubehoer", "testlabor"}
    assert min(counts.values()) >= 10


def test_most_questions_are_answered_and_staff_answers_are_official(demo):
    answered = _count(Question, Question.answer_count > 0)
    official = db.session.scalars(select(Answer).where(Answer.official)).all()
    by_members = db.session.scalars(select(Answer).where(~Answer.official)).all()

    assert answered >= 0.8 * _count(Question)
    assert _count(Question, Question.answer_count >= 5) > 0
    assert official and all(answer.author.is_staff for answer in official)
    assert by_members and not any(answer.author.is_staff for answer in by_members)


def test_about_half_of_the_answered_questions_are_solved(demo):
    answered = _count(Question, Question.answer_count > 0)
    solved = _count(Question, Question.solved_at.is_not(None))

    assert 0.4 * answered <= solved <= 0.7 * answered
    assert _count(Answer, Answer.accepted_at.is_not(None)) == solved


def test_answers_are_voted_helpful_and_members_join_questions(demo):
    assert _count(HelpfulVote) >= 250
    assert _count(Answer, Answer.helpful_count >= 3) > 0
    assert _count(MeToo) >= 150
    assert _count(Question, Question.me_too_count >= 5) > 0


def test_the_usual_tags_are_used(demo):
    used = set(db.session.scalars(select(Tag.name).join(
        QuestionTag, QuestionTag.tag_id == Tag.id).distinct()))

    assert {"fritzbox", "5g", "esim", "wlan", "magentatv", "glasfaser", "roaming", "volte",
            "mesh"} <= used


def test_posts_are_spread_over_the_last_ninety_days(demo):
    now = utcnow()
    oldest, newest = db.session.execute(select(func.min(Question.created_at),
                                               func.max(Question.created_at))).one()
    last_answer = db.session.scalar(select(func.max(Answer.created_at)))
    last_month = _count(Question, Question.created_at >= now - timedelta(days=30))

    assert now - timedelta(days=91) <= oldest <= now - timedelta(days=80)
    assert now - timedelta(days=3) <= newest <= now
    assert last_answer <= now
    assert 0.2 * _count(Question) <= last_month <= 0.5 * _count(Question)


def test_a_question_is_active_when_its_last_answer_was_posted(demo):
    last_answer = select(func.max(Answer.created_at)).where(
        Answer.question_id == Question.id).scalar_subquery()

    wrong = db.session.scalars(select(Question.id).where(
        Question.answer_count > 0, Question.last_activity_at != last_answer)).all()

    assert wrong == []


def test_the_knowledge_base_has_articles_made_from_solved_questions(demo):
    articles = db.session.scalars(select(Article)).all()

    assert 5 <= len(articles) <= 8
    for article in articles:
        question = db.session.get(Question, article.question_id)
        assert question.solved_at is not None and question.solved_at < article.created_at
        assert article.category_id == question.category_id
        assert article.author_id != question.author_id


def test_the_moderation_queue_has_open_flags(demo):
    assert moderation.open_flag_count() >= 3
    assert _count(Flag, Flag.resolved_at.is_(None)) >= 4


def test_one_answer_is_hidden_with_its_reason_and_its_flags_resolved(demo):
    (hidden,) = db.session.scalars(select(Answer).where(Answer.hidden_at.is_not(None)))

    assert len(hidden.hidden_reason) > 20
    assert db.session.get(User, hidden.hidden_by_id).is_staff
    flags = db.session.scalars(select(Flag).where(Flag.post_kind == ANSWER,
                                                  Flag.post_id == hidden.id)).all()
    assert flags and all(flag.resolution == moderation.HIDDEN for flag in flags)


def test_one_thread_is_locked_and_got_no_answer_after(demo):
    (locked,) = db.session.scalars(select(Question).where(
        Question.locked_at.is_not(None), Question.duplicate_of_id.is_(None)))

    assert locked.answer_count >= 3
    assert _count(Answer, Answer.question_id == locked.id,
                  Answer.created_at > locked.locked_at) == 0


def test_one_question_is_a_duplicate_and_its_me_toos_moved_to_the_original(demo):
    (duplicate,) = db.session.scalars(select(Question).where(
        Question.duplicate_of_id.is_not(None)))
    original = db.session.get(Question, duplicate.duplicate_of_id)

    assert original.hidden_at is None and duplicate.locked_at is not None
    assert duplicate.me_too_count == 0
    assert db.session.get(MeToo, (original.id, duplicate.author_id)) is not None


def test_the_counters_equal_the_counted_rows(demo):
    visible_answers = select(func.count()).where(
        Answer.question_id == Question.id, Answer.hidden_at.is_(None)).scalar_subquery()
    me_toos = select(func.count()).where(MeToo.question_id == Question.id).scalar_subquery()
    votes = select(func.count()).where(HelpfulVote.answer_id == Answer.id).scalar_subquery()

    assert db.session.scalars(select(Question.id).where(
        Question.answer_count != visible_answers)).all() == []
    assert db.session.scalars(select(Question.id).where(
        Question.me_too_count != me_toos)).all() == []
    assert db.session.scalars(select(Answer.id).where(
        Answer.helpful_count != votes)).all() == []


def test_the_ledger_verifies(demo):
    assert ledger.verify() == []


def test_every_paid_vote_has_its_ledger_entry(demo):
    paid = set(db.session.scalars(select(HelpfulVote.paid_key).where(
        HelpfulVote.paid_key.is_not(None))))
    entries = set(db.session.scalars(select(LedgerEntry.key).where(
        LedgerEntry.key.in_(paid))))

    assert len(paid) >= 200
    assert entries == paid


def test_the_pace_limit_for_new_members_is_back_after_seeding(seeded):
    app, pace = seeded

    assert app.config["NEW_MEMBER_POSTS_PER_HOUR"] == pace


def test_search_finds_the_demo_questions(demo):
    found = search.search("Glasfaser")

    assert found.total >= 3
    assert any(hit.kind == "question" for hit in found.items)


def test_seeding_twice_adds_nothing_the_second_time(demo):
    before = _row_counts()

    community_demo.seed(**_people())

    db.session.flush()
    assert _row_counts() == before
