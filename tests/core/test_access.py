"""Who may reach which page: anonymous visitors, members, staff and admins."""

import pytest

PUBLIC = ["/", "/login", "/register", "/reset", "/confirm", "/healthz", "/register/done",
          "/leaderboard", "/rewards/", "/rewards/{reward_id}", "/members/{admin_handle}",
          "/badges/", "/badges/first-solution", "/campaigns/", "/campaigns/{slug}",
          "/community/", "/community/similar?title=Netz+im+Keller", "/community/q/{cq_id}",
          "/community/search?q=Keller", "/community/kb/", "/community/kb/category/mobilfunk",
          "/community/kb/{article_slug}"]
MEMBER = ["/me/", "/me/profile", "/me/address", "/me/password", "/tf-setup", "/me/points",
          "/me/redemptions", "/me/notifications", "/campaigns/{slug}/apply",
          "/community/ask", "/community/flag/question/{cq_id}"]
STAFF = ["/admin/rewards", "/admin/rewards/new", "/admin/rewards/{reward_id}/edit",
         "/admin/redemptions",
         "/staff/products/", "/staff/products/new", "/staff/products/{product_id}/edit",
         "/staff/campaigns/", "/staff/campaigns/new", "/staff/campaigns/{slug}",
         "/staff/campaigns/{slug}/edit", "/staff/campaigns/{slug}/questions",
         "/staff/campaigns/{slug}/questions/{question_id}/edit",
         "/staff/campaigns/{slug}/applications", "/staff/campaigns/{slug}/applications.csv",
         "/staff/campaigns/{slug}/applications/{application_id}",
         "/staff/campaigns/{slug}/draws/{draw_id}",
         "/staff/", "/staff/campaigns/{test_slug}/forms",
         "/staff/campaigns/{test_slug}/forms/{form_id}",
         "/staff/campaigns/{test_slug}/forms/{form_id}/preview",
         "/staff/campaigns/{test_slug}/forms/{form_id}/questions/{form_question_id}/edit",
         "/staff/campaigns/{test_slug}/tasks", "/staff/campaigns/{test_slug}/tasks/{task_id}/edit",
         "/staff/campaigns/{test_slug}/reports",
         "/staff/campaigns/{test_slug}/reports/{report_id}",
         "/staff/campaigns/{test_slug}/analytics",
         "/staff/campaigns/{test_slug}/export/responses.csv",
         "/staff/campaigns/{test_slug}/export/reports.xlsx",
         "/staff/devices/", "/staff/devices/{device_id}", "/staff/devices/overdue",
         "/staff/campaigns/{test_slug}/devices/", "/staff/campaigns/{test_slug}/devices/picklist",
         "/staff/campaigns/{test_slug}/devices/picklist.csv",
         "/staff/moderation", "/staff/moderation/question/{cq_id}",
         "/staff/moderation/answer/{ca_id}", "/staff/kb/new/{cq_id}",
         "/staff/kb/{article_id}/edit"]
# the staff who ship: the only ones who see addresses (admins too need the role)
LOGISTICS = ["/admin/redemptions/{redemption_id}/address", "/staff/devices/new",
             "/staff/devices/{device_id}/edit", "/staff/devices/import",
             "/staff/devices/import/template.csv",
             "/staff/campaigns/{test_slug}/devices/shipping-list",
             "/staff/campaigns/{test_slug}/devices/shipping-list.csv"]
ADMIN = ["/admin/users", "/admin/users/{admin_id}", "/admin/audit", "/admin/awards",
         "/admin/approvals"]

