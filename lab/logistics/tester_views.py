"""The tester's device in the participant area: /tests/<slug>/device and shipments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lab.campaigns.lookup import published_campaign_or_404
from lab.campaigns.models import Application, Campaign
from lab.core.clock import utcnow
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import safe_next
from lab.core.formtools import attach_error
from lab.core.permissions import member_required
from lab.extensions import db
from lab.feedback import access
from lab.logistics import shipping
from lab.logistics.models import BACK, OUT, Assignment
from lab.logistics.tester_forms import SentBackForm
from lab.logistics.tester_state import device_state

bp = Blueprint("tester_device", __name__, url_prefix="/tests/<slug>")

def _not_a_tester(campaign: Campaign, error: access.NotATester):
    abort(make_response(render_template(
        "feedback/tests/not_a_tester.html", campaign=campaign, message=error.message), 403))


def _holder(slug: str) -> tuple[Campaign, Application | None, Assignment | None]:
    """The campaign, the member's place in its test and their device; a 403 page for
    members who are neither its testers nor hold one of its devices (a tester who
    dropped out, or of a cancelled campaign, still sends the device back here)."""
    campaign = published_campaign_or_404(slug)
    assignment = shipping.tester_assignment(current_user, campaign)
    try:
        application = access.participation(current_user.id, campaign).application
    except access.NotATester as error:
        if assignment is None:
            _not_a_tester(campaign, error)
        application = None
    return campaign, application, assignment


def _device_page(slug: str, form: SentBackForm | None = None):
    campaign, application, assignment = _holder(slug)
    return render_template(
        "logistics/tests/device.html", campaign=campaign, assignment=assignment,
        state=device_state(assignment, application), form=form or SentBackForm(),
        out=assignment.shipment(OUT) if assignment else None,
        back=assignment.shipment(BACK) if assignment else None,
        return_address=shipping.return_address(), carriers=shipping.CARRIER_LABELS,
        now=utcnow())


@bp.get("/device")
@member_required
def show_device(slug: str):
    return _device_page(slug)


@bp.post("/device/sent-back")
@member_required
def sent_back(slug: str):
    campaign, _application, _assignment = _holder(slug)
    form = SentBackForm()
    if form.validate_on_submit():
        try:
            shipping.sent_back(current_user, campaign, carrier=form.carrier.data,
                               tracking_number=form.tracking_number.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_("Thank you! Your parcel back to us is recorded; we tell you when it "
                    "has arrived."), "success")
            return redirect(url_for(".show_device", slug=slug, _anchor="parcel-back"))
    return _device_page(slug, form)


@bp.get("/shipments/<int:shipment_id>")
@member_required
def show_shipment(slug: str, shipment_id: int):
    campaign = published_campaign_or_404(slug)
    try:
        shipment = shipping.own_shipment(current_user, campaign, shipment_id)
    except shipping.NotYours:
        abort(404)
    return render_template("logistics/tests/shipment.html", campaign=campaign,
                           shipment=shipment, carriers=shipping.CARRIER_LABELS)


@bp.post("/shipments/<int:shipment_id>/received")
@member_required
def confirm_receipt(slug: str, shipment_id: int):
    campaign = published_campaign_or_404(slug)
    device_page = url_for(".show_device", slug=slug)
    try:
        shipping.confirm_receipt(current_user, campaign, shipment_id)
    except shipping.NotYours:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(device_page)
    commit()
    flash(_("Thank you! The device is marked as received. Enjoy testing!"), "success")
    return redirect(safe_next(request.form.get("next"), device_page))
