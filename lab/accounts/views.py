"""The member's own pages: overview, tester profile with devices, private address."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lab.accounts import services
from lab.accounts.forms import AddressForm, DeviceForm, ProfileForm
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import ActionForm
from lab.core.formtools import attach_error
from lab.core.i18n import chosen_language
from lab.core.pagination import paginate
from lab.core.permissions import member_required

bp = Blueprint("accounts", __name__, url_prefix="/me")

_YES_NO = {"yes": True, "no": False}


@bp.get("/")
@member_required
def dashboard():
    # the test lab's part of my area (a service of another domain, never its views)
    from lab.campaigns import applications

    page = paginate(applications.member_applications_query(current_user.id), per_page=10)
    history = applications.history_of([a.id for a in page.items])
    return render_template("accounts/dashboard.html", applications_page=page, history=history,
                           explain_outcome=applications.explain_outcome)


def _profile_form(from_request: bool) -> ProfileForm:
    """The profile form as submitted, or filled from the stored profile."""
    if from_request:
        return ProfileForm()
    profile = services.profile_of(current_user)
    # Every value passed by name: the model's interests and contract flag are not
    # in the form's shape, and WTForms would prefer obj= attributes over them.
    return ProfileForm(
        formdata=None,
        connection_type=profile.connection_type or "",
        has_mobile_contract={True: "yes", False: "no"}.get(profile.has_mobile_contract, ""),
        region=profile.region or "",
        postcode_area=profile.postcode_area or "",
        interests=profile.interest_codes,
        locale=current_user.locale or chosen_language(),
    )


def _render_profile(form, device_form):
    return render_template(
        "accounts/profile.html", form=form, device_form=device_form,
        profile=services.profile_of(current_user),
    )


@bp.route("/profile", methods=["GET", "POST"])
@member_required
def edit_profile():
    form = _profile_form(request.method == "POST")
    if form.validate_on_submit():
        try:
            services.save_profile(
                current_user,
                connection_type=form.connection_type.data,
                has_mobile_contract=_YES_NO.get(form.has_mobile_contract.data),
                region=form.region.data,
                postcode_area=form.postcode_area.data,
                interests=form.interests.data,
                locale=form.locale.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for(".edit_profile"))
    return _render_profile(form, DeviceForm(formdata=None))


@bp.post("/profile/devices")
@member_required
def add_device():
    device_form = DeviceForm()
    if device_form.validate_on_submit():
        try:
            services.add_device(
                current_user,
                kind=device_form.kind.data,
                brand=device_form.brand.data,
                model=device_form.model.data,
                os=device_form.os.data,
            )
        except DomainError as error:
            attach_error(device_form, error)
        else:
            commit()
            flash(_("Device added."), "success")
            return redirect(url_for(".edit_profile") + "#devices")
    return _render_profile(_profile_form(False), device_form)


@bp.post("/profile/devices/<int:device_id>/remove")
@member_required
def remove_device(device_id: int):
    if ActionForm().validate_on_submit():
        try:
            services.remove_device(current_user, device_id)
        except DomainError as error:
            flash(str(error.message), "danger")
        else:
            commit()
            flash(_("Device removed."), "success")
    return redirect(url_for(".edit_profile") + "#devices")


@bp.route("/address", methods=["GET", "POST"])
@member_required
def edit_address():
    address = services.address_of(current_user)
    form = AddressForm(obj=address) if request.method == "GET" else AddressForm()
    if form.validate_on_submit():
        try:
            services.save_address(
                current_user,
                **{name: form[name].data for name in (
                    "full_name", "street", "extra", "postcode", "city", "country", "phone")},
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            commit()
            flash(_("Your address has been saved. Only you can see it."), "success")
            return redirect(url_for(".edit_address"))
    # how long the address is kept: the logistics domain's service
    from lab.logistics.retention import retention_of

    return render_template("accounts/address.html", form=form, address=address,
                           retention=retention_of(current_user.id) if address else None,
                           retention_days=current_app.config["ADDRESS_RETENTION_DAYS"])


@bp.post("/address/delete")
@member_required
def delete_address():
    if ActionForm().validate_on_submit() and services.delete_address(current_user):
        commit()
        flash(_("Your address has been deleted."), "success")
    return redirect(url_for(".edit_address"))
