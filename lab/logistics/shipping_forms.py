"""Forms of a campaign's devices page: assign a device to a tester, ship it, ask for it
back, receive it back. The services check the values (a tampered choice gets their
message); these forms parse them and carry the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from lab.core.db import MAX_ID, id_or_none
from lab.logistics.inventory import CONDITION_LABELS
from lab.logistics.shipping import CARRIER_LABELS

NOTE_MAX = 1000


class AssignForm(FlaskForm):
    application_id = IntegerField(widget=HiddenInput(),
                                  validators=[InputRequired(), NumberRange(1, MAX_ID)])
    device_id = SelectField(_l("Device from stock"), coerce=id_or_none, choices=[],
                            validate_choice=False)

    def offer(self, devices) -> AssignForm:
        """Offer these devices (in stock) to choose from."""
        self.device_id.choices = [("", _l("Choose a device…"))] + [
            (device.id, device_label(device)) for device in devices]
        return self


def device_label(device) -> str:
    parts = [device.serial]
    if device.imei:
        parts.append(f"IMEI {device.imei}")
    parts.append(str(CONDITION_LABELS.get(device.condition, device.condition)))
    return " · ".join(parts)


class ShipForm(FlaskForm):
    carrier = SelectField(_l("Carrier"), validate_choice=False,
                          choices=[("", _l("Choose…")), *CARRIER_LABELS.items()])
    tracking_number = StringField(_l("Tracking number"),
                                  validators=[Optional(), Length(max=60)],
                                  render_kw={"maxlength": 60, "autocomplete": "off"})


class ReturnForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"),
                         validators=[Optional(), Length(max=NOTE_MAX)],
                         description=_l("Kept in the device's history."),
                         render_kw={"maxlength": NOTE_MAX})


class ReceiveForm(FlaskForm):
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)],
                       description=_l("Kept in the device's history."),
                       render_kw={"maxlength": NOTE_MAX})


def for_row(form: FlaskForm, key) -> FlaskForm:
    """Give the form's fields ids of their own (name-key), for one form per table row."""
    for field in form:
        if field.name != "csrf_token":
            field.id = f"{field.name}-{key}"
    return form
