"""A visitor becomes a member, fills in the tester profile and signs out; keyboard and
language switch. Labels are German (lab/translations/de and Flask-Security's de_DE);
finding fields by label also proves every label is tied to its field."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lab.extensions import db
from lab.notify.models import OutboxMail

pytestmark = pytest.mark.e2e

PASSWORD = "Lila-Elefant-tanzt-42"
AXE = Axe()


def assert_accessible(page: Page) -> None:
    """axe finds no violation on the page as it is now."""
    page.wait_for_load_state()
    violations = AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    at {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{report}"


def confirmation_link(app, email: str, base_url: str) -> str:
    """The /confirm/<token> link of the newest mail to email, pointed at the live server."""
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMail).where(OutboxMail.recipient == email)
            .order_by(OutboxMail.id.desc())
        ).first()
        assert mail is not None, f"no mail to {email} in the outbox"
        body = mail.body_text
    match = re.search(r"https?://\S+?(/confirm/[\w.\-]+)", body)
    assert match, f"no confirmation link in the mail:\n{body}"
    return base_url + match.group(1)


def field(scope, label: str):
    """The form field with this label (a required field's label ends in an aria-hidden *)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def flash(page: Page, text: str):
    return page.locator(".flashes").get_by_text(text)


def test_a_visitor_registers_confirms_fills_the_profile_and_signs_out(
        page: Page, live_app, live_server, unique):
    email, handle = f"lena-{unique}@example.org", f"lena_{unique}"

    # The landing page invites visitors to register.
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("navigation", name="Hauptnavigation") \
        .get_by_role("link", name="Registrieren").click()

    # Registration: e-mail, public handle, a strong password (twice).
    expect(page.get_by_role("heading", name="Konto erstellen")).to_be_visible()
    assert_accessible(page)
    field(page, "E-Mail-Adresse").fill(email)
    field(page, "Benutzername (öffentlich)").fill(handle)
    field(page, "Passwort").fill(PASSWORD)
    confirm = field(page, "Passwort erneut eingeben")
    if confirm.count():  # only when SECURITY_PASSWORD_CONFIRM_REQUIRED
        confirm.fill(PASSWORD)
    page.get_by_role("button", name="Registrieren").click()

    # "Almost done": the account waits for the e-mail address to be confirmed.
    expect(page).to_have_url(f"{live_server}/register/done")
    expect(page.get_by_role("heading", name=re.compile("^Fast geschafft"))).to_be_visible()
    assert_accessible(page)

    # The confirmation mail is in the outbox; its link confirms and leads to sign-in.
    page.goto(confirmation_link(live_app, email, live_server))
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/login")))
    expect(flash(page, "Die E-Mail-Adresse wurde bestätigt")).to_be_visible()
    assert_accessible(page)

    # Sign in lands on the tester profile.
    field(page, "E-Mail-Adresse").fill(email)
    field(page, "Passwort").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{live_server}/me/profile")
    expect(page.get_by_role("heading", name="Testerprofil", level=1)).to_be_visible()
    expect(page.get_by_text(f"@{handle}")).to_be_visible()
    assert_accessible(page)

    # Profile: connection, region, postcode area, mobile contract, an interest.
    profile = page.locator("#profile-form")
    field(profile, "Internetanschluss zu Hause").select_option(label="Glasfaser (FTTH)")
    field(profile, "Region").select_option(label="Nordrhein-Westfalen")
    field(profile, "PLZ-Bereich").fill("53")
    profile.get_by_role("group", name="Mobilfunkvertrag bei uns").get_by_label("Ja").check()
    profile.get_by_role("group", name="Interessen").get_by_label("Router & WLAN").check()
    profile.get_by_role("button", name="Profil speichern").click()

    expect(flash(page, "Ihr Profil wurde gespeichert.")).to_be_visible()
    assert_accessible(page)
    expect(field(profile, "Internetanschluss zu Hause")).to_have_value("fibre")
    expect(field(profile, "Region")).to_have_value("DE-NW")
    expect(field(profile, "PLZ-Bereich")).to_have_value("53")
    expect(field(profile, "Router & WLAN")).to_be_checked()
    expect(field(profile, "Ja")).to_be_checked()
    expect(field(profile, "Smartphones")).not_to_be_checked()

    # A device: it is listed under "My devices" afterwards.
    devices = page.locator("#device-form")
    field(devices, "Geräteart").select_option(label="Smartphone")
    field(devices, "Marke").fill("Fairphone")
    field(devices, "Modell").fill("5")
    field(devices, "Betriebssystem").select_option(label="Android")
    devices.get_by_role("button", name="Gerät hinzufügen").click()

    expect(flash(page, "Gerät hinzugefügt.")).to_be_visible()
    assert_accessible(page)
    table = page.get_by_role("table", name="Ihre Geräte")
    expect(table.get_by_role("row", name=re.compile("Fairphone 5"))).to_contain_text("Android")
    expect(table.get_by_role("button", name="Fairphone 5 entfernen")).to_be_visible()

    # Signing out returns to the landing page, signed out.
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(nav.get_by_role("link", name="Registrieren")).to_be_visible()
    expect(nav.get_by_role("button", name="Abmelden")).to_have_count(0)
    expect(page.get_by_text(f"@{handle}")).to_have_count(0)
    assert_accessible(page)


def test_keyboard_users_can_skip_to_the_content(page: Page, live_server):
    page.goto("/login")
    assert_accessible(page)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/login#main")
    expect(page.get_by_role("main")).to_be_focused()
    assert_accessible(page)


def test_the_language_switch_turns_the_page_english(page: Page):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)

    nav = page.get_by_role("navigation", name="Hauptnavigation")
    field(nav, "Sprache").select_option(label="English")
    nav.get_by_role("button", name="Wechseln").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
    assert_accessible(page)
