"""German is the default and complete; every marked string is in the catalogue."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GERMAN = ROOT / "lab/translations/de/LC_MESSAGES/messages.po"


def _catalogue():
    with GERMAN.open("rb") as handle:
        return read_po(handle)


def _marked_strings() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    # like `make extract-messages`: skip hidden folders only, so templates/_macros counts
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords,
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_german_message_is_translated_and_not_fuzzy():
    missing = [m.id for m in _catalogue() if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_every_marked_string_is_in_the_german_catalogue():
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue() if m.id}
    absent = sorted(_marked_strings() - known)
    assert absent == [], "run `make extract-messages` and translate: " + "; ".join(absent)


def test_placeholders_survive_translation():
    for message in _catalogue():
        if message.id and message.python_format:
            assert message.check() == [], message.id
