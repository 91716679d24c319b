"""A campaign's devices: /staff/campaigns/<slug>/devices (assign, ship, lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lab.campaigns.applications import STATUS_LABELS as APPLICATION_LABELS
from lab.campaigns.lookup import campaign_or_404
from lab.campaigns.models import OWN_DEVICE, TESTING, Campaign
from lab.core.clock import utcnow
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.export import csv_response
from lab.core.forms import ActionForm
from lab.core.formtools import attach_error
from lab.core.permissions import logistics_required, staff_required
from lab.extensions import db
from lab.logistics import assignments, inventory, lists, shipping
from lab.logistics.addresses import AddressRefused
from lab.logistics.inventory import CONDITION_LABELS, STATUS_LABELS
from lab.logistics.models import IN_STOCK, Assignment
from lab.logistics.shipping_forms import (
    AssignForm,
    ReceiveForm,
    ReturnForm,
    ShipForm,
    for_row,
)

bp = Blueprint("shipping", __name__, url_prefix="/staff/campaigns/<slug>/devices")

# the form behind each action of the roster
FORMS: dict[str, type[FlaskForm]] = {
    "assign": AssignForm, "auto": ActionForm, "unassign": ActionForm, "ship": ShipForm,
    "delivered": ActionForm, "return": ReturnForm, "received": ReceiveForm}
HIDDEN_FIELDS = ("csrf_token", "application_id")


@dataclass(frozen=True)
class Failure:
    """A form sent back: which action, for which tester's row (application id; None: the
    page), with the input and the errors."""

    action: str
    key: int | None
    form: FlaskForm

    @property
    def messages(self) -> list[str]:
        """The errors no visible field shows."""
        hidden = [error for name in HIDDEN_FIELDS if name in self.form
                  for error in self.form[name].errors]
        return [*self.form.form_errors, *hidden]


def _assignment_or_404(campaign: Campaign, assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.campaign_id != campaign.id:
        abort(404)
    return assignment


def _roster_url(campaign: Campaign, key: int | None) -> str:
    return url_for(".campaign_devices", slug=campaign.slug,
                   _anchor=f"tester-{key}" if key else "roster")


# ---- the roster ------------------------------------------------------------------------

def _render(campaign: Campaign, failure: Failure | None = None, status: int = 200):
    rows = assignments.roster(campaign)
    logistics = bool(current_user.is_logistics)
    ships = campaign.device_policy != OWN_DEVICE
    can_assign = logistics and ships and campaign.state == TESTING
    stock = assignments.stock_for(campaign) if can_assign else []

    def form_for(action: str, key: int | None):
        """The row's form: the one sent back with errors, else an empty one."""
        if failure is not None and (failure.action, failure.key) == (action, key):
            form = failure.form
        else:
            form = FORMS[action](formdata=None)
        if isinstance(form, AssignForm):
            form.offer(stock)
            form.application_id.data = key
        return for_row(form, key)

    row_keys = {row.application.id for row in rows}
    return render_template(
        "logistics/campaign/devices.html", campaign=campaign, rows=rows,
        counts=lists.roster_counts(rows), logistics=logistics, ships=ships,
        can_assign=can_assign, in_stock=inventory.status_counts(campaign.product_id)[IN_STOCK]
        if can_assign else 0, failure=failure,
        # the row that shows the failure's message (actions are shown when devices ship)
        failure_row=failure.key if failure and ships and failure.key in row_keys else None,
        form_for=form_for, application_labels=APPLICATION_LABELS,
        device_labels=STATUS_LABELS, outcome_labels=lists.OUTCOME_LABELS,
        carrier_labels=shipping.CARRIER_LABELS,
        return_days=current_app.config["RETURN_DAYS"]), status


@bp.get("/")
@staff_required
def campaign_devices(slug: str):
    return _render(campaign_or_404(slug))


def _act(campaign: Campaign, action: str, key: int | None, form: FlaskForm,
         call: Callable, success: Callable):
    """Validate the form, run the service, commit and go back to the tester's row; a
    refusal re-renders the roster with the message beside the row's field (422)."""
    if form.validate_on_submit():
        try:
            result = call()
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            message = success(result)
            commit()
            flash(message, "success")
            return redirect(_roster_url(campaign, key))
    return _render(campaign, Failure(action, key, form), 422)


@bp.post("/assign")
@logistics_required
def assign(slug: str):
    campaign = campaign_or_404(slug)
    form = AssignForm()
    return _act(campaign, "assign", form.application_id.data, form,
                lambda: assignments.assign(current_user, campaign, form.application_id.data,
                                           form.device_id.data),
                lambda assignment: _("Device %(serial)s is reserved for @%(handle)s.",
                                     serial=assignment.device.serial,
                                     handle=assignment.member.handle))


def _automatic_message(result: tuple[int, int]) -> str:
    assigned, waiting = result
    if not assigned and not waiting:
        return _("Every confirmed tester already has a device.")
    if waiting:
        return _("%(assigned)d assigned, %(waiting)d still without a device (stock empty).",
                 assigned=assigned, waiting=waiting)
    return _("%(assigned)d assigned.", assigned=assigned)


