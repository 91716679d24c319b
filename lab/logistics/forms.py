"""Forms of the inventory pages: the list's filter, a device's data, its status, the
CSV import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from lab.core.db import id_or_none
from lab.logistics.inventory import CONDITION_LABELS, MANUAL_MOVES, STATUS_LABELS
from lab.logistics.models import IN_STOCK, LOST, RETURNED

# what each manual move is called on the device's page, by (from, to)
MOVE_LABELS = {LOST: _l("Mark as lost"), RETURNED: _l("Found again (counts as returned)"),
               IN_STOCK: _l("Checked: back in stock")}


def manual_moves(status: str) -> list[str]:
    """The statuses staff may move a device to by hand from ``status``."""
    return [to for to in (LOST, RETURNED, IN_STOCK) if (status, to) in MANUAL_MOVES]


class DeviceFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(_l("Serial number or IMEI"), validators=[Optional(), Length(max=40)],
                    description=_l("Part of the serial number, or the IMEI's first digits."),
                    render_kw={"maxlength": 40, "type": "search"})
    product = SelectField(_l("Product"), validators=[Optional()], choices=[])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=[("", _l("All")), *STATUS_LABELS.items()])
    campaign = SelectField(_l("Campaign"), validators=[Optional()], choices=[])
    submit = SubmitField(_l("Filter"))

    def __init__(self, *args, products=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = [("", _l("All")),
                                *((str(product.id), product.name) for product in products)]
        self.campaign.choices = [("", _l("All")),
                                 *((str(campaign_id), title) for campaign_id, title in campaigns)]

    def filters(self) -> dict:
        """The valid filters only: a bad value is ignored (and marked), never an error."""
        def value(field):
            return field.data if field.data and not field.errors else None

        return {"search": (value(self.q) or "").strip() or None,
                "product_id": id_or_none(value(self.product)),
                "status": value(self.status),
                "campaign_id": id_or_none(value(self.campaign))}


def _condition_field(label):
    # the service checks the value (validate_choice off), so its message is the one shown
    return SelectField(label, validate_choice=False,
                       choices=[("", _l("Choose the condition")), *CONDITION_LABELS.items()])


class DeviceForm(FlaskForm):
    """A device's data; the rules (serial, IMEI check digit, not taken) are the service's."""

    serial = StringField(_l("Serial number"), validators=[Length(max=60)],
                         description=_l("As on the label; spaces are left out and letters "
                                        "written in capitals."),
                         render_kw={"maxlength": 60, "autocomplete": "off"})
    imei = StringField(_l("IMEI"), validators=[Length(max=30)],
                       description=_l("15 digits; required for phones. Dial *#06# on the "
                                      "phone to see it."),
                       render_kw={"maxlength": 30, "inputmode": "numeric",
                                  "autocomplete": "off"})
    condition = _condition_field(_l("Condition"))
    notes = TextAreaField(_l("Notes (optional)"), validators=[Length(max=2000)],
                          render_kw={"rows": 3, "maxlength": 2000})
    submit = SubmitField(_l("Save the device"))


class NewDeviceForm(DeviceForm):
    product_id = SelectField(_l("Product"), validate_choice=False, choices=[])
    submit = SubmitField(_l("Add the device"))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product_id.choices = [("", _l("Choose the product")),
                                   *((str(p.id), f"{p.name} ({p.maker})") for p in products)]


class StatusForm(FlaskForm):
    # the choices are the moves allowed from the current status; the service decides
    # (validate_choice off), so a tampered or stale value gets its message
    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[Length(max=1000)],
                           description=_l("Required when a device is lost or found again; "
                                          "kept in the device's history."),
                           render_kw={"rows": 2, "maxlength": 1000})
    condition = _condition_field(_l("Condition after the check"))
    submit_status = SubmitField(_l("Change the status"))

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(to, MOVE_LABELS[to]) for to in manual_moves(device.status)]


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(_l("Please choose a CSV file.")),
        FileAllowed(["csv", "txt"], _l("Please choose a CSV file (ending in .csv)."))],
        render_kw={"accept": ".csv,text/csv"})
    submit = SubmitField(_l("Import the devices"))
