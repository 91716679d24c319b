"""The vocabularies of the tester profile, as (code, translatable label) pairs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CONNECTION_TYPES = [
    ("dsl", _l("DSL")),
    ("fibre", _l("Fibre (FTTH)")),
    ("cable", _l("Cable")),
    ("5g_home", _l("5G/LTE at home")),
    ("satellite", _l("Satellite")),
    ("none", _l("No fixed-line connection")),
]

DEVICE_KINDS = [
    ("smartphone", _l("Smartphone")),
    ("tablet", _l("Tablet")),
    ("router", _l("Router")),
    ("tv_box", _l("TV box / streaming device")),
    ("smart_tv", _l("Smart TV")),
    ("computer", _l("Computer / laptop")),
    ("wearable", _l("Smartwatch / wearable")),
    ("smart_home", _l("Smart home device")),
]

OPERATING_SYSTEMS = [
    ("android", "Android"),
    ("ios", "iOS / iPadOS"),
    ("windows", "Windows"),
    ("macos", "macOS"),
    ("linux", "Linux"),
    ("harmonyos", "HarmonyOS"),
    ("tizen", "Tizen"),
    ("webos", "webOS"),
    ("fire_os", "Fire OS"),
    ("firmware", _l("Manufacturer firmware")),
    ("other", _l("Other")),
]

INTERESTS = [
    ("smartphones", _l("Smartphones")),
    ("routers", _l("Routers & Wi-Fi")),
    ("tv", _l("TV & streaming")),
    ("apps", _l("Apps")),
    ("smart_home", _l("Smart home")),
    ("wearables", _l("Wearables")),
    ("gaming", _l("Gaming")),
]

# German federal states first (the community's home), then Austria and Switzerland.
REGIONS = [
    ("DE-BW", "Baden-Württemberg"),
    ("DE-BY", "Bayern"),
    ("DE-BE", "Berlin"),
    ("DE-BB", "Brandenburg"),
    ("DE-HB", "Bremen"),
    ("DE-HH", "Hamburg"),
    ("DE-HE", "Hessen"),
    ("DE-MV", "Mecklenburg-Vorpommern"),
    ("DE-NI", "Niedersachsen"),
    ("DE-NW", "Nordrhein-Westfalen"),
    ("DE-RP", "Rheinland-Pfalz"),
    ("DE-SL", "Saarland"),
    ("DE-SN", "Sachsen"),
    ("DE-ST", "Sachsen-Anhalt"),
    ("DE-SH", "Schleswig-Holstein"),
    ("DE-TH", "Thüringen"),
    ("AT", _l("Austria")),
    ("CH", _l("Switzerland")),
]

COUNTRIES = [("DE", _l("Germany")), ("AT", _l("Austria")), ("CH", _l("Switzerland"))]

# Postcodes: five digits in Germany, four in Austria and Switzerland.
POSTCODE_PATTERNS = {"DE": r"^\d{5}$", "AT": r"^\d{4}$", "CH": r"^\d{4}$"}


def label(choices, code):
    """The label of a code, or the code itself if it is no longer in the list."""
    return dict(choices).get(code, code)
