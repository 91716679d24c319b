"""Demo data for `make run`: two admins, two staff, one logistics staff member, twenty
members with tester profiles, their points, badges and rewards (lab.rewards.demo), the
test lab's products and campaigns (lab.campaigns.demo), the feedback of the campaigns in
testing and evaluation (lab.feedback.demo), the test devices in every status
(lab.logistics.demo) and a living community: about 300 questions with answers, solutions,
votes, flags and knowledge-base articles (lab.community.demo).

Idempotent: accounts that exist are left as they are.
"""

from __future__ import annotations

from flask_security import hash_password

from lab.accounts import services
from lab.accounts.models import User

DEMO_PASSWORD = "Testlab-Demo-2026"

STAFF = [
    ("admin", "admin@testlab.example", "Lab-Admin", ("admin",)),
    # a second admin, so the four-eyes approval of awards can be tried
    ("admin", "admin2@testlab.example", "Lab-Petra", ("admin",)),
    ("staff", "staff1@testlab.example", "Lab-Jana", ("staff",)),
    ("staff", "staff2@testlab.example", "Lab-Tobias", ("staff",)),
    # ships the test devices and may see the testers' addresses
    ("logistics", "logistik@testlab.example", "Lab-Lars", ("logistics",)),
]

# handle, connection, contract, region, postcode area, interests, devices (kind, brand, model, os)
MEMBERS = [
    ("anna.k", "fibre", True, "DE-NW", "53", ["smartphones", "apps"],
     [("smartphone", "Samsung", "Galaxy S24", "android")]),
    ("SmartphoneSven", "dsl", True, "DE-BY", "80", ["smartphones", "wearables"],
     [("smartphone", "Apple", "iPhone 15", "ios"), ("wearable", "Apple", "Watch SE", "other")]),
    ("routerrita", "cable", False, "DE-HH", "20", ["routers", "smart_home"],
     [("router", "AVM", "FRITZ!Box 7590", "firmware")]),
    ("MeshMichael", "fibre", True, "DE-BE", "10", ["routers"],
     [("router", "Speedport", "Smart 4", "firmware"),
      ("computer", "Lenovo", "ThinkPad X1", "linux")]),
    ("tv_tanja", "cable", True, "DE-HE", "60", ["tv", "apps"],
     [("tv_box", "MagentaTV", "One", "android"), ("smart_tv", "LG", "OLED C3", "webos")]),
    ("Lukas_5G", "5g_home", True, "DE-SN", "01", ["smartphones", "gaming"],
     [("smartphone", "Google", "Pixel 8", "android")]),
    ("petra.p", "dsl", False, "DE-BW", "70", ["smart_home"],
     [("smart_home", "Bosch", "Smart Home Controller II", "firmware")]),
    ("FritzFan", "dsl", True, "DE-NI", "30", ["routers", "tv"],
     [("router", "AVM", "FRITZ!Box 7530", "firmware")]),
    ("AppAylin", "fibre", True, "DE-NW", "50", ["apps", "smartphones"],
     [("smartphone", "Xiaomi", "14", "android"), ("tablet", "Apple", "iPad Air", "ios")]),
    ("kai.tests", "cable", False, "DE-RP", "55", ["gaming", "tv"],
     [("computer", "Apple", "MacBook Air", "macos")]),
    ("Nordlicht", "dsl", True, "DE-SH", "24", ["routers", "smartphones"],
     [("smartphone", "Fairphone", "5", "android")]),
    ("sabine_s", "fibre", True, "DE-BY", "90", ["wearables"],
     [("wearable", "Garmin", "Venu 3", "other")]),
    ("Techniktom", "satellite", False, "DE-MV", "17", ["tv"],
     [("smart_tv", "Samsung", "QN90C", "tizen")]),
    ("mobil_mia", "none", True, "DE-ST", "39", ["smartphones"],
     [("smartphone", "Samsung", "Galaxy A55", "android")]),
    ("Jonas.J", "fibre", True, "DE-HB", "28", ["smart_home", "apps"],
     [("smart_home", "Philips", "Hue Bridge", "firmware")]),
    ("Oma_Erna", "dsl", True, "DE-TH", "99", ["tv"],
     [("tablet", "Samsung", "Galaxy Tab A9", "android")]),
    ("Streamer_Sam", "cable", True, "DE-SL", "66", ["tv", "gaming"],
     [("tv_box", "Amazon", "Fire TV Stick 4K", "fire_os")]),
    ("lea.linux", "fibre", False, "DE-BB", "14", ["routers", "apps"],
     [("computer", "Framework", "Laptop 13", "linux")]),
    ("WienerWolfgang", "cable", False, "AT", "10", ["smartphones"],
     [("smartphone", "Huawei", "P60 Pro", "harmonyos")]),
    ("ZuriZoe", "fibre", True, "CH", "80", ["wearables", "apps"],
     [("smartphone", "Apple", "iPhone 13 mini", "ios")]),
]


