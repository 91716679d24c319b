"""Staff and admin pages: the catalog, fulfilment of redemptions, awards and approvals."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lab.accounts.choices import COUNTRIES
from lab.accounts.models import User
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.formtools import attach_error, perform
from lab.core.pagination import paginate
from lab.core.permissions import admin_required, logistics_required, staff_required
from lab.core.uploads import save_image
from lab.extensions import db
from lab.rewards import awards, badges, catalog
from lab.rewards.forms import AwardForm, FulfilForm, ReasonForm, RewardForm
from lab.rewards.models import REDEMPTION_STATES, Redemption, Reward

bp = Blueprint("rewards_admin", __name__, url_prefix="/admin")

REWARD_FIELDS = ("kind", "title", "description", "cost", "stock", "per_member_limit",
                 "min_level", "available_from", "available_until", "needs_address", "active")


@bp.get("/rewards")
@staff_required
def list_rewards():
    page = paginate(catalog.catalog_query(include_inactive=True), per_page=50)
    return render_template("rewards/admin/rewards.html", page=page, kinds=catalog.KIND_LABELS)


@bp.route("/rewards/new", methods=["GET", "POST"], endpoint="new_reward")
@bp.route("/rewards/<int:reward_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_reward(reward_id: int | None = None):
    reward = db.session.get(Reward, reward_id) if reward_id else None
    if reward_id and reward is None:
        abort(404)
    form = RewardForm(obj=reward)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in REWARD_FIELDS}
        fields["description"] = fields["description"] or ""
        try:
            upload = form.image.data
            if upload and getattr(upload, "filename", ""):
                fields["image"] = save_image(upload.read(), "rewards")
            reward = catalog.save_reward(current_user, reward, **fields)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_("Reward saved."), "success")
            return redirect(url_for(".list_rewards"))
    return render_template("rewards/admin/reward_form.html", form=form, reward=reward)


@bp.get("/redemptions")
@staff_required
def list_redemptions():
    state = request.args.get("state", "requested")
    state = state if state in REDEMPTION_STATES else None
    page = paginate(catalog.redemptions_query(state), per_page=25)
    return render_template("rewards/admin/redemptions.html", page=page, state=state,
                           states=catalog.STATE_LABELS, kinds=catalog.KIND_LABELS)


@bp.get("/redemptions/<int:redemption_id>/address")
@logistics_required
def redemption_address(redemption_id: int):
    redemption = db.session.get(Redemption, redemption_id) or abort(404)
    address = catalog.shipping_address_for(current_user, redemption)
    commit()  # the audit entry of this look
    return render_template("rewards/admin/address.html", redemption=redemption,
                           address=address, countries=dict(COUNTRIES))


def _redemption_action(redemption_id: int, run):
    redemption = db.session.get(Redemption, redemption_id) or abort(404)
    perform(lambda: run(redemption), lambda changed: _(
        "Redemption of %(member)s: %(state)s.", member=changed.member.handle,
        state=catalog.STATE_LABELS[changed.state]))
    return redirect(url_for(".list_redemptions", state=request.args.get("state", "requested")))


@bp.post("/redemptions/<int:redemption_id>/approve")
@staff_required
def approve_redemption(redemption_id: int):
    return _redemption_action(redemption_id,
                              lambda r: catalog.approve(current_user, r.id))


@bp.post("/redemptions/<int:redemption_id>/fulfil")
@staff_required
def fulfil_redemption(redemption_id: int):
    form = FulfilForm()
    form.validate_on_submit()  # CSRF is checked app-wide; the service checks the code
    return _redemption_action(redemption_id, lambda r: catalog.fulfil(
        current_user, r.id, form.fulfilment_code.data))


@bp.post("/redemptions/<int:redemption_id>/reject")
@staff_required
def reject_redemption(redemption_id: int):
    form = ReasonForm()
    form.validate_on_submit()
    return _redemption_action(redemption_id, lambda r: catalog.reject(
        current_user, r.id, form.reason.data or ""))


def _active_rewards():
    return db.session.scalars(select(Reward).where(Reward.active.is_(True))
                              .order_by(Reward.title)).all()


def _render_awards(form):
    page = paginate(awards.recent_query(), per_page=20)
    return render_template("rewards/admin/awards.html", form=form, page=page,
                           states=awards.STATE_LABELS, badges=badges.BY_CODE)


@bp.route("/awards", methods=["GET", "POST"])
@admin_required
def propose_award():
    form = AwardForm(rewards=_active_rewards())
    if form.validate_on_submit():
        member = db.session.scalar(select(User).where(
            User.handle_key == form.member.data.strip().casefold()))
        try:
            award, created = awards.propose(
                current_user, member, kind=form.kind.data, reason=form.reason.data,
                request_key=form.request_key.data, points=form.points.data,
                badge=form.badge.data or None, reward_id=form.reward_id.data or None)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_message_for(award, created), "success")
            return redirect(url_for(".propose_award"))
    return _render_awards(form)


def _message_for(award, created: bool) -> str:
    if not created:
        return _("This award had already been proposed; nothing was added.")
    if award.needs_approval:
        return _("Award proposed. A second admin must approve it in the approval queue.")
    return _("Award given to %(member)s.", member=award.member.handle)


@bp.get("/approvals")
@admin_required
def approvals():
    page = paginate(awards.queue_query(), per_page=25)
    return render_template("rewards/admin/approvals.html", page=page, badges=badges.BY_CODE)


@bp.post("/approvals/<int:award_id>/approve")
@admin_required
def approve_award(award_id: int):
    perform(lambda: awards.approve(current_user, award_id),
            _("Award approved; it is now in effect."))
    return redirect(url_for(".approvals"))


@bp.post("/approvals/<int:award_id>/reject")
@admin_required
def reject_award(award_id: int):
    form = ReasonForm()
    form.validate_on_submit()
    perform(lambda: awards.reject(current_user, award_id, form.reason.data or ""),
            _("Award rejected."))
    return redirect(url_for(".approvals"))


@bp.post("/badges/<code>/revoke/<int:member_id>")
@admin_required
def revoke_badge(code: str, member_id: int):
    member = db.session.get(User, member_id) or abort(404)
    form = ReasonForm()
    form.validate_on_submit()
    perform(lambda: badges.revoke(member, code, by=current_user, reason=form.reason.data or ""),
            _("Badge withdrawn from %(member)s.", member=member.handle))
    return redirect(url_for("rewards.badge_holders", code=code))
