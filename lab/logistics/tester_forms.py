"""Forms of the tester's device page: the parcel back (carrier and tracking number)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from lab.logistics.shipping import CARRIER_LABELS


class SentBackForm(FlaskForm):
    """"I have sent it back": the service checks the carrier and the tracking number."""

    # an unknown carrier is refused by the service, with its message beside the field
    carrier = SelectField(
        _l("Carrier"), choices=[("", _l("Please choose")), *CARRIER_LABELS.items()],
        validate_choice=False,
        validators=[DataRequired(message=_l("Please choose the carrier."))])
    tracking_number = StringField(
        _l("Tracking number"),
        description=_l("As printed on the parcel receipt; spaces do not matter."),
        validators=[DataRequired(message=_l("Please enter the tracking number.")),
                    Length(max=60)],
        render_kw={"maxlength": 60, "autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField(_l("I have sent it back"))
