"""Pictures people upload (profile pictures, video posters): told by what the
file holds, not its name, and drawn anew before they are stored, so no
location or other metadata leaves with them. Beside the text pipeline, as the
social wing and home's videos both check pictures."""

import io

from django.utils.translation import gettext as _


def sniff_image(head: bytes) -> str | None:
    """'image/png', 'image/jpeg' or 'image/webp' if `head` (the file's first
    bytes) starts like one, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


# Pictures people upload of themselves: at most this many pixels a side once
# stored (a reader's browser decodes every pixel: a 9000×9000 PNG of 78 kB is
# about 300 MB of memory), and refused unread past this many pixels in all,
# where decoding alone would cost the server hundreds of megabytes.
PICTURE_MAX_SIDE = 1024
PICTURE_MAX_SOURCE_PIXELS = 40_000_000
PICTURE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}


class PictureError(ValueError):
    """An uploaded picture that cannot be used; `str(error)` says why, kindly."""


def reencode_picture(upload) -> tuple[bytes, str]:
    """The uploaded PNG, JPEG or WebP picture drawn anew: turned upright by
    its EXIF orientation, fitted within PICTURE_MAX_SIDE pixels a side, and
    saved without any of what came with it (EXIF with GPS location, camera
    and times, XMP, text chunks, colour profiles, further frames). Returns
    (bytes, content type); PictureError when it is not such a picture, is
    broken, or has more than PICTURE_MAX_SOURCE_PIXELS pixels."""
    import warnings

    from PIL import Image, ImageOps

    upload.seek(0)
    kind = sniff_image(upload.read(32))
    if kind is None:
        raise PictureError(
            _("That file isn't a PNG, JPEG or WebP picture. Please choose another.")
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe_image:
                width, height = probe_image.size
                if width * height > PICTURE_MAX_SOURCE_PIXELS:
                    raise PictureError(
                        _(
                            "That picture has too many pixels to use. Please "
                            "choose a smaller one, or a screenshot of it."
                        )
                    )
                probe_image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.seek(0)  # the first frame of an animation only
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail((PICTURE_MAX_SIDE, PICTURE_MAX_SIDE))
                has_alpha = picture.mode in {"RGBA", "LA", "PA"} or (
                    picture.mode == "P" and "transparency" in picture.info
                )
                wanted = "RGBA" if has_alpha and kind != "image/jpeg" else "RGB"
                picture = picture.convert(wanted)
                out = io.BytesIO()
                picture.save(out, PICTURE_FORMATS[kind], **_save_options(kind))
    except PictureError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureError(
            _(
                "That picture has too many pixels to use. Please choose a "
                "smaller one, or a screenshot of it."
            )
        ) from None
    except Exception as error:  # noqa: BLE001 - any decoding failure
        raise PictureError(
            _("That picture couldn't be read. Please choose another.")
        ) from error
    return out.getvalue(), kind


def _save_options(kind: str) -> dict:
    if kind == "image/jpeg":
        return {"quality": 85, "optimize": True}
    if kind == "image/webp":
        return {"quality": 85}
    return {"optimize": True}
