"""`flask lab ...`: create users, load demo data, send the outbox."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lab.accounts import services as accounts
from lab.core.errors import DomainError
from lab.extensions import db


@click.group("lab")
def lab_cli():
    """Testlab administration commands."""


@lab_cli.command("create-user")
@click.argument("email")
@click.option("--role", "roles", multiple=True,
              type=click.Choice(["member", "staff", "logistics", "admin"]),
              help="Role to give; repeatable. Admin and logistics imply staff.")
@click.option("--handle", help="Public handle (asked for if missing).")
@click.option("--password", help="Password (asked for, hidden, if missing).")
@with_appcontext
def create_user(email, roles, handle, password):
    """Create a confirmed, active account."""
    security = current_app.extensions["security"]
    # check what can be checked before asking for a password
    try:
        email = accounts.check_email_free(security.mail_util.validate(email))
    except (ValueError, DomainError) as error:
        raise click.ClickException(f"{email}: {getattr(error, 'message', error)}") from error
    handle = handle or click.prompt("Handle")
    problem = accounts.handle_problem(handle)
    if problem:
        raise click.ClickException(f"{handle}: {problem}")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problems, password = security.password_util.validate(
        password, True, email=email, handle=handle
    )
    if problems:
        raise click.ClickException(" ".join(str(p) for p in problems))
    try:
        user = accounts.create_user(email, handle, password, roles=roles)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    roles = ", ".join(sorted(user.role_names))
    click.echo(f"Created {user.email} (@{user.handle}) with roles {roles}.")


@lab_cli.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo data (idempotent) and print the demo logins."""
    from lab.demo import DEMO_PASSWORD, seed

    logins = seed()
    db.session.commit()
    click.echo("")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
    for role, email in logins:
        click.echo(f"  {role:<9} {email}")
    click.echo("")


@lab_cli.command("send-mail")
@click.option("--limit", default=100, show_default=True, help="Send at most this many.")
@with_appcontext
def send_mail(limit):
    """Send pending mail from the outbox (safe to run again at any time)."""
    from lab.notify.mail import send_pending

    counts = send_pending(limit=limit)
    click.echo(
        f"sent {counts['sent']}, to retry {counts['retry']}, failed for good {counts['failed']}"
    )


@lab_cli.command("verify-ledger")
@with_appcontext
def verify_ledger():
    """Recompute every member's reputation and balance from the ledger; exit 1 on any
    difference from the cached figures."""
    from lab.rewards.ledger import verify

    differences = verify()
    for d in differences:
        click.echo(
            f"@{d.handle} (id {d.member_id}): reputation cached {d.cached_reputation}, "
            f"ledger {d.ledger_reputation}; balance cached {d.cached_balance}, "
            f"ledger {d.ledger_balance}"
        )
    if differences:
        raise click.ClickException(f"{len(differences)} member(s) differ from the ledger.")
    click.echo("The ledger and every member's cached figures agree.")


@lab_cli.command("reminders")
@with_appcontext
def reminders():
    """Send due reminders and hand unconfirmed places to the waiting list. Idempotent:
    safe to run from cron every few minutes."""
    from lab.campaigns import reminders as campaign_reminders
    from lab.feedback import reminders as task_reminders
    from lab.logistics import reminders as return_reminders

    run = campaign_reminders.run()
    tasks = task_reminders.run()
    returns = return_reminders.run()
    db.session.commit()
    click.echo(f"places expired {run.expired}, closing reminders {run.closing}, "
               f"confirmation reminders {run.confirm}, tasks due soon {tasks.due_soon}, "
               f"tasks overdue {tasks.overdue}, returns due soon {returns.due_soon}, "
               f"returns overdue {returns.overdue}")


@lab_cli.command("purge")
@with_appcontext
def purge():
    """Delete shipping addresses whose retention time is over (ADDRESS_RETENTION_DAYS
    after the device came back or the campaign closed). Idempotent."""
    from lab.logistics import retention

    count = retention.purge()
    db.session.commit()
    click.echo(f"addresses deleted {count}")


@lab_cli.command("escalate")
@with_appcontext
def escalate():
    """Tell the admins about items waiting for a first staff response more than twice
    their target past due. Idempotent: each item is escalated once."""
    from lab.notify import clocks

    count = clocks.escalate()
    db.session.commit()
    click.echo(f"escalated {count}")
