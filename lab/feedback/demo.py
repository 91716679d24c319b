"""Demo feedback for `make run`: forms, answers, tasks and reports in the campaign being
tested (the Nova 7 5G) and in the one being evaluated (the AirLink Mesh Duo).

Everything goes through the real services (builder, responses, tasks, reports, triage),
with the clock set back to when each step happened: answers before their due dates,
reports filed days ago and answered in time or late, a critical bug still waiting past its
target (so the staff dashboard shows it) and a major one escalated to the admins.
Idempotent: a campaign that already has forms is left as it is, so running it again adds
nothing. Runs after lab.campaigns.demo, which creates both campaigns and their testers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from lab.accounts.models import User
from lab.campaigns.models import (
    LONG_TEXT,
    MULTIPLE,
    NPS,
    NUMBER,
    RATING,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Application,
    Campaign,
)
from lab.campaigns.questions import field_name
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.feedback import access, attachments, builder, reports, responses, tasks, triage
from lab.feedback.models import (
    ACKNOWLEDGED,
    BUG,
    COSMETIC,
    CRITICAL,
    FIXED,
    FORWARDED,
    IDEA,
    INVALID,
    MAJOR,
    MINOR,
    PRAISE,
    WONT_FIX,
    FeedbackForm,
    Report,
    Task,
)
from lab.notify import clocks

TESTING_SLUG = "nova-7-5g"
EVALUATION_SLUG = "airlink-mesh-duo"


@dataclass(frozen=True)
class Ask:
    """A form question and the testers' answers, taken in turn (None: left empty)."""

    kind: str
    label: str
    options: tuple[str, ...] = ()
    required: bool = True
    help_text: str | None = None
    answers: tuple = ()


@dataclass(frozen=True)
class FormSpec:
    title: str
    intro: str
    asks: list[Ask]


@dataclass
class Scene:
    """One campaign's feedback story: its staff, its testers and the time of the seed."""

    now: datetime
    campaign: Campaign
    staff: User
    colleague: User
    testers: list[User]
    parts: dict[int, access.Participation] = field(default_factory=dict)

    def day(self, days: int, hour: int = 9) -> datetime:
        moment = self.now + timedelta(days=days)
        return moment.replace(hour=hour, minute=0, second=0, microsecond=0)

    def tester(self, n: int) -> User:
        return self.testers[n % len(self.testers)]

    def part(self, n: int) -> access.Participation:
        member = self.tester(n)
        if member.id not in self.parts:
            self.parts[member.id] = access.participation(member.id, self.campaign)
        return self.parts[member.id]


def seed(*, staff1: User, staff2: User) -> None:
    """Fill the campaigns in testing and in evaluation with feedback, if they have none."""
    now = utcnow()
    # oldest first: the escalation run in the testing story must find the older reports
    # already answered
    for slug, staff, colleague, story in ((EVALUATION_SLUG, staff2, staff1, _evaluation),
                                          (TESTING_SLUG, staff1, staff2, _testing)):
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        if campaign is None or builder.forms_of(campaign.id):
            continue
        testers = testers_of(slug)
        if testers:
            story(Scene(now, campaign, staff, colleague, testers))


def testers_of(slug: str) -> list[User]:
    """The confirmed (or completed) testers of a campaign, in the order they applied."""
    return list(db.session.scalars(
        select(User).join(Application, Application.member_id == User.id)
        .join(Campaign, Campaign.id == Application.campaign_id)
        .where(Campaign.slug == slug, Application.status.in_(access.TESTER_STATUSES))
        .order_by(Application.id)))


# ---- the steps ----------------------------------------------------------------------------

def _form(scene: Scene, spec: FormSpec, *, created: datetime, opens: datetime,
          due: datetime) -> FeedbackForm:
    with frozen_at(created):
        form = builder.save_form(scene.staff, scene.campaign, title=spec.title,
                                 intro=spec.intro, opens_at=opens, due_at=due)
        for ask in spec.asks:
            builder.save_question(scene.staff, form, kind=ask.kind, label=ask.label,
                                  help_text=ask.help_text, required=ask.required,
                                  options=list(ask.options))
    return form


