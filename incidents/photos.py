"""Photo uploads: the type is sniffed from the bytes (not the name), the size is limited, and the image is
re-encoded as JPEG, which drops EXIF (GPS position, camera, time) and anything hidden after the image."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import conf

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO", "BMP"}
MAX_PIXELS = 50_000_000


def prepare_photo(upload) -> ContentFile:
    """A clean JPEG ready to store, or a ValidationError saying what is wrong with the upload."""
    size = getattr(upload, "size", None)
    if size is not None and size > conf.photo_max_bytes():
        raise ValidationError(
            _("A photo may be at most %(mb)d MB.") % {"mb": conf.photo_max_bytes() // (1024 * 1024)},
            code="photo_size",
        )
    data = upload.read()
    if len(data) > conf.photo_max_bytes():
        raise ValidationError(
            _("A photo may be at most %(mb)d MB.") % {"mb": conf.photo_max_bytes() // (1024 * 1024)},
            code="photo_size",
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not a photo (JPEG, PNG or WebP)."), code="photo_type") from exc
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(_("This file is not a photo (JPEG, PNG or WebP)."), code="photo_type")
    if width * height > MAX_PIXELS:
        raise ValidationError(_("This photo has too many pixels."), code="photo_pixels")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(
                image
            )  # keep the picture upright once the orientation tag is gone
            image = image.convert("RGB")
            side = conf.photo_max_side()
            image.thumbnail((side, side))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError) as exc:
        raise ValidationError(_("This photo could not be read."), code="photo_broken") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
