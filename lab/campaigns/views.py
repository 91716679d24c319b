"""Member pages of the test lab: the campaign list, a campaign, applying, confirming a
place, and the member's own applications."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, or_, select

from lab.accounts.services import address_of
from lab.campaigns import applications, eligibility, lifecycle, questions, selection
from lab.campaigns.forms import (
    ADDRESS_FIELDS,
    CampaignFilterForm,
    ConfirmForm,
    ConfirmWithoutDeviceForm,
    answers_as_data,
    questionnaire,
)
from lab.campaigns.lookup import campaign_or_404, published_campaign_or_404
from lab.campaigns.models import (
    CANCELLED,
    CLOSED,
    EVALUATION,
    OWN_DEVICE,
    PUBLIC_STATES,
    RECRUITING,
    SELECTED,
    SELECTION,
    TESTING,
    Application,
    Campaign,
    Product,
)
from lab.campaigns.products import CATEGORY_LABELS
from lab.core.clock import utcnow
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.formtools import attach_error, perform
from lab.core.pagination import paginate
from lab.core.permissions import member_required
from lab.extensions import db

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
me = Blueprint("campaigns_me", __name__, url_prefix="/me")

QUESTION_FIELD = re.compile(r"^q\d+$")
RUNNING_STATES = (SELECTION, TESTING, EVALUATION)


@bp.app_template_global()
def campaign_state_label(state: str) -> str:
    return str(lifecycle.STATE_LABELS.get(state, state))


@bp.app_template_global()
def application_status_label(status: str) -> str:
    return applications.status_label(status)


@bp.app_template_global()
def product_category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


@bp.app_template_global()
def open_campaigns(limit: int = 3) -> list[Campaign]:
    """Campaigns open for applications, soonest closing first (for the home page)."""
    return list(db.session.scalars(listing_query("open", None, None, utcnow()).limit(limit)))


def listing_query(show: str, category: str | None, text: str | None, now):
    query = select(Campaign)
    if show == "open":
        query = query.where(Campaign.state == RECRUITING, Campaign.applications_close_at > now)
        order = [Campaign.applications_close_at, Campaign.id]
    elif show == "running":
        query = query.where(or_(Campaign.state.in_(RUNNING_STATES),
                                (Campaign.state == RECRUITING)
                                & (Campaign.applications_close_at <= now)))
        order = [Campaign.test_starts_at.desc(), Campaign.id.desc()]
    elif show == "past":
        query = query.where(Campaign.state.in_((CLOSED, CANCELLED)))
        order = [Campaign.test_ends_at.desc(), Campaign.id.desc()]
    else:
        states = (RECRUITING, *RUNNING_STATES) if show == "current" \
            else (*PUBLIC_STATES, CANCELLED)
        query = query.where(Campaign.state.in_(states))
        # open for applications first, soonest closing first; then the rest, newest first
        open_now = case((Campaign.state == RECRUITING, 0), else_=1)
        order = [open_now, Campaign.applications_close_at.desc(), Campaign.id.desc()]
    if category:
        query = query.where(Campaign.product_id.in_(
            select(Product.id).where(Product.category == category)))
    words = (text or "").strip()[:80]
    if words:
        # the words as typed: % and _ match themselves, not any text
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", words) + "%"
        query = query.where(or_(Campaign.title.ilike(pattern, escape="\\"),
                                Campaign.summary.ilike(pattern, escape="\\")))
    return query.order_by(*order)


@bp.get("/")
def list_campaigns():
    form = CampaignFilterForm(request.args)
    form.validate()  # each field on its own: a bad one does not undo the others
    show = form.show.data if form.show.data and not form.show.errors else "current"
    category = form.category.data if not form.category.errors else None
    now = utcnow()
    page = paginate(listing_query(show, category or None, form.q.data, now), per_page=12)
    hints, mine = {}, {}
    if current_user.is_authenticated and page.items:
        facts = eligibility.facts_for([current_user.id])[current_user.id]
        hints = {c.id: eligibility.unmet(c.eligibility, facts, now) for c in page.items}
        mine = dict(db.session.execute(
            select(Application.campaign_id, Application.status)
            .where(Application.member_id == current_user.id,
                   Application.campaign_id.in_([c.id for c in page.items]))).all())
    return render_template("campaigns/list.html", page=page, form=form, hints=hints,
                           mine=mine, now=now, explain=eligibility.explain)


def _public_campaign_or_404(slug: str) -> Campaign:
    """Staff also see drafts (to preview them)."""
    if current_user.is_authenticated and current_user.is_staff:
        return campaign_or_404(slug)
    return published_campaign_or_404(slug)


@bp.get("/<slug>")
def show_campaign(slug: str):
    campaign = _public_campaign_or_404(slug)
    now = utcnow()
    application, unmet = None, None
    if current_user.is_authenticated:
        application = applications.application_of(current_user.id, campaign.id)
        facts = eligibility.facts_for([current_user.id])[current_user.id]
        unmet = eligibility.unmet(campaign.eligibility, facts, now)
    return render_template("campaigns/show.html", campaign=campaign, application=application,
                           unmet=unmet, now=now, explain=eligibility.explain,
                           policy_label=lifecycle.POLICY_LABELS.get(campaign.device_policy),
                           outcome=application and applications.explain_outcome(application))


@bp.route("/<slug>/apply", methods=["GET", "POST"])
@member_required
def apply(slug: str):
    campaign = _public_campaign_or_404(slug)
    application = applications.application_of(current_user.id, campaign.id)
    now = utcnow()
    unmet = applications.unmet_rules(current_user, campaign, now)
    if request.method == "GET":
        form = questionnaire(campaign, data=answers_as_data(application))
    else:
        form = questionnaire(campaign)
    if form.validate_on_submit():
        submit = bool(form.submit.data)
        try:
            applications.save(current_user, campaign, _answers_from(form, campaign),
                               submit=submit, accept_terms=form.accept_terms.data)
        except questions.AnswerErrors as problems:
            for name, message in problems.errors.items():
                form[name].errors = [*form[name].errors, str(message)]
            form.form_errors.append(str(problems.message))
            db.session.rollback()
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_("Your application has been sent. Good luck!") if submit
                  else _("Your draft has been saved. Remember to send it before the "
                         "window closes."), "success")
            return redirect(url_for(".show_campaign", slug=campaign.slug))
    return render_template("campaigns/apply.html", campaign=campaign, form=form,
                           application=application, unmet=unmet, now=now,
                           explain=eligibility.explain,
                           is_open=campaign.accepts_applications(now))


def _answers_from(form, campaign) -> dict:
    """Answers as sent: multiple choices as lists; stray q<id> fields kept for the
    service to refuse."""
    raw = {}
    known = {questions.field_name(q): q for q in campaign.questions}
    for name in request.form:
        if not QUESTION_FIELD.match(name):
            continue
        question = known.get(name)
        if question is not None and question.kind == "multiple":
            raw[name] = request.form.getlist(name)
        else:
            raw[name] = request.form.get(name)
    return raw


@bp.post("/<slug>/withdraw")
@member_required
def withdraw(slug: str):
    campaign = _public_campaign_or_404(slug)
    perform(lambda: applications.withdraw(current_user, campaign),
            _("Your application has been withdrawn. You can apply again while the window "
              "is open."))
    return redirect(url_for(".show_campaign", slug=campaign.slug))


@bp.route("/<slug>/confirm", methods=["GET", "POST"])
@member_required
def confirm(slug: str):
    campaign = _public_campaign_or_404(slug)
    application = applications.application_of(current_user.id, campaign.id)
    if application is None or application.status != SELECTED:
        flash(_("There is no place waiting for your confirmation."), "info")
        return redirect(url_for(".show_campaign", slug=campaign.slug))
    needs_address = campaign.device_policy != OWN_DEVICE
    form_class = ConfirmForm if needs_address else ConfirmWithoutDeviceForm
    form = form_class(obj=address_of(current_user)) if request.method == "GET" \
        else form_class()
    if form.validate_on_submit():
        address = {name: form[name].data for name in ADDRESS_FIELDS} if needs_address \
            else None
        try:
            selection.confirm(current_user, campaign, accept_terms=form.accept_terms.data,
                              address=address)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_("Thank you! Your place is confirmed."), "success")
            return redirect(url_for(".show_campaign", slug=campaign.slug))
    return render_template("campaigns/confirm.html", campaign=campaign, form=form,
                           application=application, needs_address=needs_address)


@bp.post("/<slug>/decline")
@member_required
def decline(slug: str):
    campaign = _public_campaign_or_404(slug)
    perform(lambda: selection.decline_offer(current_user, campaign),
            _("You gave up your place. Thank you for telling us: it goes to the next "
              "person on the waiting list."))
    return redirect(url_for(".show_campaign", slug=campaign.slug))


@me.get("/applications/<int(max=2147483647):application_id>")  # beyond: 404, not 500
@member_required
def my_application(application_id: int):
    application = applications.own_application(current_user.id, application_id)
    if application is None:
        abort(404)
    events = applications.history_of([application.id])[application.id]
    return render_template("campaigns/my_application.html", application=application,
                           campaign=application.campaign, events=events,
                           outcome=applications.explain_outcome(application))
