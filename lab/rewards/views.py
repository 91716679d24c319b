"""Member pages: leaderboard, reward catalog and redeeming, my points, profiles, badges."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lab.accounts.models import User
from lab.community import lists
from lab.core.clock import utcnow
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import ActionForm
from lab.core.formtools import perform
from lab.core.pagination import paginate, paginate_rows
from lab.core.permissions import member_required
from lab.extensions import db
from lab.rewards import badges, catalog, leaderboard, levels, rules
from lab.rewards.forms import RedeemForm
from lab.rewards.ledger import history_query
from lab.rewards.models import Reward

bp = Blueprint("rewards", __name__)


@bp.app_template_global()
def level_of(user):
    return levels.level_for(user.reputation or 0)


@bp.app_template_global()
def reason_label(reason: str):
    return rules.reason_label(reason)


# source kind -> function(source_id) giving the page an entry came from; domains add theirs
SOURCE_LINKS = {
    "redemption": lambda source_id: url_for("rewards.my_redemptions",
                                            _anchor=f"redemption-{source_id}"),
}


def register_source_link(kind: str, link) -> None:
    SOURCE_LINKS[kind] = link


@bp.app_template_global()
def source_link(entry) -> str | None:
    link = SOURCE_LINKS.get(entry.source_kind or "")
    return link(entry.source_id) if link else None


@bp.get("/leaderboard")
def show_leaderboard():
    period = request.args.get("period", "all")
    if period not in leaderboard.PERIODS:
        period = "all"
    page = paginate_rows(leaderboard.ranking(period).query, per_page=25)
    mine = None
    if current_user.is_authenticated:
        mine = leaderboard.own_rank(period, current_user.id)
    return render_template("rewards/leaderboard.html", page=page, period=period,
                           periods=leaderboard.PERIODS, mine=mine)


@bp.get("/rewards/")
def show_catalog():
    page = paginate(catalog.catalog_query(), per_page=24)
    return render_template("rewards/catalog.html", page=page, kinds=catalog.KIND_LABELS,
                           now=utcnow())


def _reward_or_404(reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id)
    if reward is None or not (reward.active or current_user.is_authenticated
                              and current_user.is_staff):
        abort(404)
    return reward


def _render_reward(reward: Reward, form: RedeemForm, status: int = 200):
    return render_template("rewards/reward.html", reward=reward, form=form,
                           kinds=catalog.KIND_LABELS, now=utcnow(),
                           min_level=levels.BY_CODE[reward.min_level]), status


@bp.get("/rewards/<int:reward_id>")
def show_reward(reward_id: int):
    return _render_reward(_reward_or_404(reward_id), RedeemForm())


@bp.post("/rewards/<int:reward_id>/redeem")
@member_required
def redeem(reward_id: int):
    reward = _reward_or_404(reward_id)
    form = RedeemForm()
    if not form.validate_on_submit():
        return _render_reward(reward, form, 400)
    try:
        redemption, created = catalog.redeem(current_user, reward.id,
                                             request_key=form.request_key.data)
    except DomainError as error:
        form.form_errors.append(str(error.message))
        db.session.rollback()
        return _render_reward(reward, form, 422)
    commit()
    flash(_("Redeemed: %(title)s. We will let you know as soon as it is on its way.",
            title=reward.title) if created else
          _("You had already sent this request; it was redeemed once."), "success")
    return redirect(url_for(".my_redemptions", _anchor=f"redemption-{redemption.id}"))


@bp.get("/me/redemptions")
@member_required
def my_redemptions():
    page = paginate(catalog.redemptions_of(current_user.id), per_page=25)
    return render_template("rewards/my_redemptions.html", page=page,
                           states=catalog.STATE_LABELS)


@bp.post("/me/redemptions/<int:redemption_id>/cancel")
@member_required
def cancel_redemption(redemption_id: int):
    if ActionForm().validate_on_submit():
        perform(lambda: catalog.cancel(current_user, redemption_id),
                _("Redemption cancelled; your points are back."))
    return redirect(url_for(".my_redemptions"))


@bp.get("/me/points")
@member_required
def my_points():
    page = paginate_rows(history_query(current_user.id), per_page=25)
    return render_template("rewards/points.html", page=page,
                           level=levels.level_for(current_user.reputation),
                           next_level=levels.next_level(current_user.reputation))


@bp.get("/members/<handle>")
def member_profile(handle: str):
    member = db.session.scalar(select(User).where(User.handle_key == handle.casefold(),
                                                  User.active.is_(True)))
    if member is None:
        abort(404)
    return render_template("rewards/member.html", member=member,
                           grants=badges.held_by(member.id), badges=badges.BY_CODE,
                           level=levels.level_for(member.reputation),
                           rank=leaderboard.own_rank("all", member.id),
                           community=lists.activity_of(member.id))


@bp.get("/badges/")
def list_badges():
    return render_template("rewards/badges.html", badges=badges.BADGES,
                           counts=badges.holder_counts())


@bp.get("/badges/<code>")
def badge_holders(code: str):
    badge = badges.BY_CODE.get(code) or abort(404)
    page = paginate(badges.holders_query(code), per_page=50)
    return render_template("rewards/badge.html", badge=badge, page=page)
