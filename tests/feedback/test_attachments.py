"""Report attachments: the kind is decided by the content, each kind has a size limit,
images lose their metadata, files live in the private folder under random names, crafted
names are cleaned, and a refused file leaves nothing behind."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from lab.core.errors import DomainError
from lab.feedback import attachments, reports
from lab.feedback.attachments import Upload
from lab.feedback.models import IMAGE, LOG, VIDEO, Report
from tests.feedback.conftest import participation_of
from tests.rewards.helpers import count

pytestmark = pytest.mark.usefixtures("english")

GPS_IFD = 0x8825
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200
QUICKTIME = b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 200
WEBM = b"\x1a\x45\xdf\xa3" + b"\x01" * 200
LOG_TEXT = "12:00:01 WLAN getrennt – Grund: DFS ✓\r\n\t\x1b[31mretry\x1b[0m\n".encode()
STORED_NAME = re.compile(r"reports/\d+/[0-9a-f]{32}\.(jpg|png|mp4|mov|webm|log)")


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    """(private folder, public upload folder), both empty, for this test only."""
    private, public = tmp_path / "private", tmp_path / "public"
    monkeypatch.setitem(app.config, "PRIVATE_UPLOAD_FOLDER", str(private))
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(public))
    return private, public


@pytest.fixture
def tester_in(make_test_campaign):
    campaign, (tester,) = make_test_campaign(testers=1)
    return tester, campaign


def file_with(tester_in, *uploads: Upload) -> Report:
    tester, campaign = tester_in
    return reports.file_report(participation_of(tester, campaign), kind="bug",
                               title="Screenshot of the error", severity="minor",
                               steps="Open the page.", actual="An error.", uploads=list(uploads))


def files_in(folder: Path) -> list[Path]:
    return sorted(p.resolve() for p in folder.rglob("*") if p.is_file())


def photo(fmt: str = "PNG", mode: str = "RGB", size=(64, 48)) -> bytes:
    """An image with EXIF: a camera model and a GPS position (Cologne)."""
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    exif = Image.Exif()
    exif[0x0110] = "Spy Camera 3000"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (50.0, 56.0, 11.0), 3: "E", 4: (6.0, 57.0, 30.0)})
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the test image really carries it
        assert check.getexif().get_ifd(GPS_IFD)
    return data


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.field == attachments.FIELD
    return caught.value


# --- images -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_an_image_is_re_encoded_without_its_exif_and_gps(tester_in, folders, fmt):
    private, _public = folders
    report = file_with(tester_in, Upload("Screenshot 2025.png", photo(fmt)))
    [attachment] = report.attachments
    assert (attachment.kind, attachment.content_type) == (IMAGE, "image/jpeg")
    assert attachment.original_name == "Screenshot 2025.png"
    stored = attachments.path_of(attachment)
    data = stored.read_bytes()
    assert attachment.size == len(data)
    assert b"Spy Camera 3000" not in data and b"Exif" not in data
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)


def test_an_image_with_transparency_stays_a_png(tester_in, folders):
    report = file_with(tester_in, Upload("overlay.png", photo("PNG", mode="RGBA")))
    [attachment] = report.attachments
    assert attachment.content_type == "image/png"
    data = attachments.path_of(attachment).read_bytes()
    assert b"eXIf" not in data and b"Spy Camera 3000" not in data
    with Image.open(attachments.path_of(attachment)) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")


def test_files_are_stored_in_the_private_folder_under_random_names(app, tester_in, folders):
    private, public = folders
    report = file_with(tester_in, Upload("../../static/evil.png", photo()),
                       Upload("modem.log", LOG_TEXT), Upload("clip.mp4", MP4))
    stored = [attachments.path_of(a).resolve() for a in report.attachments]
    assert all(path.is_relative_to(private.resolve()) for path in stored)
    assert files_in(private) == sorted(stored)
    assert files_in(public) == []
    assert not any(path.is_relative_to(Path(app.static_folder).resolve()) for path in stored)
    for attachment in report.attachments:
        assert STORED_NAME.fullmatch(attachment.stored_name)
        assert attachment.stored_name.startswith(f"reports/{report.id}/")
    assert [a.original_name for a in report.attachments] == ["evil.png", "modem.log",
                                                            "clip.mp4"]


def test_a_file_that_only_starts_like_an_image_is_refused_when_decoded(tester_in, folders):
    error = refused(lambda: file_with(tester_in, Upload("shot.png", b"\x89PNG" + b"x" * 500)))
    assert "not an image we can read" in str(error)


# --- videos and logs ----------------------------------------------------------------------

@pytest.mark.parametrize("data, content_type, extension", [
    (MP4, "video/mp4", "mp4"), (QUICKTIME, "video/quicktime", "mov"),
    (WEBM, "video/webm", "webm")])
def test_a_video_is_recognised_by_its_header_and_stored_as_it_is(tester_in, folders, data,
                                                                 content_type, extension):
    report = file_with(tester_in, Upload("clip.bin", data))
    [attachment] = report.attachments
    assert (attachment.kind, attachment.content_type, attachment.size) == (
        VIDEO, content_type, len(data))
    assert attachment.stored_name.endswith(f".{extension}")
    assert attachments.path_of(attachment).read_bytes() == data


def test_utf8_text_is_a_log(tester_in, folders):
    report = file_with(tester_in, Upload("syslog.txt", LOG_TEXT))
    [attachment] = report.attachments
    assert (attachment.kind, attachment.content_type) == (LOG, "text/plain; charset=utf-8")
    assert attachment.stored_name.endswith(".log")
    assert attachments.path_of(attachment).read_bytes() == LOG_TEXT


def test_the_name_or_declared_type_never_decides_the_kind(tester_in, folders):
    report = file_with(tester_in, Upload("video.mp4", b"just some text\n"),
                       Upload("notes.txt", MP4))
    assert [a.kind for a in report.attachments] == [LOG, VIDEO]


# --- refused files ------------------------------------------------------------------------

@pytest.mark.parametrize("name, data", [
    ("archive.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 50),
    ("run.log", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 50),
    ("dump.log", b"plain text\x00with a NUL"),
    ("latin1.log", "Größe: 5 W".encode("latin-1")),
    ("bell.log", b"ring \x07 ring"),
    ("doc.pdf", b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n"),
])
def test_other_files_are_refused(tester_in, folders, name, data):
    private, _public = folders
    error = refused(lambda: file_with(tester_in, Upload(name, data)))
    assert str(error) == (f"“{name}” is not a file we accept: images (JPEG, PNG, WebP, GIF), "
                          "videos (MP4, MOV, WebM) or text logs.")
    assert files_in(private) == []
    assert count(Report) == 0


def test_an_empty_file_is_refused(tester_in, folders):
    assert str(refused(lambda: file_with(tester_in, Upload("empty.log", b"")))) == (
        "“empty.log” is empty.")


def test_an_empty_file_field_is_no_attachment(tester_in, folders):
    assert file_with(tester_in, Upload("", b"")).attachments == []


PADDING = {IMAGE: (b"\x89PNG\r\n\x1a\n", b"\x00"), VIDEO: (MP4[:12], b"\x00"),
           LOG: (b"log: ", b"a")}


@pytest.mark.parametrize("kind", [IMAGE, VIDEO, LOG])
def test_each_kind_is_refused_above_its_size_limit(monkeypatch, kind):
    monkeypatch.setitem(attachments.LIMITS, kind, 1024 * 1024)
    head, pad = PADDING[kind]
    at_limit = head + pad * (1024 * 1024 - len(head))
    assert attachments.check(Upload("big.bin", at_limit)).kind == kind
    with pytest.raises(DomainError) as caught:
        attachments.check(Upload("big.bin", at_limit + pad))
    assert (str(caught.value), caught.value.field) == (
        "“big.bin” is larger than 1 MB.", attachments.FIELD)


def test_the_default_limits_are_5_20_and_2_mb():
    assert attachments.LIMITS == {IMAGE: 5 * 1024 * 1024, VIDEO: 20 * 1024 * 1024,
                                  LOG: 2 * 1024 * 1024}


def test_a_too_big_file_files_no_report(tester_in, folders, monkeypatch):
    private, _public = folders
    monkeypatch.setitem(attachments.LIMITS, LOG, 10)
    refused(lambda: file_with(tester_in, Upload("big.log", b"x" * 11)))
    assert (count(Report), files_in(private)) == (0, [])


def test_at_most_three_files(tester_in, folders):
    private, _public = folders
    logs = [Upload(f"{n}.log", b"line\n") for n in range(4)]
    assert str(refused(lambda: file_with(tester_in, *logs))) == (
        "Please attach at most 3 files.")
    assert (count(Report), files_in(private)) == (0, [])
    assert len(file_with(tester_in, *logs[:3]).attachments) == 3


def test_a_refused_file_in_a_batch_stores_none_of_them(tester_in, folders):
    private, _public = folders
    refused(lambda: file_with(tester_in, Upload("ok.log", LOG_TEXT), Upload("ok.png", photo()),
                              Upload("bad.zip", b"PK\x03\x04\x00\x00")))
    assert (count(Report), files_in(private)) == (0, [])


def test_an_image_refused_while_storing_takes_the_files_before_it_along(tester_in, folders):
    private, _public = folders
    refused(lambda: file_with(tester_in, Upload("ok.log", LOG_TEXT), Upload("ok.png", photo()),
                              Upload("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)))
    assert files_in(private) == []


# --- names --------------------------------------------------------------------------------

@pytest.mark.parametrize("name, cleaned", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system.ini", "system.ini"),
    ("a\x00b.png", "ab.png"),
    ("line\nbreak\r.log", "linebreak.log"),
    ("\u202egnp.exe", "gnp.exe"),  # no right-to-left override
    (".htaccess", "htaccess"),
    ("  Bildschirmfoto Größe.png  ", "Bildschirmfoto Größe.png"),
    ("Gro\u0308sse.log", "Grösse.log"),  # composed
    ("", "attachment"),
    (None, "attachment"),
    ("../", "attachment"),
    ("\x00\x01", "attachment"),
])
def test_clean_name_keeps_only_a_harmless_name(name, cleaned):
    assert attachments.clean_name(name) == cleaned


def test_clean_name_keeps_markup_as_text_for_escaping_on_output():
    # the name is only ever shown (escaped) or sent as a download name; stored names are random
    assert attachments.clean_name("<script>.png") == "<script>.png"


def test_clean_name_keeps_the_end_of_a_long_name():
    cleaned = attachments.clean_name("a" * 296 + ".png")
    assert len(cleaned) == 120 and cleaned.endswith("a.png")


def test_crafted_names_are_stored_cleaned(tester_in, folders):
    private, _public = folders
    report = file_with(tester_in, Upload("../../etc/passwd", b"root:x:0:0\n"),
                       Upload("a\x00b.png", photo()), Upload("x" * 296 + ".mp4", MP4))
    names = [a.original_name for a in report.attachments]
    assert names == ["passwd", "ab.png", "x" * 116 + ".mp4"]
    assert all(STORED_NAME.fullmatch(a.stored_name) for a in report.attachments)
    assert not (private.parent / "etc").exists()
