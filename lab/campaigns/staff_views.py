"""Staff pages of the test lab: products, campaigns, review, questions, applications."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from lab.accounts.models import User
from lab.campaigns import (
    applications,
    eligibility,
    lifecycle,
    products,
    questions,
    ranking,
    selection,
    staff_lists,
)
from lab.campaigns.lookup import campaign_or_404
from lab.campaigns.models import (
    CAMPAIGN_STATES,
    CONFIRMED,
    DRAFT,
    EVALUATION,
    OPEN_STATES,
    RECRUITING,
    SELECTION,
    TESTING,
    Application,
    Campaign,
    CampaignQuestion,
    Draw,
    Product,
)
from lab.campaigns.staff_forms import (
    ApplicationFilterForm,
    CampaignForm,
    DecisionForm,
    ProductForm,
    QuestionForm,
    ReasonForm,
)
from lab.core import audit
from lab.core.db import commit
from lab.core.errors import DomainError
from lab.core.forms import ActionForm
from lab.core.formtools import attach_error, perform
from lab.core.pagination import paginate
from lab.core.permissions import staff_required
from lab.extensions import db

bp = Blueprint("campaigns_staff", __name__, url_prefix="/staff")


def _back_to_review() -> str:
    return _("Saved. The change affects what applicants read, so the campaign went back to "
             "review: a different staff member must approve it again.")


# ---- products ---------------------------------------------------------------------------

@bp.get("/products/")
@staff_required
def list_products():
    page = paginate(products.products_query(), per_page=50)
    return render_template("campaigns/staff/products.html", page=page,
                           categories=products.CATEGORY_LABELS)


@bp.route("/products/new", methods=["GET", "POST"], endpoint="new_product")
@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_product(product_id: int | None = None):
    product = db.session.get(Product, product_id) if product_id else None
    if product_id and product is None:
        abort(404)
    form = ProductForm(obj=product)
    if form.validate_on_submit():
        upload = form.image.data
        image = upload.read() if upload and getattr(upload, "filename", "") else None
        try:
            product = products.save_product(
                current_user, product, name=form.name.data, maker=form.maker.data,
                category=form.category.data, description=form.description.data,
                image_data=image)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_("Product saved."), "success")
            return redirect(url_for(".list_products"))
    return render_template("campaigns/staff/product_form.html", form=form, product=product)


# ---- campaigns --------------------------------------------------------------------------

@bp.get("/campaigns/")
@staff_required
def list_campaigns():
    state = request.args.get("state")
    state = state if state in CAMPAIGN_STATES else None
    page = paginate(staff_lists.campaigns_query(state), per_page=25)
    return render_template("campaigns/staff/campaigns.html", page=page, state=state,
                           states=lifecycle.STATE_LABELS, can_review=lifecycle.can_review)


def _campaign_form(campaign: Campaign | None = None) -> CampaignForm:
    all_products = db.session.scalars(products.products_query()).all()
    form = CampaignForm(obj=campaign, products=all_products)
    if campaign is not None and not form.is_submitted():
        form.show_rules(campaign.eligibility)
    return form


@bp.route("/campaigns/new", methods=["GET", "POST"])
@staff_required
def new_campaign():
    form = _campaign_form()
    if form.validate_on_submit():
        try:
            campaign = lifecycle.create_campaign(current_user, **form.campaign_fields())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_("Campaign created as a draft. Add the screening questions, then submit "
                    "it for review."), "success")
            return redirect(url_for(".show_campaign", slug=campaign.slug))
    return render_template("campaigns/staff/campaign_form.html", form=form, campaign=None)


@bp.route("/campaigns/<slug>/edit", methods=["GET", "POST"])
@staff_required
def edit_campaign(slug: str):
    campaign = campaign_or_404(slug)
    form = _campaign_form(campaign)
    if campaign.state != DRAFT:  # links use it: fixed once published (the service checks)
        form.slug.render_kw = {**(form.slug.render_kw or {}), "readonly": True}
    if form.validate_on_submit():
        try:
            back_to_review = lifecycle.update_campaign(current_user, campaign,
                                                       **form.campaign_fields())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(_back_to_review() if back_to_review else _("Campaign saved."),
                  "warning" if back_to_review else "success")
            return redirect(url_for(".show_campaign", slug=campaign.slug))
    return render_template("campaigns/staff/campaign_form.html", form=form, campaign=campaign,
                           editable=campaign.state in lifecycle.EDITABLE_STATES)


@bp.get("/campaigns/<slug>")
@staff_required
def show_campaign(slug: str):
    campaign = campaign_or_404(slug)
    counts = dict(db.session.execute(
        select(Application.status, func.count()).where(Application.campaign_id == campaign.id)
        .group_by(Application.status)).all())
    history = db.session.scalars(
        audit.entries_query(object_type="campaign", object_id=campaign.id).limit(50)).all()
    target = lifecycle.ADVANCES.get(campaign.state)
    return render_template(
        "campaigns/staff/campaign.html", campaign=campaign, counts=counts, history=history,
        target=target, states=lifecycle.STATE_LABELS, policies=lifecycle.POLICY_LABELS,
        kinds=questions.KIND_LABELS, statuses=applications.STATUS_LABELS,
        actions=audit.ACTIONS, explain=eligibility.explain,
        can_review=lifecycle.can_review(current_user, campaign),
        editable=campaign.state in lifecycle.EDITABLE_STATES,
        cancellable=campaign.state in OPEN_STATES,
        latest_draw=selection.latest_draw(campaign.id))


def _valid(form) -> bool:
    """Validate a button's form; a refused reason is flashed, as the page has no form
    to show it beside (a bad CSRF token never gets here: lab.core.web answers it)."""
    if form.validate_on_submit():
        return True
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "danger")
    return False


def _campaign_action(slug: str, run, success):
    """A lifecycle button: run the service on the campaign, then back to its page."""
    campaign = campaign_or_404(slug)
    form = ReasonForm()
    if _valid(form):
        perform(lambda: run(campaign, form.reason.data or ""), success)
    return redirect(url_for(".show_campaign", slug=campaign.slug))


@bp.post("/campaigns/<slug>/submit")
@staff_required
def submit_campaign(slug: str):
    return _campaign_action(slug, lambda c, _r: lifecycle.submit_for_review(current_user, c),
                            _("Submitted for review. A different staff member approves it."))


@bp.post("/campaigns/<slug>/approve")
@staff_required
def approve_campaign(slug: str):
    return _campaign_action(slug, lambda c, _r: lifecycle.approve(current_user, c),
                            _("Approved: the campaign is published and recruiting."))


@bp.post("/campaigns/<slug>/return")
@staff_required
def return_campaign(slug: str):
    return _campaign_action(slug, lambda c, r: lifecycle.return_to_draft(current_user, c, r),
                            _("Returned to draft with your comment."))


@bp.post("/campaigns/<slug>/advance")
@staff_required
def advance_campaign(slug: str):
    expected = request.form.get("expected_state") or None
    return _campaign_action(slug, lambda c, _r: lifecycle.advance(current_user, c,
                                                                  expected=expected),
                            lambda state: _("The campaign is now in the state “%(state)s”.",
                                            state=lifecycle.STATE_LABELS[state]))


@bp.post("/campaigns/<slug>/cancel")
@staff_required
def cancel_campaign(slug: str):
    return _campaign_action(slug, lambda c, r: lifecycle.cancel(current_user, c, r),
                            _("The campaign was cancelled; applicants were told."))


# ---- screening questions ---------------------------------------------------------------

def _question_or_404(campaign: Campaign, question_id: int) -> CampaignQuestion:
    question = db.session.get(CampaignQuestion, question_id)
    if question is None or question.campaign_id != campaign.id:
        abort(404)
    return question


def _save_question(campaign, form, question=None) -> bool:
    try:
        _question, back_to_review = questions.save_question(
            current_user, campaign, question, kind=form.kind.data, label=form.label.data,
            help_text=form.help_text.data, required=form.required.data,
            options=form.option_list())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return False
    commit()
    flash(_back_to_review() if back_to_review else _("Question saved."),
          "warning" if back_to_review else "success")
    return True


@bp.route("/campaigns/<slug>/questions", methods=["GET", "POST"])
@staff_required
def edit_questions(slug: str):
    campaign = campaign_or_404(slug)
    form = QuestionForm()
    if form.validate_on_submit() and _save_question(campaign, form):
        return redirect(url_for(".edit_questions", slug=campaign.slug))
    return render_template("campaigns/staff/questions.html", campaign=campaign, form=form,
                           kinds=questions.KIND_LABELS,
                           editable=campaign.state in lifecycle.EDITABLE_STATES)


@bp.route("/campaigns/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_question(slug: str, question_id: int):
    campaign = campaign_or_404(slug)
    question = _question_or_404(campaign, question_id)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.options.data = "\n".join(question.options or [])
    if form.validate_on_submit() and _save_question(campaign, form, question):
        return redirect(url_for(".edit_questions", slug=campaign.slug))
    return render_template("campaigns/staff/question_form.html", campaign=campaign,
                           question=question, form=form)


def _question_action(slug: str, question_id: int, run):
    campaign = campaign_or_404(slug)
    question = _question_or_404(campaign, question_id)
    if ActionForm().validate_on_submit():
        perform(lambda: run(campaign, question), lambda back_to_review: (
            _back_to_review() if back_to_review else _("Questions changed.")))
    return redirect(url_for(".edit_questions", slug=campaign.slug))


@bp.post("/campaigns/<slug>/questions/<int:question_id>/move")
@staff_required
def move_question(slug: str, question_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    return _question_action(slug, question_id, lambda c, q: questions.move_question(
        current_user, c, q, step))


@bp.post("/campaigns/<slug>/questions/<int:question_id>/delete")
@staff_required
def delete_question(slug: str, question_id: int):
    return _question_action(slug, question_id, lambda c, q: questions.delete_question(
        current_user, c, q))


# ---- applications ---------------------------------------------------------------------

def _render_applications(campaign: Campaign, decision_form: DecisionForm, status: int = 200):
    filter_form = ApplicationFilterForm(request.args)
    filter_form.validate()
    page = paginate(staff_lists.applications_query(campaign, filter_form.filters()), per_page=50)
    return render_template(
        "campaigns/staff/applications.html", campaign=campaign, page=page,
        filter_form=filter_form, form=decision_form, statuses=applications.STATUS_LABELS,
        states=lifecycle.STATE_LABELS, explain=eligibility.explain, weights=ranking.WEIGHTS,
        ticked=set(decision_form.ids.data or []), latest_draw=selection.latest_draw(campaign.id),
        can_rank=campaign.state in (RECRUITING, SELECTION),
        can_decide=campaign.state == SELECTION), status


@bp.get("/campaigns/<slug>/applications")
@staff_required
def list_applications(slug: str):
    return _render_applications(campaign_or_404(slug), DecisionForm(formdata=None))


@bp.post("/campaigns/<slug>/applications/decide")
@staff_required
def decide_applications(slug: str):
    campaign = campaign_or_404(slug)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            done = selection.decide(current_user, campaign, form.ids.data or [],
                                    form.decision.data, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            commit()
            flash(ngettext("Decision applied to %(num)d application.",
                           "Decision applied to %(num)d applications.", done), "success")
            return redirect(url_for(".list_applications", slug=campaign.slug, **request.args))
    return _render_applications(campaign, form, 422)


def _selection_action(slug: str, run, success):
    campaign = campaign_or_404(slug)
    if ActionForm().validate_on_submit():
        perform(lambda: run(campaign), success)
    return redirect(url_for(".list_applications", slug=campaign.slug))


@bp.post("/campaigns/<slug>/rank")
@staff_required
def rank_applications(slug: str):
    return _selection_action(slug, lambda c: ranking.rank(current_user, c), lambda n: ngettext(
        "Ranked again: %(num)d eligible applicant.", "Ranked again: %(num)d eligible applicants.",
        n))


@bp.post("/campaigns/<slug>/select-by-ranking")
@staff_required
def select_by_ranking(slug: str):
    return _selection_action(slug, lambda c: selection.select_by_ranking(current_user, c),
                             lambda result: _("%(selected)d selected, %(waitlisted)d put on "
                                              "the waiting list.", selected=result[0],
                                              waitlisted=result[1]))


@bp.post("/campaigns/<slug>/draw")
@staff_required
def run_draw(slug: str):
    campaign = campaign_or_404(slug)
    if ActionForm().validate_on_submit():
        drawn = []
        if perform(lambda: drawn.append(selection.run_draw(current_user, campaign)),
                   _("The lottery was drawn and recorded.")):
            return redirect(url_for(".show_draw", slug=campaign.slug, draw_id=drawn[0].id))
    return redirect(url_for(".list_applications", slug=campaign.slug))


@bp.get("/campaigns/<slug>/applications.csv")
@staff_required
def export_applications(slug: str):
    campaign = campaign_or_404(slug)
    filter_form = ApplicationFilterForm(request.args)
    filter_form.validate()
    rows = db.session.scalars(staff_lists.applications_query(campaign, filter_form.filters()))
    return Response("".join(staff_lists.applications_csv(campaign, rows)),
                    mimetype="text/csv", headers={
                        "Content-Disposition":
                            f'attachment; filename="{campaign.slug}-applications.csv"'})


@bp.get("/campaigns/<slug>/draws/<int:draw_id>")
@staff_required
def show_draw(slug: str, draw_id: int):
    campaign = campaign_or_404(slug)
    draw = db.session.get(Draw, draw_id)
    if draw is None or draw.campaign_id != campaign.id:
        abort(404)
    entrants = {a.id: a for a in db.session.scalars(
        select(Application).options(lazyload(Application.campaign))
        .where(Application.id.in_(draw.entrants)))}
    replayed = selection.replay(draw)
    return render_template("campaigns/staff/draw.html", campaign=campaign, draw=draw,
                           entrants=entrants, replayed=replayed,
                           replays=replayed == draw.winners, statuses=applications.STATUS_LABELS)


def _application_or_404(campaign: Campaign, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.campaign_id != campaign.id:
        abort(404)
    return application


@bp.get("/campaigns/<slug>/applications/<int:application_id>")
@staff_required
def show_application(slug: str, application_id: int):
    campaign = campaign_or_404(slug)
    application = _application_or_404(campaign, application_id)
    history = applications.history_of([application.id])[application.id]
    actor_ids = {event.actor_id for event in history if event.actor_id}
    actors = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    return render_template(
        "campaigns/staff/application.html", campaign=campaign, application=application,
        history=history, actors=actors, statuses=applications.STATUS_LABELS,
        explain=eligibility.explain, weights=ranking.WEIGHTS,
        can_finish=campaign.state in (TESTING, EVALUATION) and application.status == CONFIRMED,
        outcome=applications.explain_outcome(application))


@bp.post("/campaigns/<slug>/applications/<int:application_id>/finish")
@staff_required
def finish_test(slug: str, application_id: int):
    campaign = campaign_or_404(slug)
    application = _application_or_404(campaign, application_id)
    completed = request.form.get("outcome") == "completed"
    form = ReasonForm()
    if _valid(form):
        perform(lambda: selection.finish_test(current_user, application.id, campaign,
                                              completed=completed, reason=form.reason.data),
                _("The test is marked as completed.") if completed
                else _("The tester is marked as dropped out."))
    return redirect(url_for(".show_application", slug=campaign.slug,
                            application_id=application.id))
