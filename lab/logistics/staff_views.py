"""Staff pages of the inventory: /staff/devices/ (list, one device, import, overdue)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload, selectinload

from lab.accounts.models import User
from lab.campaigns.models import EVALUATION, TESTING, Campaign, Product
from lab.core.clock import utcnow
from lab.core.db import commit, id_or_none
from lab.core.durations import humanise
from lab.core.errors import DomainError
from lab.core.formtools import attach_error
from lab.core.pagination import paginate
from lab.core.permissions import logistics_required, staff_required
from lab.extensions import db
from lab.logistics import after_test  # noqa: F401  (registers what follows a test)
from lab.logistics.forms import (
    DeviceFilterForm,
    DeviceForm,
    ImportForm,
    NewDeviceForm,
    StatusForm,
    manual_moves,
)
from lab.logistics.importer import CONDITION_ALIASES, MAX_ERRORS_SHOWN, template_csv
from lab.logistics.importer import import_devices as import_file
from lab.logistics.inventory import (
    CONDITION_LABELS,
    STATUS_LABELS,
    add_device,
    assignments_of,
    devices_query,
    history,
    products_with_devices,
    status_counts,
    update_device,
)
from lab.logistics.inventory import change_status as move_by_hand
from lab.logistics.models import (
    ENDED_CANCELLED,
    ENDED_GIVEN_AWAY,
    ENDED_LOST,
    ENDED_RETURNED,
    IN_STOCK,
    Assignment,
    Device,
)
from lab.logistics.shipping import CARRIER_LABELS, overdue_returns_query

bp = Blueprint("logistics", __name__, url_prefix="/staff/devices")

PER_PAGE = 50
OUTCOME_LABELS = {ENDED_RETURNED: _l("returned"), ENDED_GIVEN_AWAY: _l("given away"),
                  ENDED_LOST: _l("lost"), ENDED_CANCELLED: _l("reservation cancelled")}
# a page's users and campaigns without what they would eager-load and the page never shows
USERS_ONLY = lazyload(User.roles)
CAMPAIGNS_ONLY = lazyload(Campaign.questions)


def _device_or_404(device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None:
        abort(404)
    return device


def _status(form) -> int:
    """422 for a form sent back with errors; 400 after a bad CSRF token (lab.core.web then
    shows the page with the input kept)."""
    if g.get("csrf_error"):
        return 400
    return 422 if form.errors else 200


def _run(form, action) -> object | None:
    """The service call behind a valid form, committed; on a refusal the message goes
    beside its field and None is returned."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    commit()
    return result


# ---- the list ---------------------------------------------------------------------------

def _campaign_choices() -> list[tuple[int, str]]:
    """(id, title) of the campaigns that have devices or are in testing or evaluation."""
    with_devices = select(Device.campaign_id).where(Device.campaign_id.is_not(None))
    return [tuple(row) for row in db.session.execute(
        select(Campaign.id, Campaign.title)
        .where(or_(Campaign.id.in_(with_devices), Campaign.state.in_((TESTING, EVALUATION))))
        .order_by(Campaign.title, Campaign.id))]


@bp.get("/")
@staff_required
def list_devices():
    form = DeviceFilterForm(request.args, products=products_with_devices(),
                            campaigns=_campaign_choices())
    form.validate()
    filters = form.filters()
    query = devices_query(**filters).options(
        selectinload(Device.holder).options(USERS_ONLY),
        selectinload(Device.campaign).options(CAMPAIGNS_ONLY))
    return render_template(
        "logistics/staff/list.html", form=form, page=paginate(query, per_page=PER_PAGE),
        counts=status_counts(filters["product_id"]),
        product_id=filters["product_id"], filtered=any(filters.values()),
        statuses=STATUS_LABELS, conditions=CONDITION_LABELS)


# ---- adding and editing -----------------------------------------------------------------

def _device_fields(form) -> dict:
    return {"serial": form.serial.data, "imei": form.imei.data,
            "condition": form.condition.data, "notes": form.notes.data}


@bp.route("/new", methods=["GET", "POST"])
@logistics_required
def new_device():
    products = db.session.scalars(select(Product).order_by(Product.name, Product.id)).all()
    form = NewDeviceForm(products=products)
    if form.validate_on_submit():
        device = _run(form, lambda: add_device(
            current_user, product_id=id_or_none(form.product_id.data), **_device_fields(form)))
        if device is not None:
            flash(_("Device %(serial)s added to stock.", serial=device.serial), "success")
            return redirect(url_for(".device", device_id=device.id))
    return render_template("logistics/staff/device_form.html", form=form,
                           device=None), _status(form)


