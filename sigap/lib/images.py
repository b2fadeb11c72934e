"""Photo handling: validate, strip metadata (EXIF, GPS), resize, make thumbnails."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


class BadImage(ValueError):
    """The upload is not a usable photo; `code` names the reason for the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class CleanImage:
    data: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def clean_photo(
    raw: bytes, *, max_bytes: int, max_pixels: int, max_side: int = 2048, quality: int = 82
) -> CleanImage:
    """Return a re-encoded JPEG with no metadata, upright and at most max_side pixels."""
    if len(raw) > max_bytes:
        raise BadImage("too_large")
    if not raw:
        raise BadImage("empty")
    try:
        probe = Image.open(io.BytesIO(raw))
        fmt = probe.format
        width, height = probe.size
    except Image.DecompressionBombError:
        # Pillow refuses to open it for its declared size: a photo far too large, not a
        # file that is no photo.
        raise BadImage("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise BadImage("not_image") from None
    if fmt not in ALLOWED_FORMATS:
        raise BadImage("not_image")
    if width * height > max_pixels:
        raise BadImage("too_many_pixels")
    try:
        image = Image.open(io.BytesIO(raw))
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise BadImage("corrupt") from None
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        image = background
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    # A fresh save without exif= or icc_profile= writes no metadata at all.
    image.convert("RGB").save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return CleanImage(out.getvalue(), image.width, image.height)


def thumbnail(jpeg: bytes, side: int = 360) -> bytes:
    """Return a small JPEG thumbnail of an already-clean JPEG."""
    image = Image.open(io.BytesIO(jpeg))
    image.thumbnail((side, side))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=70, optimize=True)
    return out.getvalue()


def gps_of(raw: bytes) -> tuple[float, float] | None:
    """Return the (lat, lng) a photo's EXIF GPS block records, or None (no block, a partial
    one, or not a readable image). Read it before clean_photo, which strips it."""
    from PIL import ExifTags

    try:
        gps = Image.open(io.BytesIO(raw)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError):
        return None
    T = ExifTags.GPS
    try:
        lat = _degrees(gps[T.GPSLatitude], gps.get(T.GPSLatitudeRef, "N"), "S")
        lng = _degrees(gps[T.GPSLongitude], gps.get(T.GPSLongitudeRef, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None  # (0, 0) is what some cameras write when they had no fix
    return lat, lng


def _degrees(dms, ref, negative: str) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -value if str(ref).strip().upper().startswith(negative) else value
