"""Demo test lab for `make run`: six products and a campaign in each stage of its life.

Everything goes through the real services (products, lifecycle, questions, applications,
ranking, selection), with the clock set back where the story needs a past: the closed
campaign's testers finished months ago, so the later rankings have reliability and
freshness to show. Idempotent: products are found by maker and name, and a campaign
whose slug exists is left as it is, so running it again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from lab.accounts.models import User
from lab.campaigns import applications, lifecycle, products, questions, selection
from lab.campaigns.models import (
    CONFIRMED,
    KEEP,
    LONG_TEXT,
    MULTIPLE,
    NUMBER,
    OWN_DEVICE,
    RETURN,
    SELECTED,
    SHORT_TEXT,
    SINGLE,
    YES_NO,
    Application,
    Campaign,
    Product,
)
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db

# key: category, maker, name, description
PRODUCTS = {
    "router": ("router", "NetzWerk", "Heimnetz Mesh 6",
               "WLAN-7-Router mit zwei Mesh-Satelliten für Wohnungen und Häuser bis 250 m²."),
    "phone": ("smartphone", "Lumo", "Nova 7 5G",
              "Mittelklasse-Smartphone mit 6,4-Zoll-OLED, 5G, 5000 mAh und fünf Jahren "
              "Updates."),
    "tvbox": ("tv", "Lichtspiel", "StreamBox 4K",
              "TV-Box mit Android TV, Dolby Vision, Sprachfernbedienung und allen großen "
              "Mediatheken."),
    "app": ("app", "Testlab", "Mein Netz App 3.0",
            "Die neue Service-App: Verbrauch, Rechnungen und WLAN-Check an einem Ort."),
    "watch": ("wearable", "Lumo", "Pulse 2",
              "Smartwatch mit GPS, Pulsmessung, Schlafanalyse und einer Woche Akkulaufzeit."),
    "mesh": ("router", "Funkwerk", "AirLink Mesh Duo",
             "Mesh-Set aus Router und Satellit mit WLAN 6E für Häuser über mehrere Etagen, "
             "in zehn Minuten per App eingerichtet."),
}

TERMS = ("Das Testgerät bleibt bis zum Ende des Tests Eigentum des Herstellers (außer die "
         "Kampagne sagt etwas anderes). Du gibst bis zum Testende ehrliches Feedback im Forum "
         "und meldest Fehler mit einer nachvollziehbaren Beschreibung. Deine Adresse nutzen "
         "wir nur für den Versand.")

# for the shipping addresses of demo testers who confirm a place
NAMES = {
    "anna.k": "Anna Krüger", "SmartphoneSven": "Sven Albers", "routerrita": "Rita Hansen",
    "MeshMichael": "Michael Roth", "tv_tanja": "Tanja Weber", "Lukas_5G": "Lukas Fischer",
    "petra.p": "Petra Paulsen", "FritzFan": "Fritz Brandt", "AppAylin": "Aylin Demir",
    "kai.tests": "Kai Schneider", "Nordlicht": "Nele Jensen", "sabine_s": "Sabine Sommer",
    "Techniktom": "Tom Becker", "mobil_mia": "Mia Wagner", "Jonas.J": "Jonas Jacobs",
    "Oma_Erna": "Erna Hoffmann", "Streamer_Sam": "Samuel Klein", "lea.linux": "Lea Wolf",
    "WienerWolfgang": "Wolfgang Huber", "ZuriZoe": "Zoe Meier",
}
CITIES = {"01": "Dresden", "10": "Berlin", "14": "Potsdam", "17": "Neubrandenburg",
          "20": "Hamburg", "24": "Kiel", "28": "Bremen", "30": "Hannover", "39": "Magdeburg",
          "50": "Köln", "53": "Bonn", "55": "Mainz", "60": "Frankfurt am Main",
          "66": "Saarbrücken", "70": "Stuttgart", "80": "München", "90": "Nürnberg",
          "99": "Erfurt"}
STREETS = ["Lindenstraße 12", "Am Markt 3", "Gartenweg 7a", "Bahnhofstraße 41",
           "Rosenstraße 5", "Schillerplatz 9"]


@dataclass(frozen=True)
class Question:
    kind: str
    label: str
    options: tuple[str, ...] = ()
    required: bool = True
    help_text: str | None = None
    # sample answers, taken in turn by the applicants
    answers: tuple = ()


@dataclass
class Story:
    now: datetime
    admin: User
    staff1: User
    staff2: User
    members: dict[str, User]
    products: dict[str, Product]

    def day(self, days: int, hour: int = 9) -> datetime:
        """A full hour on the day ``days`` from today (negative: in the past)."""
        moment = self.now + timedelta(days=days)
        return moment.replace(hour=hour, minute=0, second=0, microsecond=0)

    def cast(self, handles: list[str]) -> list[User]:
        return [self.members[h] for h in handles if h in self.members]


def seed(*, admin: User, staff1: User, staff2: User, members: dict[str, User]) -> None:
    """Create the demo products and campaigns that are missing."""
    story = Story(utcnow(), admin, staff1, staff2, members, {})
    with frozen_at(story.day(-250)):
        story.products = {key: _ensure_product(admin, *spec) for key, spec in PRODUCTS.items()}
    # oldest first: the later rankings read the earlier tests
    for build in (_closed, _evaluation, _testing, _selection, _recruiting, _in_review):
        build(story)


def _ensure_product(actor, category, maker, name, description) -> Product:
    product = db.session.scalar(select(Product).where(Product.maker == maker,
                                                      Product.name == name))
    return product or products.save_product(actor, name=name, maker=maker, category=category,
                                            description=description)


def _exists(slug: str) -> bool:
    return db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None


# ---- the campaigns, one per stage -------------------------------------------------------

ROUTER_QUESTIONS = [
    Question(SINGLE, "Wie groß ist die Wohnfläche, die das WLAN abdecken soll?",
             ("bis 60 m²", "60 bis 120 m²", "über 120 m²"),
             answers=("60 bis 120 m²", "über 120 m²", "bis 60 m²")),
    Question(NUMBER, "Wie viele Geräte sind bei dir gleichzeitig im WLAN?",
             answers=("12", "7", "25", "9")),
]


def _closed(story: Story) -> None:
    """Months ago: ranked, selected, tested; three completed (points paid), one dropped."""
    slug = "heimnetz-mesh-6"
    if _exists(slug):
        return
    campaign = _create(
        story, story.staff2, story.day(-240), ROUTER_QUESTIONS, slug=slug,
        product=story.products["router"], title="Heimnetz Mesh 6: WLAN in jedem Zimmer",
        summary="Vier Haushalte testen das Mesh-System drei Monate lang im Alltag.",
        description="Funklöcher im Kinderzimmer? Wir suchen Haushalte mit schwierigem "
                    "Grundriss, die das Mesh-System einrichten, messen und berichten.",
        slots=4, device_policy=RETURN, completion_points=300,
        eligibility=[{"rule": "connection", "values": ["cable", "dsl", "fibre"]}],
        opens=story.day(-236, 8), closes=story.day(-224, 20), starts=story.day(-220),
        ends=story.day(-162, 18))
    _publish(campaign, story.staff2, story.day(-239), story.staff1, story.day(-238))
    _apply_all(story, campaign, ["routerrita", "MeshMichael", "FritzFan", "lea.linux",
                                 "Nordlicht", "kai.tests", "anna.k", "tv_tanja"],
               ROUTER_QUESTIONS, first=story.day(-235, 10))
    with frozen_at(story.day(-223, 9)):
        lifecycle.advance(story.staff2, campaign)  # to selection: ranks the applicants
        selection.select_by_ranking(story.staff2, campaign)
    _confirm_all(story, campaign, story.day(-222))
    with frozen_at(story.day(-220, 8)):
        lifecycle.advance(story.staff2, campaign)  # to testing: the waiting list is told
    testers = _with_status(campaign, CONFIRMED)
    with frozen_at(story.day(-190, 14)):
        selection.finish_test(story.staff2, testers[-1].id, campaign, completed=False,
                              reason="Hat sich nach der Einrichtung nicht mehr gemeldet.")
    for n, tester in enumerate(testers[:-1]):
        with frozen_at(story.day(-163, 10 + n)):
            selection.finish_test(story.staff2, tester.id, campaign, completed=True)
    with frozen_at(story.day(-162, 19)):
        lifecycle.advance(story.staff2, campaign)  # to evaluation
    with frozen_at(story.day(-150, 11)):
        lifecycle.advance(story.admin, campaign)  # to closed


MESH_QUESTIONS = [
    Question(SINGLE, "Über wie viele Etagen soll das WLAN reichen?",
             ("eine", "zwei", "drei oder mehr"),
             answers=("drei oder mehr", "zwei", "drei oder mehr", "eine")),
    Question(YES_NO, "Hast du schon einmal ein Mesh-System eingerichtet?",
             answers=("no", "yes", "no")),
]


def _evaluation(story: Story) -> None:
    """Ranked and selected months ago, tested for three months, ended two weeks ago: the
    team evaluates (lab.feedback.demo fills in its forms, tasks and reports). The testers
    stay confirmed until staff judge their completion."""
    slug = "airlink-mesh-duo"
    if _exists(slug):
        return
    campaign = _create(
        story, story.staff2, story.day(-130), MESH_QUESTIONS, slug=slug,
        product=story.products["mesh"], title="AirLink Mesh Duo: WLAN über drei Etagen",
        summary="Sechs Haushalte testen das Mesh-Set drei Monate lang, vom Keller bis "
                "unters Dach.",
        description="Reicht ein Satellit für ein ganzes Haus? Wir suchen Haushalte mit "
                    "mehreren Etagen, die das Set einrichten, in jedem Raum messen und uns "
                    "sagen, was sie stört.",
        slots=6, device_policy=RETURN, completion_points=300,
        eligibility=[{"rule": "connection", "values": ["cable", "dsl", "fibre"]}],
        opens=story.day(-126, 8), closes=story.day(-110, 20), starts=story.day(-104),
        ends=story.day(-14, 18))
    _publish(campaign, story.staff2, story.day(-129), story.admin, story.day(-128))
    # none of them applies for the Nova 7 later, whose rules look at recent tests
    _apply_all(story, campaign, ["routerrita", "MeshMichael", "FritzFan", "lea.linux",
                                 "kai.tests", "petra.p", "Jonas.J", "tv_tanja", "Oma_Erna",
                                 "Streamer_Sam"],
               MESH_QUESTIONS, first=story.day(-125, 10))
    with frozen_at(story.day(-109, 9)):
        lifecycle.advance(story.staff2, campaign)  # to selection: ranks the applicants
        selection.select_by_ranking(story.staff2, campaign)
    _confirm_all(story, campaign, story.day(-108))
    with frozen_at(story.day(-104, 8)):
        lifecycle.advance(story.staff2, campaign)  # to testing
    with frozen_at(story.day(-13, 10)):
        lifecycle.advance(story.staff2, campaign)  # to evaluation


PHONE_QUESTIONS = [
    Question(SHORT_TEXT, "Welches Smartphone nutzt du im Moment?",
             answers=("Galaxy S24", "iPhone 15", "Pixel 8", "Xiaomi 14", "Fairphone 5")),
    Question(YES_NO, "Darf das Testgerät dein Hauptgerät werden?", answers=("yes", "no")),
]


def _testing(story: Story) -> None:
    """Places given by a recorded lottery; the three winners confirmed and are testing."""
    slug = "nova-7-5g"
    if _exists(slug):
        return
    campaign = _create(
        story, story.staff1, story.day(-60), PHONE_QUESTIONS, slug=slug,
        product=story.products["phone"], title="Nova 7 5G im Alltagstest",
        summary="Drei Testerinnen und Tester nutzen das Nova 7 acht Wochen als Hauptgerät.",
        description="Akku, Kamera, 5G-Empfang: Wie schlägt sich das Nova 7 im Alltag? Die "
                    "Plätze werden verlost; wer fertig testet, darf das Gerät behalten.",
        slots=3, device_policy=KEEP, completion_points=500,
        eligibility=[{"rule": "no_test_months", "value": 3}],
        opens=story.day(-55, 8), closes=story.day(-40, 20), starts=story.day(-35),
        ends=story.day(25, 18))
    _publish(campaign, story.staff1, story.day(-58), story.admin, story.day(-57))
    _apply_all(story, campaign, ["SmartphoneSven", "Lukas_5G", "AppAylin", "Nordlicht",
                                 "mobil_mia", "WienerWolfgang", "ZuriZoe", "anna.k",
                                 "sabine_s"],
               PHONE_QUESTIONS, first=story.day(-54, 12))
    with frozen_at(story.day(-39, 9)):
        lifecycle.advance(story.staff1, campaign)
        selection.run_draw(story.staff1, campaign)
    _confirm_all(story, campaign, story.day(-38))
    with frozen_at(story.day(-35, 8)):
        lifecycle.advance(story.staff1, campaign)


TV_QUESTIONS = [
    Question(YES_NO, "Hast du ein Streaming-Abo?", answers=("yes", "yes", "no")),
    Question(MULTIPLE, "Welche Mediatheken und Dienste nutzt du?",
             ("ARD/ZDF-Mediathek", "Netflix", "Disney+", "YouTube", "Prime Video"),
             required=False,
             answers=(["Netflix", "YouTube"], ["ARD/ZDF-Mediathek"],
                      ["Disney+", "Prime Video", "YouTube"])),
    Question(LONG_TEXT, "Was stört dich am Fernsehen über das Internet?",
             answers=("Die Fernbedienung reagiert zu langsam.",
                      "Abends ruckelt das Bild, und die Mediathek-Apps stürzen ab.",
                      "Zu viele Apps und Abos, ich finde nichts wieder.")),
]


def _selection(story: Story) -> None:
    """Ranked yesterday: three selected (one confirmed), three waitlisted, four undecided."""
    slug = "streambox-4k"
    if _exists(slug):
        return
    campaign = _create(
        story, story.staff1, story.day(-30), TV_QUESTIONS, slug=slug,
        product=story.products["tvbox"], title="StreamBox 4K: Streaming ohne Ruckeln",
        summary="Teste die neue TV-Box fünf Wochen lang an deinem Fernseher.",
        description="Bild, Ton, Bedienung und die Mediatheken: Wir wollen wissen, wie die "
                    "StreamBox 4K mit echten Heimnetzen zurechtkommt.",
        slots=3, device_policy=KEEP, completion_points=250,
        eligibility=[{"rule": "connection", "values": ["5g_home", "cable", "dsl", "fibre"]}],
        opens=story.day(-25, 8), closes=story.day(-3, 20), starts=story.day(4),
        ends=story.day(40, 18))
    _publish(campaign, story.staff1, story.day(-28), story.staff2, story.day(-27))
    _apply_all(story, campaign, ["tv_tanja", "Streamer_Sam", "kai.tests", "FritzFan",
                                 "Oma_Erna", "routerrita", "MeshMichael", "anna.k", "Jonas.J",
                                 "lea.linux"],
               TV_QUESTIONS, first=story.day(-24, 18), every=timedelta(hours=47))
    with frozen_at(story.day(-2, 10)):
        lifecycle.advance(story.staff2, campaign)
    ranked = list(db.session.scalars(
        select(Application.id).where(Application.campaign_id == campaign.id,
                                     Application.rank.is_not(None))
        .order_by(Application.rank)))
    with frozen_at(story.day(-1, 10)):
        selection.decide(story.staff2, campaign, ranked[:3], selection.SELECT)
        selection.decide(story.staff2, campaign, ranked[3:6], selection.WAITLIST)
    first = _with_status(campaign, SELECTED)[0]
    _confirm(campaign, first, story.now - timedelta(hours=3))


APP_QUESTIONS = [
    Question(SINGLE, "Wie oft nutzt du die Mein-Netz-App heute?",
             ("täglich", "jede Woche", "seltener", "noch nie"),
             answers=("jede Woche", "täglich", "seltener", "noch nie")),
    Question(LONG_TEXT, "Was fehlt dir an der aktuellen App?",
             help_text="Ein, zwei Sätze reichen.",
             answers=("Eine Übersicht, welches Gerät gerade das WLAN bremst.",
                      "Rechnungen als PDF ohne zweimal einloggen.",
                      "Ein dunkles Design und größere Schrift.")),
    Question(YES_NO, "Dürfen wir dich für ein kurzes Video-Interview anfragen?",
             required=False, answers=("yes", "no", "no")),
]


def _recruiting(story: Story) -> None:
    """Open for applications: four sent, one started and not yet sent."""
    slug = "mein-netz-app-3"
    if _exists(slug):
        return
    campaign = _create(
        story, story.staff1, story.day(-13), APP_QUESTIONS, slug=slug,
        product=story.products["app"], title="Mein Netz App 3.0: Beta-Test",
        summary="Probiere die neue App vor allen anderen aus und sag uns, was fehlt.",
        description="Die Beta läuft auf deinem eigenen Android-Gerät. Wir suchen "
                    "Vielnutzer ebenso wie Menschen, die die App noch nie geöffnet haben.",
        slots=15, device_policy=OWN_DEVICE, completion_points=150,
        eligibility=[{"rule": "owns_os", "values": ["android"]}],
        opens=story.day(-10, 8), closes=story.day(14, 20), starts=story.day(21),
        ends=story.day(60, 18))
    _publish(campaign, story.staff1, story.day(-13, 16), story.admin, story.day(-12))
    _apply_all(story, campaign, ["anna.k", "Lukas_5G", "AppAylin", "Nordlicht"],
               APP_QUESTIONS, first=story.day(-9, 19), every=timedelta(hours=41))
    for member in story.cast(["mobil_mia"]):
        with frozen_at(story.now - timedelta(hours=2)):
            applications.save(member, campaign, _answers(campaign, APP_QUESTIONS[:1], 1),
                              submit=False)


WATCH_QUESTIONS = [
    Question(MULTIPLE, "Wofür würdest du die Uhr vor allem nutzen?",
             ("Laufen", "Radfahren", "Schwimmen", "Schlaf", "Alltag")),
    Question(NUMBER, "Wie viele Stunden Sport machst du pro Woche?"),
]


def _in_review(story: Story) -> None:
    """Submitted by staff1: staff2 or an admin can approve it (four eyes)."""
    slug = "pulse-2-smartwatch"
    if _exists(slug):
        return
    campaign = _create(
        story, story.staff1, story.day(-2, 15), WATCH_QUESTIONS, slug=slug,
        product=story.products["watch"], title="Pulse 2: Smartwatch für Sport und Schlaf",
        summary="Acht Sportbegeisterte tragen die Pulse 2 sechs Wochen lang Tag und Nacht.",
        description="Stimmen Puls, Schritte und GPS? Hält der Akku eine Woche? Die Uhr geht "
                    "nach dem Test an uns zurück.",
        slots=8, device_policy=RETURN, completion_points=400,
        eligibility=[{"rule": "owns_os", "values": ["android", "ios"]},
                     {"rule": "region", "values": ["AT", "CH", "DE-BE", "DE-BY", "DE-HH",
                                                   "DE-NW"]}],
        opens=story.day(5, 8), closes=story.day(19, 20), starts=story.day(26),
        ends=story.day(68, 18))
    with frozen_at(story.day(-1, 11)):
        lifecycle.submit_for_review(story.staff1, campaign)


# ---- the steps ----------------------------------------------------------------------------

def _create(story: Story, actor, created: datetime, specs: list[Question], *, product,
            opens, closes, starts, ends, **fields) -> Campaign:
    with frozen_at(created):
        campaign = lifecycle.create_campaign(
            actor, product_id=product.id, terms=TERMS, confirm_days=5,
            applications_open_at=opens, applications_close_at=closes,
            test_starts_at=starts, test_ends_at=ends, **fields)
        for spec in specs:
            questions.save_question(actor, campaign, kind=spec.kind, label=spec.label,
                                    help_text=spec.help_text, required=spec.required,
                                    options=list(spec.options))
    return campaign


def _publish(campaign: Campaign, submitter, submitted: datetime, approver,
             approved: datetime) -> None:
    with frozen_at(submitted):
        lifecycle.submit_for_review(submitter, campaign)
    with frozen_at(approved):
        lifecycle.approve(approver, campaign)


def _answers(campaign: Campaign, specs: list[Question], n: int) -> dict:
    """The n-th applicant's answers, as the form would send them."""
    return {questions.field_name(question): spec.answers[n % len(spec.answers)]
            for question, spec in zip(campaign.questions, specs, strict=False)
            if spec.answers}