@bp.route("/<int:device_id>/edit", methods=["GET", "POST"])
@logistics_required
def edit_device(device_id: int):
    device = _device_or_404(device_id)
    form = DeviceForm(obj=device)
    if form.validate_on_submit():
        changed = _run(form, lambda: update_device(current_user, device_id,
                                                             **_device_fields(form)))
        if changed is not None:
            flash(_("The device's data was saved.") if changed else _("Nothing was changed."),
                  "success" if changed else "info")
            return redirect(url_for(".device", device_id=device_id))
    return render_template("logistics/staff/device_form.html", form=form,
                           device=device), _status(form)


# ---- one device -------------------------------------------------------------------------

def _by_id(model, ids: set, *options) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(
        select(model).where(model.id.in_(ids)).options(*options))}


def _render_device(device: Device, status: int = 200, status_form=None):
    events = history(device.id)
    loans = assignments_of(device.id)  # with their shipments (selectin)
    # the people and campaigns of the whole page in one query each
    users = _by_id(User, {device.holder_id, *(e.actor_id for e in events),
                          *(e.member_id for e in events), *(a.member_id for a in loans)},
                   USERS_ONLY)
    campaigns = _by_id(Campaign, {device.campaign_id, *(a.campaign_id for a in loans)},
                       CAMPAIGNS_ONLY)
    if status_form is None:
        status_form = StatusForm(formdata=None, device=device, condition=device.condition)
    return render_template(
        "logistics/staff/device.html", device=device, events=events, loans=loans,
        users=users, campaigns=campaigns, status_form=status_form,
        moves=manual_moves(device.status), in_stock=IN_STOCK, statuses=STATUS_LABELS,
        conditions=CONDITION_LABELS, carriers=CARRIER_LABELS,
        outcomes=OUTCOME_LABELS), status


@bp.get("/<int:device_id>")
@staff_required
def device(device_id: int):
    return _render_device(_device_or_404(device_id))


@bp.post("/<int:device_id>/status")
@logistics_required
def change_status(device_id: int):
    device = _device_or_404(device_id)
    form = StatusForm(device=device)
    if form.validate_on_submit():
        to = form.status.data
        moved = _run(form, lambda: move_by_hand(
            current_user, device_id, to, reason=form.reason.data,
            condition=form.condition.data))
        if moved is not None:
            flash(_("The device is now “%(status)s”.", status=STATUS_LABELS[to]), "success")
            return redirect(url_for(".device", device_id=device_id))
    return _render_device(device, _status(form), status_form=form)


# ---- import -----------------------------------------------------------------------------

def _render_import(form, result=None, status: int = 200):
    products = db.session.scalars(select(Product).order_by(Product.name, Product.id)).all()
    return render_template(
        "logistics/staff/import.html", form=form, result=result, products=products,
        shown=result.errors[:MAX_ERRORS_SHOWN] if result else [],
        error_rows=len({error.row for error in result.errors}) if result else 0,
        conditions=CONDITION_LABELS, aliases=CONDITION_ALIASES), status


@bp.route("/import", methods=["GET", "POST"])
@logistics_required
def import_devices():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        result = _run(form, lambda: import_file(
            current_user, upload.read(), filename=upload.filename or ""))
        if result is not None and result.ok:
            flash(ngettext("%(num)d device imported.", "%(num)d devices imported.",
                           result.imported), "success")
            return redirect(url_for(".list_devices"))
        if result is not None:  # rows with problems: nothing was inserted
            return _render_import(form, result)
    return _render_import(form, status=_status(form))


@bp.get("/import/template.csv")
@logistics_required
def import_template():
    # with a byte order mark, so spreadsheets open it as UTF-8 (the import accepts it)
    return Response("\ufeff" + template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="devices.csv"'})


# ---- overdue returns --------------------------------------------------------------------

@bp.get("/overdue")
@staff_required
def overdue():
    now = utcnow()
    query = overdue_returns_query(now).options(
        selectinload(Assignment.member).options(USERS_ONLY),
        selectinload(Assignment.campaign).options(CAMPAIGNS_ONLY))
    page = paginate(query, per_page=PER_PAGE)
    return render_template(
        "logistics/staff/overdue.html", page=page, carriers=CARRIER_LABELS,
        overdue_by={loan.id: humanise(now - loan.return_due_at) for loan in page.items})
