"""Demo inventory for `make run`: test devices of the demo campaigns in every status.

The Nova 7 5G (in testing, policy keep) has a phone with each of its three testers'
stories: one swapped for a defective one (the replacement is on its way), one lost on a
train (a replacement is reserved), one kept after completing the test (the award waits
for a second admin). The AirLink Mesh Duo (in evaluation, policy return) is coming back:
one set overdue, one announced with its tracking number, one received and waiting for
its check, some checked and in stock again. The long-closed Heimnetz Mesh 6 had its
routers back months ago, but one, which a second admin let its tester keep. New stock
for the StreamBox 4K and the Pulse 2 came in by CSV import. Finally the addresses whose
time is up are purged, as `flask lab purge` does.

Everything goes through the services (inventory, assignments, shipping, selection,
awards), with the clock set back to when each step happened. Idempotent: if any device
exists, nothing is added. Runs after lab.campaigns.demo and lab.feedback.demo.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from lab.accounts.models import User
from lab.campaigns import selection
from lab.campaigns.models import (
    CLOSED,
    COMPLETED,
    CONFIRMED,
    DROPPED,
    EVALUATION,
    TESTING,
    Application,
    Campaign,
    Product,
)
from lab.core import audit
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.logistics import assignments, importer, inventory, notices, retention, shipping
from lab.logistics.identifiers import check_digit
from lab.logistics.models import (
    DEFECTIVE,
    GOOD,
    IN_STOCK,
    LOST,
    NEW,
    WITH_TESTER,
    WORN,
    Assignment,
    Device,
)
from lab.rewards import awards
from lab.rewards.models import AWARD_DEVICE

TESTING_SLUG = "nova-7-5g"
EVALUATION_SLUG = "airlink-mesh-duo"
CLOSED_SLUG = "heimnetz-mesh-6"
UPCOMING_SLUGS = ("streambox-4k", "pulse-2-smartwatch")

# serial prefixes of the demo products, by product name
PREFIXES = {"Nova 7 5G": "NV7", "AirLink Mesh Duo": "ALM", "Heimnetz Mesh 6": "HM6",
            "StreamBox 4K": "SBX", "Pulse 2": "PL2"}
IMEI_TAC = "35467811"  # the made-up type allocation code of the demo phones
CHECKED = "Geprüft: vollständig, auf Werkseinstellungen zurückgesetzt."
CHECKED_WORN = "Geprüft: Gehäuse mit Kratzern, funktioniert einwandfrei."


@dataclass
class Scene:
    """Who acts and when: the logistics staff, the campaigns' staff and the time."""

    now: datetime
    lars: User  # logistics
    jana: User  # staff1, runs the Nova 7 test
    tobias: User  # staff2, runs the router tests
    petra: User  # admin2, the second pair of eyes on awards
    numbers: dict[str, int] = field(default_factory=dict)

    def day(self, days: int, hour: int = 9, minute: int = 0) -> datetime:
        moment = self.now + timedelta(days=days)
        return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def serial(self, product: Product) -> tuple[str, int]:
        prefix = PREFIXES.get(product.name, "DEV")
        number = self.numbers.get(prefix, 100) + 1
        self.numbers[prefix] = number
        return f"{prefix}-{number:06d}", number

    def add(self, product: Product, condition: str = NEW, notes: str | None = None) -> Device:
        serial, number = self.serial(product)
        imei = imei_for(number) if product.category == "smartphone" else None
        return inventory.add_device(self.lars, product_id=product.id, serial=serial,
                                    imei=imei, condition=condition, notes=notes)


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    """Run the block at ``moment`` and flush inside it, so every row it added carries
    that time (created_at is set when a row is flushed). Then forget what was loaded, as
    the end of a request would: the next step reads fresh rows and relationships."""
    with frozen_at(moment):
        yield moment
        db.session.flush()
    db.session.expire_all()


def imei_for(number: int) -> str:
    """A valid IMEI (Luhn check digit) for the n-th demo phone."""
    body = f"{IMEI_TAC}{number:06d}"
    return body + check_digit(body)


def tracking(carrier: str, number: int) -> str:
    """A tracking number of the carrier's usual shape."""
    return {"dhl": f"00340434{161094000000 + number:012d}",
            "dpd": f"0{1387042000000 + number:013d}",
            "hermes": f"H{1004671200000000000 + number:019d}",
            "gls": f"ZT{6410000000 + number:010d}"}[carrier]