def _apply_all(story: Story, campaign: Campaign, handles: list[str], specs: list[Question],
               *, first: datetime, every: timedelta = timedelta(hours=29)) -> None:
    """Send the members' applications one after another, from ``first`` on."""
    for n, member in enumerate(story.cast(handles)):
        with frozen_at(first + n * every):
            try:
                applications.save(member, campaign, _answers(campaign, specs, n),
                                  submit=True, accept_terms=True)
            except applications.NotEligible:
                continue  # a demo profile someone changed: skip rather than fail


def _with_status(campaign: Campaign, status: str) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status == status)
        .order_by(Application.rank, Application.id)))


def _confirm_all(story: Story, campaign: Campaign, day: datetime) -> None:
    for n, application in enumerate(_with_status(campaign, SELECTED)):
        _confirm(campaign, application, day + timedelta(hours=n * 3 + 1))


def _confirm(campaign: Campaign, application: Application, moment: datetime) -> None:
    member = application.member
    address = None if campaign.device_policy == OWN_DEVICE else _address(member)
    with frozen_at(moment):
        selection.confirm(member, campaign, accept_terms=True, address=address)


def _address(member: User) -> dict:
    profile = member.profile
    region = (profile.region if profile else None) or "DE-NW"
    area = (profile.postcode_area if profile else None) or "53"
    if region in ("AT", "CH"):
        country = region
        postcode, city = (area + "10", "Wien") if region == "AT" else (area + "01", "Zürich")
    else:
        country, postcode, city = "DE", area + "111", CITIES.get(area, "Bonn")
    return {"full_name": NAMES.get(member.handle, member.handle),
            "street": STREETS[member.id % len(STREETS)], "extra": None,
            "postcode": postcode, "city": city, "country": country, "phone": None}
