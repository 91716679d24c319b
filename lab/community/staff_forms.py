"""Forms of the staff community pages: a post's moderation (hide, restore, dismiss flags,
lock, unlock, duplicate) and a knowledge-base article."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from lab.community.knowledge import BODY_LENGTH as ARTICLE_LENGTH
from lab.community.models import Category
from lab.community.moderation import REASON_LENGTH
from lab.community.posts import TITLE_LENGTH
from lab.core.db import MAX_ID, id_or_none
from lab.extensions import db


class MarkedRequired:
    """Shows the field as required (label star, ``required``); the service says what is
    missing, in its own words."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


def _reason(label, name: str, help_text):
    # every form's field is `reason` (the services name it so); the HTML names differ
    # because several of these forms share one page
    return TextAreaField(label, validators=[MarkedRequired()], name=name,
                         description=help_text,
                         render_kw={"rows": 3, "maxlength": REASON_LENGTH[1]})


class HideForm(FlaskForm):
    reason = _reason(_l("Why is the post hidden?"), "hide_reason",
                     _l("The author is told this reason. The post's points are taken back "
                        "and its open flags closed."))
    submit_hide = SubmitField(_l("Hide the post"))


class RestoreForm(FlaskForm):
    reason = _reason(_l("Why is the post shown again?"), "restore_reason",
                     _l("The author is told this reason. An answer's helpful votes pay "
                        "again; a solution has to be chosen again."))
    submit_restore = SubmitField(_l("Show the post again"))


class DismissForm(FlaskForm):
    submit_dismiss = SubmitField(_l("Dismiss the flags and keep the post"))


class LockForm(FlaskForm):
    reason = _reason(_l("Why is the thread locked?"), "lock_reason",
                     _l("Kept in the audit log. A locked thread stays readable but takes no "
                        "new answers, votes or solution changes."))
    submit_lock = SubmitField(_l("Lock the thread"))


class UnlockForm(FlaskForm):
    submit_unlock = SubmitField(_l("Unlock the thread"))


class QuestionNumberField(IntegerField):
    """A question's number as the pages show it: "123" or "#123"; numbers no question
    can have are refused here (the database would not take them)."""

    def process_formdata(self, valuelist):
        super().process_formdata([value.strip().lstrip("#") for value in valuelist])
        if self.data is not None and not 1 <= self.data <= MAX_ID:
            self.data = None
            raise ValueError(_l("There is no question with this number."))


class DuplicateForm(FlaskForm):
    original_id = QuestionNumberField(
        _l("Number of the original question"),
        validators=[Optional()],
        invalid_value_message=_l("Please give the number of the original question, e.g. "
                                 "1234."),
        description=_l("The number in the question's address, e.g. 1234 in /community/q/1234. "
                       "This question is locked and linked there; its asker and “me too” "
                       "members join the original."),
        render_kw={"min": 1, "inputmode": "numeric"})
    submit_duplicate = SubmitField(_l("Mark as a duplicate"))


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[MarkedRequired()],
                        render_kw={"maxlength": TITLE_LENGTH[1]})
    body = TextAreaField(_l("Article"), validators=[MarkedRequired()],
                         description=_l("Markdown: ## headings, **bold**, *italic*, lists, "
                                        "links. At least %(num)d characters.",
                                        num=ARTICLE_LENGTH[0]),
                         render_kw={"rows": 16, "maxlength": ARTICLE_LENGTH[1]})
    category_id = SelectField(_l("Category"), validators=[MarkedRequired()],
                              coerce=id_or_none, validate_choice=False, choices=[])
    submit = SubmitField(_l("Publish the article"))

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = [("", _l("Choose a category"))] + [
            (category.id, category.name) for category in db.session.scalars(
                select(Category).order_by(Category.position, Category.name))]
        if submit_label is not None:
            self.submit.label.text = submit_label