def _task(scene: Scene, created: datetime, title: str, description: str | None,
          due: datetime, form: FeedbackForm | None = None) -> Task:
    with frozen_at(created):
        return builder.save_task(scene.staff, scene.campaign, title=title,
                                 description=description, due_at=due,
                                 form_id=form.id if form else None)


def _answer(scene: Scene, form: FeedbackForm, spec: FormSpec, n: int, when: datetime, *,
            submit: bool = True, only: int | None = None) -> None:
    """The n-th tester's answers (``only`` the first few, for a draft)."""
    raw = {}
    for question, ask in list(zip(form.questions, spec.asks, strict=True))[:only]:
        value = ask.answers[n % len(ask.answers)] if ask.answers else None
        if value is not None:
            raw[field_name(question)] = value
    with frozen_at(when):
        responses.save(scene.part(n), form, raw, submit=submit)


def _done(scene: Scene, task: Task, n: int, when: datetime) -> None:
    with frozen_at(when):
        tasks.mark_done(scene.part(n), task)


def _file(scene: Scene, n: int, when: datetime, kind: str, title: str, **fields) -> Report:
    with frozen_at(when):
        return reports.file_report(scene.part(n), kind=kind, title=title, **fields)


def _me_too(scene: Scene, n: int, report: Report, when: datetime) -> None:
    if scene.tester(n).id != report.member_id:  # with few testers, n may be the reporter
        with frozen_at(when):
            reports.me_too(scene.part(n), report)


def _status(actor: User, report: Report, status: str, when: datetime,
            note: str | None = None) -> None:
    with frozen_at(when):
        triage.set_status(actor, report, status, note)


def _comment(actor: User, report: Report, when: datetime, body: str) -> None:
    with frozen_at(when):
        triage.comment(actor, report, body)


def _reply(scene: Scene, report: Report, when: datetime, body: str) -> None:
    with frozen_at(when):
        reports.reply(scene.part(scene.testers.index(report.member)), report, body)


