"""Customers helping customers: categories and tags, questions and their answers,
"me too", helpful votes, flags for moderation, and knowledge-base articles made from
solved questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lab.accounts.models import User
from lab.core.models import CreatedMixin, TimestampMixin
from lab.extensions import db

QUESTION, ANSWER = "question", "answer"
POST_KINDS = (QUESTION, ANSWER)


class Category(db.Model):
    __tablename__ = "community_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)


class Tag(db.Model):
    __tablename__ = "community_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    # lower case, letters, digits and dashes: "fritzbox", "5g", "wlan-mesh"
    name: Mapped[str] = mapped_column(String(30), unique=True)


class QuestionTag(db.Model):
    __tablename__ = "community_question_tag"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("community_question.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("community_tag.id", ondelete="CASCADE"), primary_key=True, index=True)


class PostMixin(TimestampMixin):
    """What questions and answers share: Markdown source and its sanitised HTML (rendered
    once, on save), edits, and hiding by moderators (with the reason told to the author)."""

    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)


def _visible_index(name: str, *columns: str, where: str | None = None) -> db.Index:
    condition = text("hidden_at IS NULL" + (f" AND {where}" if where else ""))
    return db.Index(name, *columns, sqlite_where=condition, postgresql_where=condition)


class Question(db.Model, PostMixin):
    __tablename__ = "community_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("community_category.id"))
    title: Mapped[str] = mapped_column(String(160))
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # counters kept by the services (one conditional UPDATE each), for sorting lists
    answer_count: Mapped[int] = mapped_column(default=0, server_default="0")
    me_too_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # when an answer was accepted as the solution (the answer carries accepted_at)
    solved_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime]
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("community_question.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined",
                                        innerjoin=True)
    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    tags: Mapped[list[Tag]] = relationship(secondary="community_question_tag",
                                           order_by="Tag.name", lazy="selectin")

    __table_args__ = (
        CheckConstraint("answer_count >= 0", name="answer_count_not_negative"),
        CheckConstraint("me_too_count >= 0", name="me_too_count_not_negative"),
        # the list's sort orders over visible questions (lab/community/lists.py): partial
        # indexes, so the first page is read in index order
        _visible_index("ix_question_newest", "created_at", "id"),
        _visible_index("ix_question_unanswered", "created_at", "id", where="answer_count = 0"),
        _visible_index("ix_question_me_too", "me_too_count", "id"),
        _visible_index("ix_question_solved", "solved_at", "id", where="solved_at IS NOT NULL"),
        _visible_index("ix_question_category", "category_id", "created_at", "id"),
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Answer(db.Model, PostMixin):
    __tablename__ = "community_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("community_question.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # written by staff: shown as the official answer
    official: Mapped[bool] = mapped_column(default=False)
    helpful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # accepted as the question's solution (by the asker or staff): one per question
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined",
                                        innerjoin=True)

    __table_args__ = (
        CheckConstraint("helpful_count >= 0", name="helpful_count_not_negative"),
        db.Index("ix_answer_question", "question_id", "hidden_at", "helpful_count"),
        db.Index("ux_answer_accepted", "question_id", unique=True,
                 sqlite_where=text("accepted_at IS NOT NULL"),
                 postgresql_where=text("accepted_at IS NOT NULL")),
    )


class HelpfulVote(db.Model, CreatedMixin):
    """One member's "helpful" on one answer; taking it back deletes the row (the points
    are reversed in the ledger, which keeps both entries)."""

    __tablename__ = "community_vote"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("community_answer.id", ondelete="CASCADE"), primary_key=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    # the answer's author, kept here so "votes between the same two members today" is
    # one indexed count
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # the ledger key of the points this vote paid (None: it paid nothing, e.g. over the
    # per-pair limit); restoring a hidden answer pays again under a new key
    paid_key: Mapped[str | None] = mapped_column(String(160))

    __table_args__ = (
        CheckConstraint("voter_id <> author_id", name="no_vote_for_oneself"),
        db.Index("ix_vote_pair", "voter_id", "author_id", "created_at"),
    )


class MeToo(db.Model, CreatedMixin):
    """A member joined a question: counted, and told when it is solved."""

    __tablename__ = "community_me_too"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("community_question.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True,
                                           index=True)


class Flag(db.Model, CreatedMixin):
    """A member reports a post to the moderators, with a reason."""

    __tablename__ = "community_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_kind: Mapped[str] = mapped_column(String(8))
    post_id: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolution: Mapped[str | None] = mapped_column(String(12))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined",
                                          innerjoin=True)

    __table_args__ = (
        UniqueConstraint("post_kind", "post_id", "reporter_id", name="one_flag_per_member"),
        CheckConstraint(f"post_kind IN {POST_KINDS}", name="flag_post_kind_known"),
        db.Index("ix_flag_queue", "resolved_at", "created_at"),
        db.Index("ix_flag_post", "post_kind", "post_id"),
    )


class Article(db.Model, TimestampMixin):
    """A knowledge-base article staff wrote from a solved question (linked both ways)."""

    __tablename__ = "community_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("community_category.id"),
                                             index=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_question.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
