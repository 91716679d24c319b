"""Testlab: the product-testing lab and member incentive portal."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, pages, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_pages(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: dict | None) -> None:
    from lab.config import Defaults, from_environment

    app.config.from_object(Defaults)
    app.config.update(from_environment(app.instance_path))
    if config:
        app.config.update(config)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"


def register_extensions(app: Flask) -> None:
    from flask_security import Security

    from lab import models  # noqa: F401  (every table known before migrations look)
    from lab.accounts.security import (
        LabPasswordUtil,
        LabRegisterForm,
        OutboxMailUtil,
        make_datastore,
    )
    from lab.core.i18n import select_locale
    from lab.extensions import babel, bootstrap, csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)
    Security(
        app,
        make_datastore(),
        register_form=LabRegisterForm,
        mail_util_cls=OutboxMailUtil,
        password_util_cls=LabPasswordUtil,
    )


def register_blueprints(app: Flask) -> None:
    from lab.core.web import install_converters

    install_converters(app)
    from lab.accounts.admin_views import bp as accounts_admin
    from lab.accounts.views import bp as accounts
    from lab.campaigns.staff_views import bp as campaigns_staff
    from lab.campaigns.views import bp as campaigns
    from lab.campaigns.views import me as campaigns_me
    from lab.community.staff_views import bp as moderation
    from lab.community.views import bp as community
    from lab.core.views import bp as core
    from lab.feedback.staff_analytics_views import bp as feedback_analytics
    from lab.feedback.staff_form_views import bp as feedback_forms
    from lab.feedback.staff_triage_views import bp as feedback_triage
    from lab.feedback.views import bp as tests
    from lab.logistics.campaign_views import bp as shipping
    from lab.logistics.staff_views import bp as logistics
    from lab.logistics.tester_views import bp as tester_device
    from lab.notify.views import bp as notify
    from lab.rewards.admin_views import bp as rewards_admin
    from lab.rewards.views import bp as rewards
    from lab.staff.dashboard import bp as staff
    from lab.staff.views import bp as admin

    for blueprint in (core, accounts, accounts_admin, admin, notify, rewards, rewards_admin,
                      campaigns, campaigns_me, campaigns_staff, staff, tests, feedback_forms,
                      feedback_triage, feedback_analytics, logistics, shipping, tester_device,
                      community, moderation):
        app.register_blueprint(blueprint)

    from lab.accounts.login_limits import limit_login
    from lab.accounts.security import register_csrf_rerenderers

    limit_login(app)
    register_csrf_rerenderers()


def register_request_hooks(app: Flask) -> None:
    from lab.core import web

    web.install_hooks(app)


def register_error_pages(app: Flask) -> None:
    from lab.core.errorpages import install

    install(app)


def register_template_helpers(app: Flask) -> None:
    from lab.core.templating import install

    install(app)


def register_cli(app: Flask) -> None:
    from lab.cli import lab_cli

    app.cli.add_command(lab_cli)