def screenshot() -> bytes:
    """A small made-up phone screenshot (PNG with alpha, so it stays a PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (270, 480), (244, 245, 248, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 270, 22), fill=(28, 28, 30, 255))
    draw.text((10, 5), "21:47", fill=(255, 255, 255, 255))
    draw.text((220, 5), "5G  38%", fill=(255, 255, 255, 255))
    draw.text((14, 40), "WLAN", fill=(20, 20, 20, 255))
    draw.rounded_rectangle((10, 64, 260, 130), radius=10, fill=(255, 255, 255, 255),
                           outline=(210, 210, 215, 255))
    draw.text((22, 76), "FRITZ!Box 7590 (5 GHz)", fill=(20, 20, 20, 255))
    draw.text((22, 100), "Nicht verbunden", fill=(190, 30, 30, 255))
    for row in range(4):
        top = 150 + row * 52
        draw.rounded_rectangle((10, top, 260, top + 42), radius=8,
                               fill=(255, 255, 255, 255))
        draw.rectangle((22, top + 14, 120 + row * 25, top + 26), fill=(200, 202, 208, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# ---- the campaign in testing: the Nova 7 5G, week five of eight ----------------------------

FIRST_IMPRESSIONS = FormSpec("Erste Eindrücke", (
    "Deine erste Woche mit dem Nova 7: Was fällt dir auf? Das dauert etwa fünf Minuten."), [
    Ask(RATING, "Wie gefällt dir das Nova 7 nach der ersten Woche?",
        help_text="1 = gar nicht, 5 = sehr gut", answers=("4", "5", "3")),
    Ask(NPS, "Wie wahrscheinlich ist es, dass du das Nova 7 Freunden empfiehlst?",
        answers=("8", "10", "6")),
    Ask(SINGLE, "Wie hast du deine Daten vom alten Telefon übertragen?",
        ("Mit der Umzugs-App", "Per Kabel", "Über die Cloud", "Gar nicht, neu eingerichtet"),
        answers=("Mit der Umzugs-App", "Per Kabel", "Über die Cloud")),
    Ask(MULTIPLE, "Was hast du schon ausprobiert?",
        ("Kamera", "5G unterwegs", "Schnellladen", "Always-on-Display", "Gesichtsentsperrung"),
        required=False,
        answers=(["Kamera", "5G unterwegs", "Schnellladen"], ["Kamera", "Always-on-Display"],
                 ["5G unterwegs", "Gesichtsentsperrung"])),
    Ask(SHORT_TEXT, "Welche Softwareversion ist installiert?", required=False,
        help_text="Einstellungen › Über das Telefon", answers=("7.1.0", "7.1.0", "7.0.9")),
    Ask(LONG_TEXT, "Was ist dir in der ersten Woche aufgefallen?",
        answers=("Das Display ist auch draußen in der Sonne gut lesbar, die Kamera "
                 "braucht nachts aber lange zum Speichern.",
                 "Sehr flott, und der Akku hält fast zwei Tage. Die Umzugs-App hat "
                 "meine Chats nicht übernommen.",
                 "Liegt gut in der Hand, aber der Fingerabdrucksensor erkennt mich oft "
                 "erst beim zweiten Versuch.")),
    Ask(YES_NO, "Hat die Einrichtung ohne Hilfe geklappt?", answers=("yes", "yes", "no")),
    Ask(NUMBER, "Wie viele Stunden hielt der Akku an einem normalen Tag?", required=False,
        answers=("31", "38", "26")),
])

MIDTERM = FormSpec("Zwischenbilanz nach fünf Wochen", (
    "Halbzeit: Wie schlägt sich das Nova 7 im Alltag? Drei kurze Fragen."), [
    Ask(RATING, "Wie zufrieden bist du mit dem 5G-Empfang?", answers=("3", "4", "2")),
    Ask(RATING, "Wie zufrieden bist du mit der Kamera?", answers=("4", "4", "5")),
    Ask(YES_NO, "Nutzt du das Nova 7 inzwischen als Hauptgerät?", answers=("yes", "no")),
    Ask(LONG_TEXT, "Was sollte bis zum Marktstart noch besser werden?", required=False,
        answers=("Der Wechsel von 5G auf LTE in der Innenstadt.", None)),
])

FINAL_PHONE = FormSpec("Abschlussumfrage", (
    "Acht Wochen Nova 7: Dein Fazit hilft Lumo vor dem Marktstart."), [
    Ask(NPS, "Wie wahrscheinlich ist es, dass du das Nova 7 Freunden empfiehlst?"),
    Ask(RATING, "Wie zufrieden bist du insgesamt mit dem Nova 7?"),
    Ask(SINGLE, "Würdest du das Nova 7 für 399 € kaufen?",
        ("Ja, sofort", "Im Angebot", "Nein")),
    Ask(LONG_TEXT, "Was möchtest du Lumo noch mitgeben?", required=False),
])

VERSION = "7.1.0"


def _testing(scene: Scene) -> None:
    """Five weeks into an eight-week test: one form answered, one open, one to come."""
    d, jana, tobias = scene.day, scene.staff, scene.colleague
    first = _form(scene, FIRST_IMPRESSIONS, created=d(-36, 14), opens=d(-34, 8),
                  due=d(-21, 22))
    midterm = _form(scene, MIDTERM, created=d(-8, 10), opens=d(-3, 8), due=d(4, 22))
    final = _form(scene, FINAL_PHONE, created=d(-8, 11), opens=d(17, 8), due=d(24, 22))

    setup = _task(scene, d(-36, 15), "Gerät einrichten und Daten übertragen",
                  "Nova 7 auspacken, einrichten und die Daten vom bisherigen Telefon "
                  "übernehmen. Notiere, was dabei hakt.", d(-31, 22))
    _task(scene, d(-36, 15), "Erste Eindrücke ausfüllen", None, first.due_at, first)
    roaming = _task(scene, d(-36, 16), "Eine Woche mit 5G unterwegs",
                    "Nutze mobile Daten eine Woche lang überall: im Zug, in der Stadt, auf "
                    "dem Land. Melde Abbrüche als Fehler.", d(-14, 22))
    night = _task(scene, d(-8, 11), "Nachtaufnahmen mit der Kamera machen",
                  "Fünf Fotos bei Dunkelheit, gern mit und ohne Nachtmodus.", d(1, 22))
    _task(scene, d(-8, 11), "Zwischenbilanz ausfüllen", None, midterm.due_at, midterm)
    _task(scene, d(-8, 12), "Abschlussumfrage ausfüllen", None, final.due_at, final)

    for n, when in enumerate((d(-34, 19), d(-33, 12), d(-32, 20))[:len(scene.testers)]):
        _done(scene, setup, n, when)
    _answer(scene, first, FIRST_IMPRESSIONS, 0, d(-30, 20))
    _answer(scene, first, FIRST_IMPRESSIONS, 1, d(-27, 19))
    if len(scene.testers) > 2:  # the third saved a draft and missed the due date
        _answer(scene, first, FIRST_IMPRESSIONS, 2, d(-22, 21), submit=False, only=3)
    _done(scene, roaming, 0, d(-16, 18))
    _done(scene, roaming, 1, d(-15, 9))
    _done(scene, night, 1, d(-4, 23))
    _answer(scene, midterm, MIDTERM, 0, d(-2, 21))
    if len(scene.testers) > 1:
        _answer(scene, midterm, MIDTERM, 1, d(-1, 22), submit=False, only=2)

    phone = {"device": "Nova 7 5G", "version": VERSION}
    wifi = _file(
        scene, 0, d(-20, 19), BUG, "WLAN bricht nach Software-Update ab", severity=MAJOR,
        steps="1. Update auf 7.1.0 installieren.\n2. Mit dem WLAN zu Hause (5 GHz) "
              "verbinden.\n3. Das Telefon zehn bis fünfzehn Minuten liegen lassen.",
        expected="Das Telefon bleibt mit dem WLAN verbunden.",
        actual="Das WLAN trennt sich, in den Einstellungen steht „Nicht verbunden“. Erst "
               "Flugmodus an und wieder aus hilft, für eine Viertelstunde.",
        uploads=[attachments.Upload("Screenshot_WLAN_getrennt.png", screenshot())], **phone)
    _comment(jana, wifi, d(-20, 21), "Danke für den Screenshot! Welcher Router ist bei dir "
             "im Einsatz, und passiert es auch im 2,4-GHz-Band?")
    _reply(scene, wifi, d(-19, 8), "Eine FRITZ!Box 7590. Im 2,4-GHz-Band bleibt die "
           "Verbindung stabil, nur mit 5 GHz reißt sie ab.")
    same = _file(scene, 2, d(-19, 18), BUG, "Kein WLAN mehr nach dem Software-Update",
                 severity=MAJOR, steps="Update installiert, danach im WLAN surfen.",
                 actual="Die Verbindung bricht alle paar Minuten ab.", **phone)
    _me_too(scene, 1, same, d(-19, 20))
    with frozen_at(d(-18, 9)):
        triage.merge(jana, same, wifi.id, f"Derselbe Fehler wie Bericht #{wifi.id}; wir "
                                          "verfolgen ihn dort weiter.")
    _status(jana, wifi, ACKNOWLEDGED, d(-18, 10))
    _status(jana, wifi, FORWARDED, d(-18, 11), "An Lumo weitergegeben (Ticket NOVA-412).")
    _comment(jana, wifi, d(-18, 11), "Danke, das hilft sehr: Lumo kann den Fehler mit "
             "5 GHz nachstellen. Wir melden uns, sobald es ein Update gibt.")

    camera = _file(
        scene, 1, d(-15, 22), BUG, "Kamera speichert Nachtaufnahmen erst nach Sekunden",
        severity=MINOR, steps="1. Kamera öffnen, Nachtmodus wählen.\n2. Ein Foto machen.\n"
                              "3. Sofort die Galerie öffnen.",
        expected="Das Foto ist gleich in der Galerie.",
        actual="Das Foto erscheint erst nach vier bis sechs Sekunden; wer vorher die "
               "Kamera schließt, verliert es manchmal.", **phone)
    _status(tobias, camera, ACKNOWLEDGED, d(-11, 9))  # late: 83 hours, the target is 72
    _status(tobias, camera, FIXED, d(-5, 14), "Behoben mit der Softwareversion 7.1.2.")

    clock = _file(
        scene, 2, d(-12, 20), BUG, "Uhrzeit in der Statusleiste wird abgeschnitten",
        severity=COSMETIC, steps="Einstellungen › Anzeige › Schriftgröße auf die größte "
                                 "Stufe stellen.",
        actual="Die Uhrzeit oben links ist halb von der Kamera-Aussparung verdeckt.", **phone)
    _status(jana, clock, WONT_FIX, d(-11, 16), "Tritt nur mit der größten Schriftstufe "
            "auf; Lumo ändert die Statusleiste vor dem Marktstart nicht mehr.")

    charging = _file(
        scene, 2, d(-10, 21), IDEA, "Laden bis 80 % nach Zeitplan",
        description="Über Nacht soll das Telefon nur bis 80 % laden und erst kurz vor dem "
                    "Wecker voll. So hält der Akku länger.")
    _status(jana, charging, ACKNOWLEDGED, d(-9, 10))
    _me_too(scene, 0, charging, d(-9, 20))
    _me_too(scene, 1, charging, d(-8, 8))

    battery = _file(
        scene, 1, d(-8, 22), PRAISE, "Akkulaufzeit ist beeindruckend",
        description="Zwei volle Tage mit Navigation, Musik und Fotos, ohne Stromsparmodus. "
                    "So lange hat noch kein Telefon bei mir durchgehalten.")
    _comment(tobias, battery, d(-4, 10), "Das freut uns und Lumo sehr, danke!")  # late
    _status(tobias, battery, ACKNOWLEDGED, d(-4, 10))

    headphones = _file(
        scene, 0, d(-6, 18), BUG, "Bluetooth-Kopfhörer verlieren kurz die Verbindung",
        severity=MINOR, steps="Kopfhörer koppeln, Musik hören, mit dem Telefon in der "
                              "Hosentasche gehen.",
        actual="Alle paar Minuten setzt der Ton für eine Sekunde aus.",
        device="Nova 7 5G mit Pixel Buds Pro", version="7.1.2")
    with frozen_at(d(-6, 21)):
        triage.set_severity(tobias, headphones, MAJOR, "Betrifft laut Lumo alle Kopfhörer "
                            "mit LE Audio; das ist mehr als ein Schönheitsfehler.")
    _status(tobias, headphones, ACKNOWLEDGED, d(-5, 9))

    five_g = _file(
        scene, 0, d(-4, 8), BUG, "5G fällt in der Stadt immer wieder auf LTE zurück",
        severity=MAJOR, steps="Mit mobilen Daten durch die Innenstadt gehen und ein Video "
                              "streamen.",
        expected="Das Telefon bleibt im 5G-Netz, wo es verfügbar ist.",
        actual="Alle paar Minuten wechselt die Anzeige auf LTE, das Video stockt kurz.",
        device="Nova 7 5G", version="7.1.2")
    _me_too(scene, 2, five_g, d(-3, 19))
    _file(scene, 1, d(-1, 15), IDEA, "Dual-SIM-Einstellungen schneller erreichbar machen",
          description="Zum Umschalten der Daten-SIM brauche ich vier Klicks. Eine Kachel in "
                      "den Schnelleinstellungen wäre praktisch.")
    with frozen_at(d(-1, 12)):
        clocks.escalate()  # the 5G report has waited three times its target
    _file(scene, 2, scene.now - timedelta(hours=9), BUG,
          "Telefon startet nach Update auf 7.1.2 immer wieder neu", severity=CRITICAL,
          steps="1. Update auf 7.1.2 installieren.\n2. Neustart abwarten.\n3. Entsperren.",
          expected="Das Telefon startet einmal und lässt sich normal benutzen.",
          actual="Nach etwa einer Minute startet es neu, immer wieder. Nur im abgesicherten "
                 "Modus bleibt es an.", device="Nova 7 5G", version="7.1.2")


# ---- the campaign in evaluation: the AirLink Mesh Duo, tested, now being evaluated --------

MESH_FIRST = FormSpec("Erste Eindrücke", (
    "Die ersten zwei Wochen mit dem Mesh-Set: Einrichtung und Empfang."), [
    Ask(RATING, "Wie einfach war die Einrichtung?", help_text="1 = sehr schwierig, "
        "5 = sehr einfach", answers=("5", "4", "5", "3", "4", "2")),
    Ask(SINGLE, "Wie hast du das Mesh eingerichtet?",
        ("Mit der App", "Über die Weboberfläche", "Per WPS-Taste"),
        answers=("Mit der App", "Mit der App", "Über die Weboberfläche", "Mit der App",
                 "Per WPS-Taste", "Mit der App")),
    Ask(MULTIPLE, "In welchen Räumen hast du das WLAN gemessen?",
        ("Wohnzimmer", "Schlafzimmer", "Kinderzimmer", "Arbeitszimmer", "Keller", "Garten"),
        answers=(["Wohnzimmer", "Schlafzimmer", "Keller"],
                 ["Wohnzimmer", "Arbeitszimmer"],
                 ["Wohnzimmer", "Kinderzimmer", "Schlafzimmer", "Garten"],
                 ["Arbeitszimmer", "Keller"],
                 ["Wohnzimmer", "Schlafzimmer", "Kinderzimmer"],
                 ["Wohnzimmer", "Garten"])),
    Ask(NUMBER, "Wie viele Minuten hat die Einrichtung gedauert?",
        answers=("12", "20", "9", "35", "15", "45")),
    Ask(YES_NO, "Lief das WLAN nach der Einrichtung sofort stabil?",
        answers=("yes", "yes", "no", "yes", "yes", "no")),
    Ask(SHORT_TEXT, "Welche Firmware-Version ist installiert?", required=False,
        answers=("1.3.8", "1.3.8", "1.3.8", None, "1.3.7", "1.3.8")),
    Ask(LONG_TEXT, "Was hat dich bei der Einrichtung überrascht?", required=False,
        answers=("Der Satellit hat sich von selbst gefunden, ich musste nichts tun.",
                 "Dass die App ein Konto verlangt, bevor sie überhaupt etwas anzeigt.",
                 "Die Standortempfehlung für den Satelliten war wirklich hilfreich.",
                 None,
                 "Die WPS-Taste hat beim ersten Mal nicht reagiert.",
                 "Die Anleitung im Karton passt nicht zur aktuellen App.")),
    Ask(RATING, "Wie gut ist das WLAN im entferntesten Raum?",
        answers=("4", "3", "5", "4", "2", "3")),
])

MESH_FINAL = FormSpec("Abschlussumfrage", (
    "Drei Monate Mesh im Alltag: Dein Fazit geht direkt an Funkwerk."), [
    Ask(NPS, "Wie wahrscheinlich ist es, dass du AirLink Mesh Duo Freunden oder Kollegen "
        "empfiehlst?", answers=("10", "9", "8", "9", "6", "10")),
    Ask(RATING, "Wie zufrieden bist du insgesamt mit der WLAN-Abdeckung?",
        answers=("5", "4", "4", "5", "3", "4")),
    Ask(RATING, "Wie zufrieden bist du mit der App?", answers=("4", "3", "4", "5", "2", "3")),
    Ask(SINGLE, "Würdest du das Set für 249 € kaufen?", ("Ja, sofort", "Im Angebot", "Nein"),
        answers=("Ja, sofort", "Im Angebot", "Im Angebot", "Ja, sofort", "Nein",
                 "Ja, sofort")),
    Ask(MULTIPLE, "Was sollte Funkwerk als Nächstes verbessern?",
        ("Reichweite", "App", "Geschwindigkeit", "Design", "Preis"), required=False,
        answers=(["App"], ["App", "Preis"], ["Reichweite"], ["Design"],
                 ["Reichweite", "Geschwindigkeit", "App"], ["Preis"])),
    Ask(YES_NO, "Hat das Mesh dein bisheriges WLAN vollständig ersetzt?",
        answers=("yes", "yes", "yes", "no", "no", "yes")),
    Ask(NUMBER, "Download im entferntesten Raum (Mbit/s)", help_text="Der Mittelwert deiner "
        "Messungen.", answers=("212", "148", "305", "187", "64", "240")),
    Ask(SHORT_TEXT, "Das Set in einem Satz:",
        answers=("Endlich WLAN im Keller.", "Gut, aber die App nervt.",
                 "Stabil und schnell, auch im Garten.", "Schick und unauffällig.",
                 "Für drei Etagen reicht ein Satellit nicht.", "Aufstellen und vergessen.")),
    Ask(LONG_TEXT, "Was möchtest du Funkwerk noch mitgeben?", required=False,
        answers=("Bitte die LED abschaltbar machen, sie leuchtet im Schlafzimmer.",
                 "Ein Zeitplan fürs Gäste-WLAN wäre toll.", None,
                 "Die Weboberfläche ist besser als die App.",
                 "Ein zweiter Satellit sollte im Set für Häuser dabei sein.", None)),
])

MESH = {"device": "AirLink Mesh Duo", "version": "1.4.0"}


def _evaluation(scene: Scene) -> None:
    """Every tester answered both forms; most did every task; the reports are triaged."""
    d, tobias, jana = scene.day, scene.staff, scene.colleague
    testers = range(len(scene.testers))
    first = _form(scene, MESH_FIRST, created=d(-106, 10), opens=d(-100, 8), due=d(-86, 22))
    final = _form(scene, MESH_FINAL, created=d(-30, 10), opens=d(-24, 8), due=d(-14, 22))
    setup = _task(scene, d(-106, 11), "Router einrichten",
                  "Router anschließen, die App installieren und die Firmware aktualisieren.",
                  d(-97, 22))
    _task(scene, d(-106, 11), "Erste Eindrücke ausfüllen", None, first.due_at, first)
    mesh = _task(scene, d(-106, 12), "Mesh zu Hause testen",
                 "Den Satelliten auf der Etage mit dem schwächsten WLAN aufstellen und zwei "
                 "Wochen im Alltag nutzen.", d(-60, 22))
    speed = _task(scene, d(-106, 12), "Geschwindigkeit in jedem Raum messen",
                  "Mit der App in jedem Raum dreimal messen und die Werte notieren.",
                  d(-40, 22))
    _task(scene, d(-30, 11), "Abschlussumfrage ausfüllen", None, final.due_at, final)

    for n in testers:
        _done(scene, setup, n, d(-103 + n // 2, 18 + n % 3))
        _answer(scene, first, MESH_FIRST, n, d(-98 + 2 * n, 20))
        if n < 5:  # the sixth never got round to it
            _done(scene, mesh, n, d(-75 + 3 * n, 19))
        if n not in (2, 5):
            _done(scene, speed, n, d(-50 + 2 * n, 17))
        _answer(scene, final, MESH_FINAL, n, d(-22 + n, 21))

    praise = _file(scene, 3, d(-98, 21), PRAISE, "Einrichtung in zehn Minuten – top!",
                   description="Auspacken, App öffnen, fertig. Der Satellit hat sich von "
                               "selbst gekoppelt.")
    _comment(tobias, praise, d(-97, 9), "Danke! Das geben wir gern an Funkwerk weiter.")
    _status(tobias, praise, ACKNOWLEDGED, d(-97, 9))

    pairing = _file(
        scene, 1, d(-80, 18), BUG, "Satellit verliert nach Stromausfall die Kopplung",
        severity=MAJOR, steps="1. Router und Satellit vom Strom trennen.\n2. Beide wieder "
                              "einstecken.",
        expected="Der Satellit verbindet sich wieder mit dem Router.",
        actual="Die LED blinkt rot; erst nach erneutem Koppeln per App geht es wieder.",
        device="AirLink Mesh Duo", version="1.3.8")
    _status(tobias, pairing, ACKNOWLEDGED, d(-80, 20))
    _status(tobias, pairing, FORWARDED, d(-79, 9), "Bei Funkwerk als MESH-88 in Arbeit.")
    _me_too(scene, 4, pairing, d(-78, 19))

    guests = _file(
        scene, 2, d(-75, 21), BUG, "App zeigt im Gästenetz falsche Geräteanzahl",
        severity=MINOR, steps="Zwei Geräte ins Gäste-WLAN einbuchen, in der App "
                              "„Gäste“ öffnen.",
        expected="Die App zeigt zwei Geräte.", actual="Die App zeigt null Geräte.",
        device="AirLink App 2.3 (Android)", version="1.3.8")
    _status(jana, guests, ACKNOWLEDGED, d(-71, 9))  # late
    _status(jana, guests, WONT_FIX, d(-50, 10), "Die Gästeliste kommt mit der neuen App im "
            "Herbst; die alte wird nicht mehr geändert.")

    update = _file(
        scene, 0, d(-70, 20), BUG, "WLAN bricht nach Firmware-Update ab", severity=CRITICAL,
        steps="1. In der App das Update auf Firmware 1.4.0 starten.\n2. Neustart "
              "abwarten.\n3. Laptop und Telefon verbinden.",
        expected="Alle Geräte verbinden sich wieder wie vorher.",
        actual="Der Router sendet kein WLAN mehr, nur LAN funktioniert. Auch ein Neustart "
               "hilft nicht.", **MESH)
    _status(tobias, update, ACKNOWLEDGED, d(-70, 22), "Wir prüfen das sofort mit Funkwerk.")
    again = _file(scene, 3, d(-70, 23), BUG, "Nach Update auf 1.4.0 kein WLAN mehr",
                  severity=CRITICAL, steps="Firmware-Update über die App.",
                  actual="Kein WLAN mehr, weder am Router noch am Satelliten.", **MESH)
    with frozen_at(d(-69, 9)):
        triage.merge(tobias, again, update.id, f"Derselbe Fehler wie Bericht #{update.id}.")
    _status(tobias, update, FORWARDED, d(-69, 10), "Funkwerk hat das Update gestoppt.")
    _me_too(scene, 1, update, d(-69, 12))
    _status(tobias, update, FIXED, d(-62, 15), "Firmware 1.4.1 behebt den Fehler; das "
            "Update kommt automatisch.")

    led = _file(
        scene, 4, d(-66, 23), BUG, "Status-LED des Satelliten leuchtet nachts zu hell",
        severity=COSMETIC, steps="Satellit im Schlafzimmer aufstellen, Licht ausmachen.",
        actual="Die weiße LED erhellt das halbe Zimmer.", device="AirLink Mesh Duo",
        version="1.4.1")
    _status(jana, led, ACKNOWLEDGED, d(-65, 10))
    _status(jana, led, FIXED, d(-40, 12), "Mit Firmware 1.4.2 lässt sich die LED in der App "
            "abschalten.")

    speedtest = _file(
        scene, 5, d(-55, 20), BUG, "Speedtest in der App bricht über 500 Mbit/s ab",
        severity=MINOR, steps="Am Glasfaseranschluss in der App den Speedtest starten.",
        expected="Die App misst die volle Geschwindigkeit.",
        actual="Der Test endet bei 500 Mbit/s.", device="AirLink Mesh Duo", version="1.4.1")
    _status(tobias, speedtest, INVALID, d(-54, 9), "Der Test läuft gegen einen Server, der "
            "auf 500 Mbit/s begrenzt ist; am Gerät liegt es nicht.")
    _reply(scene, speedtest, d(-54, 18), "Verstehe, danke für die Erklärung!")

    schedule = _file(
        scene, 2, d(-50, 19), IDEA, "Zeitplan für das Gäste-WLAN",
        description="Das Gäste-WLAN soll sich nachts von selbst abschalten, wie bei anderen "
                    "Routern.")
    _status(jana, schedule, FORWARDED, d(-48, 11), "Funkwerk plant das für Firmware 1.5.")
    _me_too(scene, 0, schedule, d(-47, 20))
    _me_too(scene, 4, schedule, d(-45, 8))

    radar = _file(
        scene, 5, d(-30, 20), IDEA, "Karte mit der Signalstärke pro Raum",
        description="Eine Ansicht in der App, die zeigt, in welchem Raum das WLAN schwach "
                    "ist, und wo ein zweiter Satellit helfen würde.")
    _status(tobias, radar, ACKNOWLEDGED, d(-29, 11))
