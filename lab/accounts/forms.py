"""Forms of the member's own pages: tester profile, devices, private address."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from lab.accounts import choices


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _blank(label):
    return [("", label)]


class ProfileForm(FlaskForm):
    connection_type = SelectField(
        _l("Internet connection at home"),
        choices=_blank(_l("Not specified")) + choices.CONNECTION_TYPES,
        validators=[Optional()],
    )
    has_mobile_contract = RadioField(
        _l("Mobile contract with us"),
        choices=[("yes", _l("Yes")), ("no", _l("No")), ("", _l("Not specified"))],
        default="",
        validators=[Optional()],
    )
    region = SelectField(
        _l("Region"), choices=_blank(_l("Not specified")) + choices.REGIONS,
        validators=[Optional()],
    )
    postcode_area = StringField(
        _l("Postcode area"),
        description=_l("The first two digits of your postcode, e.g. 53."),
        validators=[Optional(), Regexp(r"^\d{2}$", message=_l(
            "Enter the first two digits of your postcode."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 2},
    )
    interests = MultiCheckboxField(
        _l("Interests"), choices=choices.INTERESTS, validators=[Optional()]
    )
    locale = SelectField(
        _l("Language of the portal and of e-mails"),
        choices=[("de", "Deutsch"), ("en", "English")],
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Save profile"))


class DeviceForm(FlaskForm):
    kind = SelectField(_l("Kind of device"), choices=choices.DEVICE_KINDS)
    brand = StringField(_l("Brand"), validators=[DataRequired(), Length(max=60)],
                        render_kw={"maxlength": 60})
    model = StringField(_l("Model"), validators=[DataRequired(), Length(max=80)],
                        render_kw={"maxlength": 80})
    os = SelectField(_l("Operating system"), choices=choices.OPERATING_SYSTEMS)
    submit = SubmitField(_l("Add device"))


class AddressForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "name", "maxlength": 120})
    street = StringField(_l("Street and number"), validators=[DataRequired(), Length(max=120)],
                         render_kw={"autocomplete": "address-line1", "maxlength": 120})
    extra = StringField(_l("Address line 2 (optional)"),
                        validators=[Optional(), Length(max=120)],
                        render_kw={"autocomplete": "address-line2", "maxlength": 120})
    postcode = StringField(_l("Postcode"), validators=[DataRequired(), Length(max=10)],
                           render_kw={"autocomplete": "postal-code", "inputmode": "numeric",
                                      "maxlength": 10})
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=80)],
                       render_kw={"autocomplete": "address-level2", "maxlength": 80})
    country = SelectField(_l("Country"), choices=choices.COUNTRIES,
                          render_kw={"autocomplete": "country"})
    phone = StringField(
        _l("Phone for the carrier (optional)"),
        validators=[Optional(), Length(max=40), Regexp(
            r"^\+?[0-9 ()/-]{5,40}$", message=_l("Enter a phone number, e.g. +49 228 1234567.")
        )],
        render_kw={"autocomplete": "tel", "maxlength": 40},
    )
    submit = SubmitField(_l("Save address"))
