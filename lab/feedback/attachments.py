"""Report attachments: screenshots, short videos, log files.

The type is decided by the content, never by the name or the declared type: images are
decoded and re-encoded without metadata (lab.core.uploads), videos must start like an
MP4/QuickTime or WebM file, logs must be UTF-8 text. Files are stored under the private
upload folder with random names (outside static/ and /media) and served by the feedback
views only to the reporter and staff. All files of a report are checked before any is
stored, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from lab.core.errors import DomainError
from lab.core.uploads import MAX_IMAGE_BYTES, private_root, save_image
from lab.feedback.models import IMAGE, LOG, VIDEO, ReportAttachment

MAX_FILES = 3
LIMITS = {IMAGE: MAX_IMAGE_BYTES, VIDEO: 20 * 1024 * 1024, LOG: 2 * 1024 * 1024}
FIELD = "attachments"


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    upload: Upload
    kind: str
    content_type: str
    extension: str


def clean_name(name: str | None) -> str:
    """The name shown to people: no folders, no control characters, at most 120 long."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name)
                   if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[-120:] or "attachment"


def _video_type(data: bytes) -> tuple[str, str] | None:
    if data[4:8] == b"ftyp":
        return ("video/quicktime", "mov") if data[8:10] == b"qt" else ("video/mp4", "mp4")
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm", "webm"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    allowed = {"\n", "\r", "\t", "\x1b", "\f"}
    return not any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def check(upload: Upload) -> Checked:
    """Decide the kind by content and check its size, or DomainError for the field."""
    data = upload.data
    name = clean_name(upload.name)
    if not data:
        raise DomainError(_l("“%(name)s” is empty.", name=name), FIELD)
    video = _video_type(data)
    if video:
        kind, (content_type, extension) = VIDEO, video
    elif data[:4] in (b"\x89PNG", b"GIF8", b"RIFF") or data[:3] == b"\xff\xd8\xff":
        kind, content_type, extension = IMAGE, "image", ""
    elif _is_text(data):
        kind, content_type, extension = LOG, "text/plain; charset=utf-8", "log"
    else:
        raise DomainError(_l("“%(name)s” is not a file we accept: images (JPEG, PNG, WebP, "
                             "GIF), videos (MP4, MOV, WebM) or text logs.", name=name), FIELD)
    if len(data) > LIMITS[kind]:
        raise DomainError(_l("“%(name)s” is larger than %(mb)d MB.", name=name,
                             mb=LIMITS[kind] // (1024 * 1024)), FIELD)
    return Checked(upload, kind, content_type, extension)


def check_all(uploads: list[Upload]) -> list[Checked]:
    uploads = [u for u in uploads if u.name or u.data]
    if len(uploads) > MAX_FILES:
        raise DomainError(_l("Please attach at most %(n)d files.", n=MAX_FILES), FIELD)
    return [check(upload) for upload in uploads]


def store(report_id: int, checked: list[Checked]) -> list[ReportAttachment]:
    """Write checked files; images are re-encoded (which may still refuse one)."""
    stored: list[ReportAttachment] = []
    try:
        for item in checked:
            stored.append(_store_one(f"reports/{report_id}", item))
    except DomainError:
        remove_files([a.stored_name for a in stored])
        raise
    return stored


def _store_one(folder: str, item: Checked) -> ReportAttachment:
    if item.kind == IMAGE:
        stored_name = save_image(item.upload.data, folder, FIELD, root=private_root())
        content_type = "image/png" if stored_name.endswith(".png") else "image/jpeg"
        size = (private_root() / stored_name).stat().st_size
    else:
        stored_name = f"{folder}/{uuid.uuid4().hex}.{item.extension}"
        target = private_root() / stored_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.upload.data)
        content_type, size = item.content_type, len(item.upload.data)
    return ReportAttachment(kind=item.kind, stored_name=stored_name,
                            original_name=clean_name(item.upload.name),
                            content_type=content_type, size=size)


def path_of(attachment: ReportAttachment) -> Path:
    return private_root() / attachment.stored_name


def remove_files(names: list[str]) -> None:
    """Delete stored files of a unit of work that was rolled back."""
    for name in names:
        (private_root() / name).unlink(missing_ok=True)
