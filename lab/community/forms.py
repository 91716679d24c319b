"""Forms of the community's member pages: asking and editing a question, answering and
editing an answer, flagging a post. The rules (lengths, tags, categories, the pace of new
members) are checked by lab.community.posts and .moderation, whose errors name these
fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from lab.community import moderation, posts
from lab.community.models import Category
from lab.core.db import id_or_none
from lab.extensions import db

MARKDOWN_HELP = _l("Markdown works: **bold**, *italic*, lists, `code` and links.")


class QuestionForm(FlaskForm):
    title = StringField(_l("Title"), description=_l(
        "Your question in one sentence, e.g. “No mobile data after the update on my "
        "Pixel 8”. Similar questions are suggested while you type."),
        render_kw={"maxlength": posts.TITLE_LENGTH[1], "autocomplete": "off"})
    body = TextAreaField(_l("Your question"), description=MARKDOWN_HELP,
                         render_kw={"rows": 8})
    category_id = SelectField(_l("Category"), coerce=id_or_none, validate_choice=False)
    tags = StringField(_l("Tags (optional)"), description=_l(
        "Up to %(num)d, separated by commas, e.g. “fritzbox, wlan”.", num=posts.MAX_TAGS),
        render_kw={"autocomplete": "off"})
    submit = SubmitField(_l("Ask the community"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = db.session.scalars(select(Category).order_by(Category.position,
                                                                  Category.name))
        self.category_id.choices = [("", _l("Choose a category")),
                                    *((c.id, c.name) for c in categories)]


class EditQuestionForm(QuestionForm):
    submit = SubmitField(_l("Save changes"))


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Your answer"), description=MARKDOWN_HELP,
                         render_kw={"rows": 6})
    submit = SubmitField(_l("Post answer"))


class EditAnswerForm(AnswerForm):
    submit = SubmitField(_l("Save changes"))


class FlagForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this post?"), description=_l(
        "e.g. rude, advertising, personal data, off topic. Only the team reads this."),
        render_kw={"rows": 4, "maxlength": moderation.REASON_LENGTH[1]})
    submit = SubmitField(_l("Report to the team"))