def seed(*, logistics: User, staff1: User, staff2: User, admin2: User) -> None:
    """Build the demo inventory, unless there are devices already."""
    if db.session.scalar(select(Device.id).limit(1)) is not None:
        return
    scene = Scene(utcnow(), logistics, staff1, staff2, admin2)
    # oldest first, so the devices' numbers follow their arrival
    _closed(scene)
    _evaluation(scene)
    _testing(scene)
    _upcoming(scene)
    # the privacy rule: addresses of the long-closed campaign's testers are due
    retention.purge()


def _campaign(slug: str, state: str) -> Campaign | None:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    return campaign if campaign is not None and campaign.state == state else None


def _testers(campaign: Campaign, statuses) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.campaign_id == campaign.id,
                                  Application.status.in_(statuses))
        .order_by(Application.id)))


# ---- before the test could be assigned through the service ----------------------------------

def _handed_out(scene: Scene, campaign: Campaign, application: Application, device: Device,
                shipped: datetime, delivered: datetime, carrier: str) -> Assignment:
    """A device that went out while the campaign was in testing, for a campaign that is
    past it now. assignments.assign only serves campaigns in testing, so the reservation
    is made with its model-level step (_hand_out) under the clock of back then; shipping
    goes through the service, and so does the tester's confirmation of receipt, unless
    the tester has finished since: then shipping.deliver would run the after-test hook
    and ask the device back on the day it arrived, so the delivery is written here."""
    with at(shipped - timedelta(hours=5)):
        assignment = assignments._hand_out(scene.lars, campaign, application, device)
    with at(shipped):
        shipment = shipping.ship(scene.lars, assignment.id, carrier=carrier,
                                 tracking_number=tracking(carrier, device.id * 7919))
    with at(delivered):
        if application.status == CONFIRMED:
            shipping.confirm_receipt(application.member, campaign, shipment.id)
        else:
            shipment.delivered_at = assignment.received_at = delivered
            shipment.delivered_by_id = application.member_id
            inventory.move(device, WITH_TESTER, application.member,
                           reason="confirmed by the tester")
            audit.record(application.member, shipping.DEVICE_DELIVERED, "device",
                         device.id, shipment=shipment.id, by_tester=True)
    return assignment


def _comes_back(scene: Scene, assignment: Assignment, *, sent: datetime,
                received: datetime, checked: datetime | None = None,
                condition: str = GOOD, carrier: str = "dhl",
                check_note: str = CHECKED) -> None:
    """The tester sends the device back, the warehouse receives it and (if ``checked``)
    puts it back in stock after the check."""
    with at(sent):
        shipping.sent_back(assignment.member, assignment.campaign, carrier=carrier,
                           tracking_number=tracking(carrier, assignment.device_id * 104729))
    with at(received):
        shipping.receive_back(scene.lars, assignment.id, note="Paket angekommen.")
    if checked is not None:
        with at(checked):
            inventory.change_status(scene.lars, assignment.device_id, IN_STOCK,
                                    reason=check_note, condition=condition)


# ---- the closed campaign: the Heimnetz Mesh 6, back months ago ------------------------------

def _closed(scene: Scene) -> None:
    """Four routers went out, three came back after the test (one from the tester who
    dropped out), and one was given away: NetzWerk let a tester keep it, approved by a
    second admin. One more never went out."""
    campaign = _campaign(CLOSED_SLUG, CLOSED)
    if campaign is None:
        return
    product, d = campaign.product, scene.day
    testers = _testers(campaign, (COMPLETED, DROPPED))
    with at(d(-226, 10)):
        routers = [scene.add(product) for _ in range(len(testers) + 1)]
    loans = [_handed_out(scene, campaign, application, device, d(-220, 14),
                         d(-218, 17, 10 * n), "hermes")
             for n, (application, device) in enumerate(zip(testers, routers, strict=False))]
    kept = False
    for n, (application, assignment) in enumerate(zip(testers, loans, strict=True)):
        # what lab.logistics.after_test did when staff finished the test (the campaign
        # demo finished them before there were devices): asked back, policy "return"
        finished = application.finished_at or d(-163, 10)
        if application.status == COMPLETED and not kept:
            kept = True
            _kept_by_exception(scene, assignment, finished + timedelta(minutes=5),
                               d(-162, 10))
            continue
        with at(finished + timedelta(minutes=5)):
            shipping.request_return(scene.tobias, assignment)
        worn = n % 2 == 1
        _comes_back(scene, assignment, sent=finished + timedelta(days=3, hours=2),
                    received=finished + timedelta(days=5, hours=1),
                    checked=finished + timedelta(days=6, hours=3),
                    condition=WORN if worn else GOOD, carrier="hermes",
                    check_note=CHECKED_WORN if worn else CHECKED)


