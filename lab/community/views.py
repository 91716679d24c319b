"""Member pages of the community: /community/ (questions, asking, answering, votes,
solutions, me too, flags, search, knowledge base)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lab.community import knowledge, lists, moderation, posts, solutions, votes
from lab.community import search as finder
from lab.community.forms import (
    AnswerForm,
    EditAnswerForm,
    EditQuestionForm,
    FlagForm,
    QuestionForm,
)
from lab.community.models import (
    ANSWER,
    POST_KINDS,
    QUESTION,
    Answer,
    Category,
    MeToo,
    Question,
)
from lab.core.clock import utcnow
from lab.core.forms import ActionForm
from lab.core.formtools import attempt, perform
from lab.core.pagination import current_page, paginate
from lab.core.permissions import member_required
from lab.extensions import db

bp = Blueprint("community", __name__, url_prefix="/community")

PER_PAGE = 25
SIMILAR_LIMIT = 5
SIMILAR_MIN_LENGTH = 4
QUERY_LENGTH = 200
SORTS = {lists.NEWEST: _l("Newest"), lists.UNANSWERED: _l("Unanswered"),
         lists.ME_TOO: _l("Most “me too”"), lists.SOLVED: _l("Recently solved")}


# -- helpers -------------------------------------------------------------------------

def _is_staff() -> bool:
    return current_user.is_authenticated and current_user.is_staff


def _age(moment) -> str:
    """"3 hours ago", in the reader's language."""
    return format_timedelta(moment - utcnow(), add_direction=True) if moment else ""


@bp.context_processor
def _helpers():
    return {"age": _age, "is_staff": _is_staff()}


def _question_or_404(question_id: int) -> Question:
    """The question; a hidden one only for staff (for everyone else it does not exist)."""
    question = db.session.get(Question, question_id)
    if question is None or (question.is_hidden and not _is_staff()):
        abort(404)
    return question


def _answer_or_404(answer_id: int) -> Answer:
    """The answer, if its question may be seen (hidden answers are refused by the
    services with a message)."""
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        abort(404)
    _question_or_404(answer.question_id)
    return answer


def _question_url(question_id: int, answer_id: int | None = None) -> str:
    return url_for(".show_question", question_id=question_id,
                   _anchor=f"answer-{answer_id}" if answer_id else None)


def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position,
                                                             Category.name)))


# -- questions -----------------------------------------------------------------------

@bp.get("/")
def list_questions():
    sort = request.args.get("sort", "newest")
    sort = sort if sort in SORTS else "newest"
    categories = _categories()
    slug = request.args.get("category", "")
    category = next((c for c in categories if c.slug == slug), None)
    if slug and category is None:
        abort(404)
    tag = request.args.get("tag", "").strip().lower()[:30] or None
    page = paginate(lists.questions(sort, category.id if category else None, tag),
                    per_page=PER_PAGE)
    return render_template("community/list.html", page=page, sort=sort, sorts=SORTS,
                           categories=categories, category=category, tag=tag)


@bp.route("/ask", methods=["GET", "POST"])
@member_required
def ask():
    form = QuestionForm()
    failed = False
    if form.validate_on_submit():
        done, question = attempt(form, lambda: posts.ask(
            current_user, title=form.title.data, body=form.body.data,
            category_id=form.category_id.data, tags=form.tags.data))
        if done:
            flash(_("Thank you! Your question is online; you are told when it is answered."),
                  "success")
            return redirect(_question_url(question.id))
        failed = True
    return render_template("community/ask.html", form=form), 422 if failed else 200


@bp.get("/similar")
def similar():
    title = request.args.get("title", "").strip()[:posts.TITLE_LENGTH[1]]
    found = finder.similar_questions(title, limit=SIMILAR_LIMIT) \
        if len(title) >= SIMILAR_MIN_LENGTH else []
    return jsonify(questions=[
        {"id": q.id, "title": q.title, "url": _question_url(q.id),
         "answer_count": q.answer_count, "me_too_count": q.me_too_count,
         "solved": q.solved_at is not None,
         "badge": _("solved") if q.solved_at is not None else None,
         "note": f"{_('answers')}: {q.answer_count}"}
        for q in found])


