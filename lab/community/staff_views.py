"""Staff pages of the community: the moderation queue, a post's moderation page (hide,
restore, dismiss flags, lock, duplicate) and writing knowledge-base articles."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from lab.accounts.models import User
from lab.community import knowledge, moderation
from lab.community.models import ANSWER, POST_KINDS, QUESTION, Article, Flag, Question
from lab.community.staff_forms import (
    ArticleForm,
    DismissForm,
    DuplicateForm,
    HideForm,
    LockForm,
    RestoreForm,
    UnlockForm,
)
from lab.core.clock import utcnow
from lab.core.durations import humanise
from lab.core.errors import DomainError
from lab.core.formtools import attempt
from lab.core.pagination import paginate_rows
from lab.core.permissions import staff_required
from lab.extensions import db

bp = Blueprint("moderation", __name__, url_prefix="/staff")

QUEUE_PAGE = 25
KIND_LABELS = {QUESTION: _l("Question"), ANSWER: _l("Answer")}
RESOLUTION_LABELS = {moderation.KEPT: _l("dismissed, post kept"),
                     moderation.HIDDEN: _l("post hidden")}


def _status(form) -> int:
    """422 for a form sent back with errors; 400 after a bad CSRF token (lab.core.web then
    shows the page with the input kept)."""
    if g.get("csrf_error"):
        return 400
    return 422 if form.errors else 200


def article_path(article: Article) -> str:
    return url_for("community.show_article", slug=article.slug)


# ---- the queue -------------------------------------------------------------------------

@bp.get("/moderation")
@staff_required
def queue():
    page = paginate_rows(moderation.queue(), per_page=QUEUE_PAGE)
    return render_template("community/staff/queue.html", page=page,
                           entries=moderation.queue_entries(page.items), now=utcnow(),
                           duration=humanise, kinds=KIND_LABELS)


# ---- one post --------------------------------------------------------------------------

def _post_or_404(kind: str, post_id: int):
    post = moderation.post_of(kind, post_id) if kind in POST_KINDS else None
    if post is None:
        abort(404)
    return post


def _render_post(kind: str, post, status: int = 200, **forms):
    question = post if kind == QUESTION else db.session.get(Question, post.question_id)
    flags = list(db.session.scalars(select(Flag).where(
        Flag.post_kind == kind, Flag.post_id == post.id).order_by(Flag.created_at, Flag.id)))
    user_ids = ({flag.resolved_by_id for flag in flags}
                | {post.hidden_by_id, question.locked_by_id}) - {None}
    users = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    original = (db.session.get(Question, question.duplicate_of_id)
                if question.duplicate_of_id else None)
    forms = {
        "hide_form": HideForm(formdata=None),
        "restore_form": RestoreForm(formdata=None),
        "dismiss_form": DismissForm(formdata=None),
        "lock_form": LockForm(formdata=None),
        "unlock_form": UnlockForm(formdata=None),
        "duplicate_form": DuplicateForm(formdata=None),
    } | forms
    return render_template(
        "community/staff/post.html", kind=kind, post=post, question=question,
        open_flags=[flag for flag in flags if flag.resolved_at is None],
        resolved_flags=[flag for flag in flags if flag.resolved_at is not None],
        users=users, original=original,
        article=knowledge.article_for(question.id) if kind == QUESTION else None,
        kinds=KIND_LABELS, resolutions=RESOLUTION_LABELS, **forms), status


@bp.get("/moderation/<kind>/<int:post_id>")
@staff_required
def show_post(kind: str, post_id: int):
    return _render_post(kind, _post_or_404(kind, post_id))


def _decide(kind: str, post_id: int, form_name: str, form, action: Callable,
            success: Callable, to_queue: bool):
    """Validate the form, run the moderation service, commit, flash and go on (to the
    queue or back to the post); a refusal re-renders the post page with the message
    beside its field (422)."""
    post = _post_or_404(kind, post_id)
    if form.validate_on_submit():
        done, result = attempt(form, lambda: action(form))
        if done:
            flash(success(result), "success")
            if to_queue:
                return redirect(url_for(".queue"))
            return redirect(url_for(".show_post", kind=kind, post_id=post_id))
    return _render_post(kind, post, _status(form), **{form_name: form})


@bp.post("/moderation/<kind>/<int:post_id>/hide")
@staff_required
def hide(kind: str, post_id: int):
    return _decide(kind, post_id, "hide_form", HideForm(),
                   lambda form: moderation.hide(current_user, kind, post_id,
                                                form.reason.data),
                   lambda _post: _("The post is hidden. Its author was told why."),
                   to_queue=True)


@bp.post("/moderation/<kind>/<int:post_id>/restore")
@staff_required
def restore(kind: str, post_id: int):
    return _decide(kind, post_id, "restore_form", RestoreForm(),
                   lambda form: moderation.restore(current_user, kind, post_id,
                                                   form.reason.data),
                   lambda _post: _("The post is visible again. Its author was told why."),
                   to_queue=True)


@bp.post("/moderation/<kind>/<int:post_id>/dismiss")
@staff_required
def dismiss(kind: str, post_id: int):
    return _decide(kind, post_id, "dismiss_form", DismissForm(),
                   lambda _form: moderation.dismiss_flags(current_user, kind, post_id),
                   lambda count: ngettext("%(num)d flag dismissed; the post stays.",
                                          "%(num)d flags dismissed; the post stays.", count),
                   to_queue=True)


@bp.post("/moderation/question/<int:post_id>/lock")
@staff_required
def lock(post_id: int):
    return _decide(QUESTION, post_id, "lock_form", LockForm(),
                   lambda form: moderation.lock(current_user, post_id, form.reason.data),
                   lambda _question: _("The thread is locked."), to_queue=False)


@bp.post("/moderation/question/<int:post_id>/unlock")
@staff_required
def unlock(post_id: int):
    return _decide(QUESTION, post_id, "unlock_form", UnlockForm(),
                   lambda _form: moderation.unlock(current_user, post_id),
                   lambda _question: _("The thread is open again."), to_queue=False)


@bp.post("/moderation/question/<int:post_id>/duplicate")
@staff_required
def duplicate(post_id: int):
    return _decide(QUESTION, post_id, "duplicate_form", DuplicateForm(),
                   lambda form: moderation.mark_duplicate(current_user, post_id,
                                                          form.original_id.data),
                   lambda question: _("Marked as a duplicate of question #%(id)d. Its asker "
                                      "and “me too” members now follow the original.",
                                      id=question.duplicate_of_id),
                   to_queue=False)


# ---- knowledge-base articles -----------------------------------------------------------

def _publish_problem(question: Question) -> str | None:
    """Why the question cannot become an article, in the service's words, or None."""
    try:
        knowledge.check_publishable(question.id)
    except DomainError as error:
        return str(error.message)
    return None