def _kept_by_exception(scene: Scene, assignment: Assignment, proposed: datetime,
                       approved: datetime) -> None:
    """A device award on a campaign whose policy is "return": the after-test hook would
    have asked the router back, so the proposal is made here as the hook makes it (same
    request key and source); the second admin's approval is the real four-eyes path,
    which gives the device away."""
    device = assignment.device
    with at(proposed):
        award, _created = awards.propose_for(
            scene.tobias, assignment.member, kind=AWARD_DEVICE,
            reason=f"Behält den {device.product.name} (Seriennummer {device.serial}) nach "
                   f"dem abgeschlossenen Test „{assignment.campaign.title}“: NetzWerk "
                   "überlässt ihn als Dank für die gründlichste Messreihe.",
            request_key=f"device-kept:{assignment.id}", source=("device", device.id))
        notices.tell(assignment.member, notices.KEEP_PROPOSED_KIND,
                     campaign=assignment.campaign, product=device.product.name)
    with at(approved):
        awards.approve(scene.petra, award.id)


# ---- the campaign in evaluation: the AirLink Mesh Duo, coming back --------------------------

def _evaluation(scene: Scene) -> None:
    """Six sets went out when the test began; the test is over and they are coming back."""
    campaign = _campaign(EVALUATION_SLUG, EVALUATION)
    if campaign is None:
        return
    product, d = campaign.product, scene.day
    testers = _testers(campaign, (CONFIRMED,))
    with at(d(-110, 11)):
        sets = [scene.add(product) for _ in range(len(testers))]
        scene.add(product, notes="Ersatzset für den Test, originalverpackt.")
    loans = [_handed_out(scene, campaign, application, device, d(-104, 14),
                         d(-102 + n % 2, 18, 5 * n), "dpd")
             for n, (application, device) in enumerate(zip(testers, sets, strict=True))]
    for story, assignment in zip(RETURN_STORIES, loans, strict=False):
        story(scene, assignment)


def _overdue(scene: Scene, assignment: Assignment) -> None:
    """Asked back early (moving house): overdue by four days, no parcel yet."""
    days = current_app.config["RETURN_DAYS"] + 4
    _ask_back(scene, assignment, scene.day(-days, 10),
              "Test vorzeitig beendet: Umzug, das Set ist schon abgebaut.")


def _announced(scene: Scene, assignment: Assignment) -> None:
    """Asked back at the end of the test; the parcel is on its way, tracking given."""
    _ask_back(scene, assignment, scene.day(-13, 11))
    with at(scene.day(-2, 19)):
        shipping.sent_back(assignment.member, assignment.campaign, carrier="dhl",
                           tracking_number=tracking("dhl", assignment.device_id * 104729))


def _waiting_for_check(scene: Scene, assignment: Assignment) -> None:
    """Back at the warehouse, not yet checked."""
    d = scene.day
    _ask_back(scene, assignment, d(-13, 11, 5))
    _comes_back(scene, assignment, sent=d(-9, 17), received=d(-6, 10), carrier="hermes")


def _due_soon(scene: Scene, assignment: Assignment) -> None:
    """Asked back at the end of the test, nothing sent yet: due in a day or so."""
    _ask_back(scene, assignment, scene.day(-13, 11, 10))


def _checked(scene: Scene, assignment: Assignment) -> None:
    """Back, checked and in stock again."""
    d = scene.day
    _ask_back(scene, assignment, d(-13, 11, 15))
    _comes_back(scene, assignment, sent=d(-11, 16), received=d(-8, 10), checked=d(-7, 14),
                carrier="gls")


def _checked_worn(scene: Scene, assignment: Assignment) -> None:
    d = scene.day
    _ask_back(scene, assignment, d(-13, 11, 20))
    _comes_back(scene, assignment, sent=d(-10, 12), received=d(-8, 11), checked=d(-7, 15),
                condition=WORN, check_note="Geprüft: Satellit mit Kratzern, Netzteil "
                                           "ersetzt.")


def _ask_back(scene: Scene, assignment: Assignment, moment: datetime,
              reason: str = "Testende") -> None:
    with at(moment):
        shipping.request_return_by_staff(scene.lars, assignment.id, reason)


# the six testers' returns, the most telling first (in case there are fewer testers)
RETURN_STORIES = (_overdue, _announced, _waiting_for_check, _due_soon, _checked,
                  _checked_worn)


# ---- the campaign in testing: the Nova 7 5G, week five of eight -----------------------------