def _member_email(handle: str) -> str:
    return f"{handle.lower().replace('.', '-').replace('_', '-')}@testlab.example"


def seed() -> list[tuple[str, str]]:
    """Create the demo accounts that are missing; returns (role, e-mail) of every login."""
    password_hash = hash_password(DEMO_PASSWORD)
    services.ensure_roles()
    logins = []
    for role, email, handle, roles in STAFF:
        _ensure_user(email, handle, roles, password_hash)
        logins.append((role, email))
    for handle, conn, contract, region, area, interests, devices in MEMBERS:
        email = _member_email(handle)
        user, created = _ensure_user(email, handle, (), password_hash)
        if created:
            services.save_profile(user, connection_type=conn, has_mobile_contract=contract,
                                  region=region, postcode_area=area, interests=interests,
                                  locale=None)
            for kind, brand, model, os in devices:
                services.add_device(user, kind=kind, brand=brand, model=model, os=os)
        logins.append(("member", email))
    _seed_rewards()
    _seed_campaigns()
    _seed_feedback()
    _seed_logistics()
    _seed_community()
    return _mark_testers(logins)


def _seed_rewards() -> None:
    from lab.rewards.demo import seed as seed_rewards

    admin = services.find_user("admin@testlab.example")
    members = [services.find_user(_member_email(m[0])) for m in MEMBERS]
    seed_rewards(admin, [m for m in members if m is not None])


def _seed_campaigns() -> None:
    from lab.campaigns.demo import seed as seed_campaigns

    staff = {email: services.find_user(email) for _, email, _, _ in STAFF}
    members = {m[0]: services.find_user(_member_email(m[0])) for m in MEMBERS}
    seed_campaigns(admin=staff["admin@testlab.example"],
                   staff1=staff["staff1@testlab.example"],
                   staff2=staff["staff2@testlab.example"],
                   members={handle: m for handle, m in members.items() if m is not None})


def _seed_feedback() -> None:
    from lab.feedback.demo import seed as seed_feedback

    staff = {email: services.find_user(email) for _, email, _, _ in STAFF}
    seed_feedback(staff1=staff["staff1@testlab.example"],
                  staff2=staff["staff2@testlab.example"])


def _seed_logistics() -> None:
    from lab.logistics.demo import seed as seed_logistics

    staff = {email: services.find_user(email) for _, email, _, _ in STAFF}
    seed_logistics(logistics=staff["logistik@testlab.example"],
                   staff1=staff["staff1@testlab.example"],
                   staff2=staff["staff2@testlab.example"],
                   admin2=staff["admin2@testlab.example"])


def _seed_community() -> None:
    from lab.community.demo import seed as seed_community

    staff = {email: services.find_user(email) for _, email, _, _ in STAFF}
    members = [services.find_user(_member_email(m[0])) for m in MEMBERS]
    seed_community(staff1=staff["staff1@testlab.example"],
                   staff2=staff["staff2@testlab.example"],
                   members=[m for m in members if m is not None])


def _mark_testers(logins: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The places in the campaign in testing were drawn: say which members won one (they
    can open its test area, /tests/<slug>/)."""
    from lab.feedback.demo import TESTING_SLUG, testers_of

    testers = {member.email for member in testers_of(TESTING_SLUG)}
    return [("tester" if role == "member" and email in testers else role, email)
            for role, email in logins]


def _ensure_user(email, handle, roles, password_hash) -> tuple[User, bool]:
    # Someone may have registered a demo handle with another address: leave theirs alone.
    existing = services.find_user(email) or services.find_user(handle)
    if existing is not None:
        return existing, False
    user = services.create_user(email, handle, "", roles=roles, password_hash=password_hash)
    return user, True
