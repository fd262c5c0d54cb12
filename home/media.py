"""Checks and helpers for uploaded videos and posters.

Uploads are checked by their content, not their name (a video must start like
an MP4 or WebM file, a poster like a PNG, JPEG or WebP image) and by size.
When ffmpeg is installed, the duration, size and a poster frame are read from
the video; without it, nothing breaks: the author adds a poster by hand.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from community.safety.pictures import sniff_image

FFMPEG_TIMEOUT = 60


def sniff_video(head: bytes) -> str | None:
    """'video/mp4' or 'video/webm' if `head` (the file's first bytes) starts
    like one, else None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def _head(field_file, size: int = 32) -> bytes:
    field_file.open("rb")
    field_file.seek(0)
    head = field_file.read(size)
    field_file.seek(0)
    return head


def check_video_upload(field_file) -> str:
    """The content type of an uploaded video; ValidationError, in plain words,
    if it is not an MP4 or WebM video or is too large."""
    limit = settings.HARBOUR_MAX_VIDEO_MB * 1024 * 1024
    if field_file.size > limit:
        raise ValidationError(
            _("This video is too large: the limit is %(mb)s MB.")
            % {"mb": settings.HARBOUR_MAX_VIDEO_MB}
        )
    kind = sniff_video(_head(field_file))
    if kind is None:
        raise ValidationError(
            _("This file is not an MP4 or WebM video. Please export it as MP4.")
        )
    return kind


def check_poster_upload(field_file) -> str:
    """The image type of an uploaded video poster (PeerMedia.clean); a
    ValidationError, in plain words, unless it is a PNG, JPEG or WebP image
    of at most 10 MB. Reads the file's first bytes; locks nothing."""
    kind = sniff_image(_head(field_file))
    if kind is None:
        raise ValidationError(_("The poster must be a PNG, JPEG or WebP image."))
    if field_file.size > 10 * 1024 * 1024:
        raise ValidationError(_("The poster is too large: the limit is 10 MB."))
    return kind


def ffmpeg_available() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def _tool(name: str) -> str:
    return shutil.which(name) or name


def _run(args: list[str]) -> bytes | None:
    """Run ffmpeg or ffprobe with our fixed arguments; its output, or None
    when it fails or takes too long."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, our temp files
            [_tool(args[0]), *args[1:]],
            capture_output=True,
            timeout=FFMPEG_TIMEOUT,
            check=True,
        )
    except subprocess.SubprocessError:
        return None
    return result.stdout


def probe(path: Path) -> dict:
    """Duration (seconds), width and height of the video at `path`, by
    ffprobe; {} when ffmpeg is missing or cannot read it."""
    if not ffmpeg_available():
        return {}
    output = _run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height:format=duration",
            "-of",
            "json",
            str(path),
        ]
    )
    try:
        data = json.loads(output or b"")
    except ValueError:
        return {}
    stream = (data.get("streams") or [{}])[0]
    return {
        "duration": float(data.get("format", {}).get("duration") or 0),
        "width": stream.get("width"),
        "height": stream.get("height"),
    }


def poster_frame(path: Path, at_seconds: float = 1.0) -> bytes | None:
    """A JPEG frame of the video at `path`, or None without ffmpeg."""
    if not ffmpeg_available():
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "poster.jpg"
        made = _run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-ss",
                str(at_seconds),
                "-i",
                str(path),
                "-frames:v",
                "1",
                "-q:v",
                "3",
                "-y",
                str(out),
            ]
        )
        if made is None:
            return None
        return out.read_bytes() if out.exists() else None


def local_copy(field_file) -> Path:
    """The uploaded file on local disk (copied to a temporary file when the
    storage is remote or in memory). The caller deletes it."""
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as tmp:
        field_file.open("rb")
        field_file.seek(0)
        for chunk in field_file.chunks():
            tmp.write(chunk)
        field_file.seek(0)
    return Path(tmp.name)


def generate_clip(seconds: int = 4) -> bytes | None:
    """A short MP4 test clip (colour bars and a tone), for demo data and
    tests; None without ffmpeg."""
    if not ffmpeg_available():
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clip.mp4"
        made = _run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc=duration={seconds}:size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={seconds}",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
                "-movflags",
                "+faststart",
                "-y",
                str(out),
            ]
        )
        if made is None:
            return None
        return out.read_bytes()


# Documents: the kinds a care team shares (leaflets, forms, captions), each
# checked by what the file holds as well as its name. Nothing that runs
# (HTML, SVG, scripts, executables, macro-enabled Office files) and no legacy
# binary Office or RTF, which carry embedded objects.
DOCUMENT_EXTENSIONS = [
    "pdf",
    "docx",
    "xlsx",
    "pptx",
    "odt",
    "ods",
    "odp",
    "txt",
    "csv",
    "vtt",
]
_OFFICE_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
_OPEN_DOCUMENT = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
_TEXT_LIMIT = 5 * 1024 * 1024


def document_matches_extension(upload, extension: str) -> bool:
    """True if the uploaded file's content is what its extension says (one of
    DOCUMENT_EXTENSIONS): a PDF starts like one; an Office or OpenDocument
    file is a zip with the parts of its kind and no macros; text is UTF-8
    without NUL bytes (captions start with WEBVTT)."""
    import zipfile

    extension = extension.lower()
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in _OFFICE_PARTS or extension in _OPEN_DOCUMENT:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if any("vbaproject" in name.lower() for name in names):
                    return False  # macros
                if extension in _OFFICE_PARTS:
                    return _OFFICE_PARTS[extension] in names
                return archive.read("mimetype").strip() == _OPEN_DOCUMENT[extension]
        except (zipfile.BadZipFile, KeyError, OSError):
            return False
        finally:
            upload.seek(0)
    if extension in {"txt", "csv", "vtt"}:
        data = upload.read(_TEXT_LIMIT + 1)
        upload.seek(0)
        if len(data) > _TEXT_LIMIT or b"\x00" in data:
            return False
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        return extension != "vtt" or text.startswith("WEBVTT")
    return False