def _testing(scene: Scene) -> None:
    """The phones went out the day the test began. Since then one phone turned out
    defective and was swapped (the replacement is on its way), one was lost on a train (a
    replacement is reserved), and one tester finished early: the keep award waits for a
    second admin. Spare phones stay in stock."""
    campaign = _campaign(TESTING_SLUG, TESTING)
    if campaign is None:
        return
    product, d = campaign.product, scene.day
    testers = _testers(campaign, (CONFIRMED,))
    with at(d(-40, 10)):
        phones = [scene.add(product) for _ in range(len(testers) + 4)]
        scene.add(product, GOOD, notes="Vorführgerät von der Messe, leichte "
                                       "Gebrauchsspuren.")
    stock = phones[len(testers):]
    loans = []
    for n, (application, phone) in enumerate(zip(testers, phones, strict=False)):
        with at(d(-35, 9, 30 + 5 * n)):
            loans.append(assignments.assign(scene.lars, campaign, application.id, phone.id))
    received = [d(-34, 11), d(-34, 16), d(-33, 10)]
    for n, assignment in enumerate(loans):
        with at(d(-35, 15)):
            shipment = shipping.ship(scene.lars, assignment.id, carrier="dhl",
                                     tracking_number=tracking("dhl", assignment.device_id))
        with at(received[n] if n < len(received) else d(-33, 11)):
            if n < 2:
                shipping.confirm_receipt(assignment.member, campaign, shipment.id)
            else:  # the third forgot to confirm: staff marked it from the carrier's data
                shipping.deliver(scene.lars, assignment.id)
    stories = [_swapped, _lost, _finished_early]
    for story, assignment in zip(stories, loans, strict=False):
        story(scene, campaign, assignment, stock)


def _swapped(scene: Scene, campaign: Campaign, assignment: Assignment,
             stock: list[Device]) -> None:
    """5G kept dropping: the tester sent the phone in, it is defective, a new one ships."""
    d = scene.day
    _comes_back(scene, assignment, sent=d(-4, 16), received=d(-3, 11), checked=d(-3, 14),
                condition=DEFECTIVE,
                check_note="Geprüft: 5G-Antenne defekt, geht zur Reparatur an Lumo.")
    with at(d(-3, 14, 30)):
        replacement = assignments.assign(scene.lars, campaign, assignment.application_id,
                                         stock.pop(0).id)
    with at(d(-1, 10)):
        shipping.ship(scene.lars, replacement.id, carrier="dhl",
                      tracking_number=tracking("dhl", replacement.device_id))


def _lost(scene: Scene, campaign: Campaign, assignment: Assignment,
          stock: list[Device]) -> None:
    """Left on a train last night: marked lost; a replacement is reserved, not yet sent."""
    with at(scene.now - timedelta(hours=4)):
        inventory.change_status(scene.lars, assignment.device_id, LOST,
                                reason="Im Zug liegen gelassen (Meldung des Testers); "
                                       "beim Fundbüro nicht abgegeben.")
    with at(scene.now - timedelta(hours=2)):
        assignments.assign(scene.lars, campaign, assignment.application_id,
                           stock.pop(0).id)


def _finished_early(scene: Scene, campaign: Campaign, assignment: Assignment,
                    stock: list[Device]) -> None:
    """Staff finished the test as completed (the tester moves abroad): policy "keep", so
    the device award is proposed and waits in /admin/approvals; the phone stays with the
    tester meanwhile."""
    with at(scene.day(-1, 12)):
        selection.finish_test(scene.jana, assignment.application_id, campaign,
                              completed=True,
                              reason="Zieht ins Ausland; Test vorzeitig abgeschlossen.")


# ---- stock for the campaigns to come ---------------------------------------------------------

def _upcoming(scene: Scene) -> None:
    """The StreamBox 4K and Pulse 2 deliveries, imported from the makers' CSV files."""
    for slug, count, extra, days in (
            (UPCOMING_SLUGS[0], 4, None, -6),
            (UPCOMING_SLUGS[1], 3, (WORN, "Vorführgerät, Armband getauscht."), -1)):
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        if campaign is None:
            continue
        rows = [(scene.serial(campaign.product)[0], NEW, "") for _ in range(count)]
        if extra:
            rows.append((scene.serial(campaign.product)[0], *extra))
        lines = ["product;serial;imei;condition;notes"]
        lines += [f"{campaign.product_id};{serial};;{condition};{notes}"
                  for serial, condition, notes in rows]
        with at(scene.day(days, 15)):
            importer.import_devices(scene.lars, "\r\n".join(lines).encode(),
                                    filename=f"lieferung-{slug}.csv")