# Our own GET pages; a new page must be added to a list above (checked below).
COVERED_ENDPOINTS = {
    "core.index", "core.healthz", "core.registered",
    "accounts.dashboard", "accounts.edit_profile", "accounts.edit_address",
    "accounts_admin.list_users", "accounts_admin.show_user", "admin.audit_log",
    "rewards.show_leaderboard", "rewards.show_catalog", "rewards.show_reward",
    "rewards.member_profile", "rewards.list_badges", "rewards.badge_holders",
    "rewards.my_points", "rewards.my_redemptions", "notify.list_notifications",
    "rewards_admin.list_rewards", "rewards_admin.new_reward", "rewards_admin.edit_reward",
    "rewards_admin.list_redemptions", "rewards_admin.propose_award", "rewards_admin.approvals",
    "rewards_admin.redemption_address",
    "campaigns.list_campaigns", "campaigns.show_campaign", "campaigns.apply",
    "campaigns_staff.list_products", "campaigns_staff.new_product",
    "campaigns_staff.edit_product", "campaigns_staff.list_campaigns",
    "campaigns_staff.new_campaign", "campaigns_staff.show_campaign",
    "campaigns_staff.edit_campaign", "campaigns_staff.edit_questions",
    "campaigns_staff.edit_question", "campaigns_staff.list_applications",
    "campaigns_staff.export_applications", "campaigns_staff.show_application",
    "campaigns_staff.show_draw",
    "staff.dashboard",
    "feedback_forms.list_forms", "feedback_forms.edit_form", "feedback_forms.preview_form",
    "feedback_forms.edit_form_question", "feedback_forms.list_tasks", "feedback_forms.edit_task",
    "feedback_triage.list_reports", "feedback_triage.show_report",
    "feedback_analytics.show_analytics", "feedback_analytics.export",
    "logistics.list_devices", "logistics.new_device", "logistics.device",
    "logistics.edit_device", "logistics.import_devices", "logistics.import_template",
    "logistics.overdue", "shipping.campaign_devices", "shipping.pick_list",
    "shipping.pick_list_csv", "shipping.shipping_list", "shipping.shipping_list_csv",
    "community.list_questions", "community.similar", "community.show_question",
    "community.search", "community.knowledge_base", "community.kb_category",
    "community.show_article", "community.ask", "community.flag",
    "moderation.queue", "moderation.show_post", "moderation.new_article",
    "moderation.edit_article",
}
# Pages of one member's own records: others get 404, tested with their domain
# (tests/campaigns/test_member_pages.py), not in the matrix.
OWN_RECORD_ENDPOINTS = {"campaigns.confirm", "campaigns_me.my_application",
                        # the author within the edit window, or staff
                        # (tests/community/test_member_pages.py)
                        "community.edit_question", "community.edit_answer"}
# The participant area: confirmed testers of the campaign only (others 403, reports of
# others 404), tested in tests/feedback/test_participant_pages.py.
TESTER_ENDPOINTS = {"tests.area", "tests.fill_form", "tests.new_report", "tests.show_report",
                    "tests.similar_reports", "tests.attachment", "tester_device.show_device",
                    "tester_device.show_shipment"}

EXPECTED = {
    # who: (public, member pages, staff pages, logistics pages, admin pages)
    "anonymous": (200, 302, 302, 302, 302),
    "member": (200, 200, 403, 403, 403),
    "staff": (200, 200, 200, 403, 403),
    "logistics": (200, 200, 200, 200, 403),
    "admin": (200, 200, 200, 403, 200),
}


@pytest.fixture
def admin_user(make_admin):
    return make_admin("boss")


def _sign_in(who, auth, make_member, admin_user):
    if who == "admin":
        auth.login(admin_user)
    elif who != "anonymous":
        auth.login(make_member(roles=(who,) if who in ("staff", "logistics") else ()))


@pytest.fixture
def reward(admin_user):
    from lab.rewards import catalog

    return catalog.save_reward(
        admin_user, kind="merchandise", title="Tasse", description="", cost=10, stock=None,
        per_member_limit=None, min_level="newcomer", available_from=None,
        available_until=None, needs_address=False, active=True)


@pytest.fixture
def redemption(make_member, reward):
    from lab.rewards import catalog, ledger

    buyer = make_member()
    ledger.award_points(buyer, 10, "manual_award", key=f"access:{buyer.id}")
    return catalog.redeem(buyer, reward.id, request_key=f"access-{buyer.id}")[0]


@pytest.fixture
def lab(make_member, make_staff):
    """A campaign in selection with a question, an application and a draw."""
    from lab.campaigns import lifecycle, products, questions, selection
    from tests.campaigns.helpers import apply, campaign_fields

    author, reviewer = make_staff(), make_staff()
    product = products.save_product(author, name="Box", maker="AVM", category="router",
                                    description=None)
    campaign = lifecycle.create_campaign(author, **campaign_fields(product))
    question, _ = questions.save_question(author, campaign, kind="short_text", label="Why?",
                                          help_text=None, required=True, options=[])
    lifecycle.submit_for_review(author, campaign)
    lifecycle.approve(reviewer, campaign)
    application = apply(make_member(), campaign)
    lifecycle.advance(author, campaign)
    draw = selection.run_draw(author, campaign)
    return {"slug": campaign.slug, "product_id": product.id, "question_id": question.id,
            "application_id": application.id, "draw_id": draw.id,
            **_test_phase(author, make_member, make_staff),
            **_community(author, make_member)}


