"""Uploaded images: checked by content, size-limited, re-encoded without metadata.

Pillow decodes the file (its name and declared type are ignored), the pixels are copied
into a fresh image, so EXIF data such as the GPS position is left behind, and the result
is saved under the instance folder with a random name. Served by core.media.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from lab.core.errors import DomainError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


def upload_root() -> Path:
    return Path(current_app.config.get("UPLOAD_FOLDER") or
                Path(current_app.instance_path) / "uploads")


def private_root() -> Path:
    """Files served only after a permission check (report attachments); never /media."""
    return Path(current_app.config.get("PRIVATE_UPLOAD_FOLDER") or
                Path(current_app.instance_path) / "private")


def save_image(data: bytes, folder: str, field: str = "image", root: Path | None = None) -> str:
    """Store an image under ``root`` (default: the public upload folder); returns its name
    ("<folder>/<random>.<ext>") or raises DomainError."""
    if len(data) > MAX_IMAGE_BYTES:
        raise DomainError(_l("The image is larger than 5 MB."), field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as source:
            source.load()
            clean = _without_metadata(source)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DomainError(_l("This file is not an image we can read (JPEG, PNG, WebP, GIF)."),
                          field) from None
    if kind not in FORMATS:
        raise DomainError(_l("This file is not an image we can read (JPEG, PNG, WebP, GIF)."),
                          field)
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    keep_alpha = clean.mode in ("RGBA", "LA")
    extension = "png" if keep_alpha else "jpg"
    name = f"{folder}/{uuid.uuid4().hex}.{extension}"
    target = (root or upload_root()) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if keep_alpha:
        clean.save(target, "PNG", optimize=True)
    else:
        clean.convert("RGB").save(target, "JPEG", quality=85, optimize=True)
    return name


def _without_metadata(source: Image.Image) -> Image.Image:
    mode = "RGBA" if source.mode in ("RGBA", "LA", "P") and "transparency" in source.info \
        or source.mode in ("RGBA", "LA") else "RGB"
    converted = source.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean
