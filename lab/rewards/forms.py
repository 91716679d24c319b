"""Forms of the rewards pages: catalog editing, redeeming, fulfilment, awards, badges."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lab.rewards import badges, levels
from lab.rewards.catalog import KIND_LABELS
from lab.rewards.models import AWARD_BADGE, AWARD_POINTS, AWARD_REWARD


class KeyedForm(FlaskForm):
    """A form that carries a one-time key, so sending it twice has one effect."""

    request_key = HiddenField(validators=[DataRequired(), Length(max=64)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.request_key.data:
            self.request_key.data = uuid.uuid4().hex


class RedeemForm(KeyedForm):
    submit = SubmitField(_l("Redeem"))


class RewardForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)],
                                render_kw={"rows": 4})
    image = FileField(_l("Image"), description=_l("JPEG, PNG, WebP or GIF, at most 5 MB. "
                                                 "Location data is removed."))
    cost = IntegerField(_l("Cost in points"), validators=[DataRequired(), NumberRange(min=1)])
    stock = IntegerField(_l("Stock"), validators=[Optional(), NumberRange(min=0)],
                         description=_l("Leave empty for unlimited."))
    per_member_limit = IntegerField(_l("Limit per member"),
                                    validators=[Optional(), NumberRange(min=1)],
                                    description=_l("Leave empty for no limit."))
    min_level = SelectField(_l("Minimum level"), choices=levels.choices())
    available_from = DateTimeLocalField(_l("Available from (UTC)"), validators=[Optional()])
    available_until = DateTimeLocalField(_l("Available until (UTC)"), validators=[Optional()])
    needs_address = BooleanField(_l("Sent by post (needs a shipping address)"))
    active = BooleanField(_l("Active (shown in the catalog)"), default=True)
    submit = SubmitField(_l("Save reward"))


class FulfilForm(FlaskForm):
    fulfilment_code = StringField(_l("Tracking number or ticket code"),
                                  validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Mark as fulfilled"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)],
                           render_kw={"rows": 2})
    submit = SubmitField(_l("Reject"))


class AwardForm(KeyedForm):
    member = StringField(_l("Member (handle)"), validators=[DataRequired(), Length(max=30)])
    kind = RadioField(_l("Award"), default=AWARD_POINTS, choices=[
        (AWARD_POINTS, _l("Points")), (AWARD_BADGE, _l("Badge")),
        (AWARD_REWARD, _l("Reward item"))])
    points = IntegerField(_l("Points"), validators=[Optional()],
                          description=_l("Only for points."))
    badge = SelectField(_l("Badge"), validators=[Optional()],
                        description=_l("Only for badges."))
    reward_id = SelectField(_l("Reward item"), validators=[Optional()], coerce=int,
                            description=_l("Only for reward items."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)],
                           render_kw={"rows": 3})
    submit = SubmitField(_l("Propose award"))

    def __init__(self, *args, rewards=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.badge.choices = [("", _l("– choose –"))] + [
            (badge.code, badge.name) for badge in badges.MANUAL]
        self.reward_id.choices = [(0, _l("– choose –"))] + [
            (reward.id, reward.title) for reward in rewards]