def _render_article_form(form, *, question=None, article=None, problem=None):
    return render_template("community/staff/article_form.html", form=form,
                           question=question, article=article, problem=problem,
                           existing=knowledge.article_for(question.id) if question else None,
                           article_path=article_path), _status(form)


def _article_fields(form) -> dict:
    return {"title": form.title.data, "body": form.body.data,
            "category_id": form.category_id.data}


@bp.route("/kb/new/<int:question_id>", methods=["GET", "POST"])
@staff_required
def new_article(question_id: int):
    question = db.session.get(Question, question_id) or abort(404)
    if request.method == "POST":
        form = ArticleForm()
    else:
        form = ArticleForm(data=knowledge.draft_from(question))
    if form.validate_on_submit():
        done, article = attempt(form, lambda: knowledge.publish(
            current_user, question.id, **_article_fields(form)))
        if done:
            flash(_("The article is published; the question links to it."), "success")
            return redirect(article_path(article))
    return _render_article_form(form, question=question, problem=_publish_problem(question))


@bp.route("/kb/<int:article_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_article(article_id: int):
    article = db.session.get(Article, article_id) or abort(404)
    form = ArticleForm(obj=article, submit_label=_("Save the article"))
    if form.validate_on_submit():
        done, _article = attempt(form, lambda: knowledge.edit(
            current_user, article.id, **_article_fields(form)))
        if done:
            flash(_("The article is saved."), "success")
            return redirect(article_path(article))
    return _render_article_form(form, article=article)