@bp.get("/q/<int:question_id>")
def show_question(question_id: int):
    return _question_page(_question_or_404(question_id), AnswerForm())


def _question_page(question: Question, answer_form, status: int = 200):
    """The thread, in a fixed number of queries however many answers and votes."""
    answers = list(db.session.scalars(lists.answers(question.id, with_hidden=_is_staff())))
    voted, flagged, joined = set(), set(), False
    if current_user.is_authenticated:
        voted = votes.voted(current_user.id, [a.id for a in answers])
        flagged = moderation.flagged_by(current_user.id, [(QUESTION, question.id)]
                                        + [(ANSWER, a.id) for a in answers])
        joined = db.session.get(MeToo, (question.id, current_user.id)) is not None
    original = db.session.get(Question, question.duplicate_of_id) \
        if question.duplicate_of_id else None
    return render_template(
        "community/question.html", question=question, answers=answers, voted=voted,
        flagged=flagged, joined=joined, original=original,
        article=knowledge.article_for(question.id), answer_form=answer_form,
        can_edit=posts.can_edit), status


@bp.post("/q/<int:question_id>/answer")
@member_required
def post_answer(question_id: int):
    question = _question_or_404(question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return redirect(_question_url(question.id))
    done, answer = attempt(form, lambda: posts.answer(current_user, question.id,
                                                      body=form.body.data))
    if not done:
        return _question_page(question, form, 422)
    flash(_("Thank you! Your answer has been posted."), "success")
    return redirect(_question_url(question_id, answer.id))


@bp.route("/q/<int:question_id>/edit", methods=["GET", "POST"])
@member_required
def edit_question(question_id: int):
    question = _question_or_404(question_id)
    if not posts.can_edit(current_user, question):
        abort(403)
    form = EditQuestionForm(data={
        "title": question.title, "body": question.body, "category_id": question.category_id,
        "tags": ", ".join(tag.name for tag in question.tags)})
    failed = False
    if form.validate_on_submit():
        done, _question = attempt(form, lambda: posts.edit_question(
            current_user, question.id, title=form.title.data, body=form.body.data,
            category_id=form.category_id.data, tags=form.tags.data))
        if done:
            flash(_("Your changes have been saved."), "success")
            return redirect(_question_url(question_id))
        failed = True
    return render_template("community/edit_question.html", form=form,
                           question=question), 422 if failed else 200


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@member_required
def edit_answer(answer_id: int):
    answer = _answer_or_404(answer_id)
    if answer.hidden_at is not None and not current_user.is_staff:
        abort(404)
    if not posts.can_edit(current_user, answer):
        abort(403)
    question_id = answer.question_id
    form = EditAnswerForm(data={"body": answer.body})
    failed = False
    if form.validate_on_submit():
        done, _answer = attempt(form, lambda: posts.edit_answer(current_user, answer.id,
                                                                 body=form.body.data))
        if done:
            flash(_("Your changes have been saved."), "success")
            return redirect(_question_url(question_id, answer_id))
        failed = True
    return render_template("community/edit_answer.html", form=form, answer=answer,
                           question=db.session.get(Question, question_id)), \
        422 if failed else 200


# -- buttons -------------------------------------------------------------------------

@bp.post("/q/<int:question_id>/me-too")
@member_required
def me_too(question_id: int):
    question = _question_or_404(question_id)
    if ActionForm().validate_on_submit():
        perform(lambda: posts.me_too(current_user, question.id),
                lambda joined: _("You joined the question: you are told when it is solved.")
                if joined else _("You had already joined this question."))
    return redirect(_question_url(question_id))


@bp.post("/q/<int:question_id>/me-too/undo")
@member_required
def undo_me_too(question_id: int):
    question = _question_or_404(question_id)
    if ActionForm().validate_on_submit():
        perform(lambda: posts.undo_me_too(current_user, question.id),
                lambda left: _("You left the question.") if left
                else _("You had not joined this question."))
    return redirect(_question_url(question_id))


@bp.post("/answers/<int:answer_id>/vote")
@member_required
def vote(answer_id: int):
    answer = _answer_or_404(answer_id)
    back = _question_url(answer.question_id, answer.id)
    if ActionForm().validate_on_submit():
        perform(lambda: votes.vote(current_user, answer.id),
                _("Thank you: you marked this answer as helpful."))
    return redirect(back)


@bp.post("/answers/<int:answer_id>/unvote")
@member_required
def unvote(answer_id: int):
    answer = _answer_or_404(answer_id)
    back = _question_url(answer.question_id, answer.id)
    if ActionForm().validate_on_submit():
        perform(lambda: votes.retract(current_user, answer.id),
                lambda taken: _("You took back your helpful vote.") if taken
                else _("You had not marked this answer as helpful."))
    return redirect(back)


@bp.post("/q/<int:question_id>/accept/<int:answer_id>")
@member_required
def accept(question_id: int, answer_id: int):
    question = _question_or_404(question_id)
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        abort(404)
    back = _question_url(question_id, answer_id if answer.question_id == question_id
                         else None)
    if ActionForm().validate_on_submit():
        perform(lambda: solutions.accept(current_user, question.id, answer_id),
                _("The answer is marked as the solution. Thank you!"))
    return redirect(back)


@bp.post("/q/<int:question_id>/unaccept")
@member_required
def unaccept(question_id: int):
    question = _question_or_404(question_id)
    if ActionForm().validate_on_submit():
        perform(lambda: solutions.unaccept(current_user, question.id),
                lambda taken: _("The solution was taken back: the question is open again.")
                if taken else _("This question had no solution."))
    return redirect(_question_url(question_id))


@bp.route("/flag/<kind>/<int:post_id>", methods=["GET", "POST"])
@member_required
def flag(kind: str, post_id: int):
    if kind not in POST_KINDS:
        abort(404)
    post = moderation.post_of(kind, post_id)
    if post is None or post.hidden_at is not None:
        abort(404)
    question = post if kind == QUESTION else _question_or_404(post.question_id)
    if question.is_hidden:
        abort(404)
    back = _question_url(question.id, post.id if kind == ANSWER else None)
    form = FlagForm()
    failed = False
    if form.validate_on_submit():
        done, _flag = attempt(form, lambda: moderation.flag(current_user, kind, post.id,
                                                            form.reason.data))
        if done:
            flash(_("Thank you: the team will look at this post."), "success")
            return redirect(back)
        failed = True
    return render_template("community/flag.html", form=form, kind=kind, post=post,
                           question=question, back=back), 422 if failed else 200


# -- search and knowledge base -------------------------------------------------------

@bp.get("/search")
def search():
    query = request.args.get("q", "").strip()[:QUERY_LENGTH]
    results = finder.search(query, page=current_page()) if query else None
    return render_template("community/search.html", query=query, results=results)


@bp.get("/kb/")
def knowledge_base():
    return render_template("community/kb_index.html", sections=knowledge.by_category())


@bp.get("/kb/category/<slug>")
def kb_category(slug: str):
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        abort(404)
    page = paginate(knowledge.in_category(category.id), per_page=PER_PAGE)
    return render_template("community/kb_category.html", category=category, page=page)


@bp.get("/kb/<slug>")
def show_article(slug: str):
    article = knowledge.by_slug(slug)
    if article is None:
        abort(404)
    question = db.session.get(Question, article.question_id) if article.question_id else None
    if question is not None and question.is_hidden and not _is_staff():
        question = None
    return render_template("community/article.html", article=article, question=question)