def _community(staff, make_member) -> dict:
    """A solved question with an article, and an unsolved one."""
    from lab.community import knowledge, posts, solutions
    from tests.community.conftest import category

    asker = make_member()
    solved = posts.ask(asker, title="Kein Netz im Keller", category_id=category().id,
                       body="Seit dem Update habe ich im Keller kein Netz mehr.")
    answer = posts.answer(make_member(), solved.id, body="WLAN-Call einschalten.")
    solutions.accept(asker, solved.id, answer.id)
    article = knowledge.publish(staff, solved.id, **knowledge.draft_from(solved))
    open_question = posts.ask(asker, title="Router startet nachts neu",
                              category_id=category().id,
                              body="Die Box startet jede Nacht um drei Uhr neu.")
    return {"cq_id": open_question.id, "ca_id": answer.id, "article_slug": article.slug,
            "article_id": article.id}


def _test_phase(author, make_member, make_staff) -> dict:
    """A campaign in testing with a form, a task and a report of a confirmed tester."""
    from datetime import timedelta

    from lab.campaigns import lifecycle, products
    from lab.campaigns.models import CONFIRMED, Application
    from lab.core.clock import utcnow
    from lab.extensions import db
    from lab.feedback import access, builder, reports
    from lab.logistics import inventory
    from tests.campaigns.helpers import campaign_fields

    product = products.save_product(author, name="Phone", maker="Acme", category="smartphone",
                                    description=None)
    campaign = lifecycle.create_campaign(author, **campaign_fields(product))
    lifecycle.submit_for_review(author, campaign)
    lifecycle.approve(make_staff(), campaign)
    lifecycle.advance(author, campaign)
    lifecycle.advance(author, campaign)
    tester = make_member()
    db.session.add(Application(campaign_id=campaign.id, member_id=tester.id, status=CONFIRMED,
                               answers={}))
    db.session.flush()
    now = utcnow()
    form = builder.save_form(author, campaign, title="Week 1", intro=None,
                             opens_at=now - timedelta(days=1), due_at=now + timedelta(days=6))
    form_question = builder.save_question(author, form, kind="rating", label="Setup?",
                                          help_text=None, required=True, options=[])
    task = builder.save_task(author, campaign, title="Set it up", description=None,
                             due_at=now + timedelta(days=2), form_id=None)
    report = reports.file_report(access.participation(tester.id, campaign), kind="bug",
                                 title="Crash on start", severity="major", steps="Start.",
                                 actual="It crashes.")
    device = inventory.add_device(author, product_id=product.id, serial="ACC-0001",
                                  imei="490154203237518", condition="new")
    return {"test_slug": campaign.slug, "form_id": form.id, "form_question_id": form_question.id,
            "task_id": task.id, "report_id": report.id, "device_id": device.id}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_who_may_reach_which_page(who, client, auth, make_member, admin_user, reward,
                                  redemption, lab):
    _sign_in(who, auth, make_member, admin_user)
    public, member, staff, logistics, admin = EXPECTED[who]
    for urls, expected in ((PUBLIC, public), (MEMBER, member), (STAFF, staff),
                           (LOGISTICS, logistics), (ADMIN, admin)):
        for url in urls:
            url = url.format(admin_id=admin_user.id, admin_handle=admin_user.handle,
                             reward_id=reward.id, redemption_id=redemption.id, **lab)
            if url in ("/login", "/register", "/reset", "/confirm") and who != "anonymous":
                continue  # signed-in users are sent on from these
            status = client.get(url).status_code
            assert status == expected, f"{who} GET {url}: {status}, expected {expected}"


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client):
    answer = client.get("/admin/users")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


def test_a_member_opening_an_admin_page_sees_the_403_page(client, auth, make_member):
    auth.login(make_member())
    answer = client.get("/admin/audit")
    assert answer.status_code == 403
    assert "Zugriff verweigert" in answer.get_data(as_text=True)


def test_every_page_of_ours_is_in_the_access_matrix(app):
    ours = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint.split(".")[0]
        in {"core", "accounts", "accounts_admin", "admin", "notify", "rewards", "rewards_admin",
            "campaigns", "campaigns_me", "campaigns_staff", "staff", "tests", "feedback_forms",
            "feedback_triage", "feedback_analytics", "logistics", "shipping", "tester_device",
            "community", "moderation"}
        and rule.endpoint != "core.media"  # uploaded files, tested with the uploads
        and rule.endpoint not in OWN_RECORD_ENDPOINTS | TESTER_ENDPOINTS
    }
    assert ours == COVERED_ENDPOINTS