@bp.post("/assign-automatically")
@logistics_required
def assign_automatically(slug: str):
    campaign = campaign_or_404(slug)
    return _act(campaign, "auto", None, ActionForm(),
                lambda: assignments.assign_automatically(current_user, campaign),
                _automatic_message)


def _act_on(slug: str, assignment_id: int, action: str, call: Callable, success: Callable):
    campaign = campaign_or_404(slug)
    assignment = _assignment_or_404(campaign, assignment_id)
    form = FORMS[action]()
    return _act(campaign, action, assignment.application_id, form,
                lambda: call(assignment.id, form), success)


@bp.post("/<int:assignment_id>/unassign")
@logistics_required
def unassign(slug: str, assignment_id: int):
    return _act_on(slug, assignment_id, "unassign",
                   lambda id_, _form: assignments.unassign(current_user, id_,
                                                           reason="put back by staff"),
                   lambda assignment: _("Device %(serial)s is back in stock.",
                                        serial=assignment.device.serial))


@bp.post("/<int:assignment_id>/ship")
@logistics_required
def ship(slug: str, assignment_id: int):
    return _act_on(slug, assignment_id, "ship",
                   lambda id_, form: shipping.ship(current_user, id_,
                                                   carrier=form.carrier.data or "",
                                                   tracking_number=form.tracking_number.data
                                                   or ""),
                   lambda shipment: _("Shipped with %(carrier)s, tracking number "
                                      "%(tracking)s. The tester was told.",
                                      carrier=shipping.CARRIER_LABELS[shipment.carrier],
                                      tracking=shipment.tracking_number))


@bp.post("/<int:assignment_id>/delivered")
@logistics_required
def mark_delivered(slug: str, assignment_id: int):
    return _act_on(slug, assignment_id, "delivered",
                   lambda id_, _form: shipping.deliver(current_user, id_),
                   lambda assignment: _("Device %(serial)s is marked as delivered to "
                                        "@%(handle)s.", serial=assignment.device.serial,
                                        handle=assignment.member.handle))


@bp.post("/<int:assignment_id>/request-return")
@logistics_required
def request_return(slug: str, assignment_id: int):
    return _act_on(slug, assignment_id, "return",
                   lambda id_, form: shipping.request_return_by_staff(current_user, id_,
                                                                      form.reason.data),
                   lambda assignment: _("@%(handle)s was asked to send device %(serial)s "
                                        "back by %(date)s.", handle=assignment.member.handle,
                                        serial=assignment.device.serial,
                                        date=format_date(assignment.return_due_at)))


@bp.post("/<int:assignment_id>/received-back")
@logistics_required
def receive_back(slug: str, assignment_id: int):
    return _act_on(slug, assignment_id, "received",
                   lambda id_, form: shipping.receive_back(current_user, id_,
                                                           note=form.note.data),
                   lambda assignment: _("Device %(serial)s is back. Check it before it goes "
                                        "into stock again.", serial=assignment.device.serial))


# ---- the lists -------------------------------------------------------------------------

@bp.get("/picklist")
@staff_required
def pick_list(slug: str):
    campaign = campaign_or_404(slug)
    return render_template("logistics/campaign/pick_list.html", campaign=campaign,
                           rows=lists.pick_list(campaign), conditions=CONDITION_LABELS,
                           now=utcnow())


@bp.get("/picklist.csv")
@staff_required
def pick_list_csv(slug: str):
    campaign = campaign_or_404(slug)
    return csv_response(f"{campaign.slug}-pick-list.csv",
                        *lists.pick_list_table(lists.pick_list(campaign)))


def _refused(campaign: Campaign, refusal: AddressRefused):
    return render_template("logistics/campaign/refused.html", campaign=campaign,
                           refusal=refusal.message), 403


def _private(response):
    """Pages with addresses are not kept in any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/shipping-list")
@logistics_required
def shipping_list(slug: str):
    campaign = campaign_or_404(slug)
    try:
        rows = lists.shipping_list(current_user, campaign, purpose=lists.SHIPPING_LIST)
    except AddressRefused as refusal:
        return _refused(campaign, refusal)
    page = render_template("logistics/campaign/shipping_list.html", campaign=campaign,
                           rows=rows, now=utcnow())
    commit()  # the audit entries of the addresses shown
    return _private(make_response(page))


@bp.get("/shipping-list.csv")
@logistics_required
def shipping_list_csv(slug: str):
    campaign = campaign_or_404(slug)
    try:
        rows = lists.shipping_list(current_user, campaign, purpose=lists.SHIPPING_LIST_CSV)
    except AddressRefused as refusal:
        return _refused(campaign, refusal)
    response = csv_response(f"{campaign.slug}-shipping-list.csv",
                            *lists.shipping_list_table(rows))
    commit()  # the audit entries of the addresses exported
    return _private(response)
