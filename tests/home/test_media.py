"""Uploaded videos and posters are checked by content and size; ffmpeg reads
duration and a poster frame when it is installed, and nothing breaks when it
is not."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from home import media
from home.models import PeerMedia

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture(scope="module")
def clip():
    made = media.generate_clip(2)
    assert made, "ffmpeg is needed for these tests (make test installs it)"
    return made


def test_files_are_recognised_by_content_not_name(clip):
    assert media.sniff_video(clip[:32]) == "video/mp4"
    assert media.sniff_video(b"\x1a\x45\xdf\xa3" + b"\x00" * 28) == "video/webm"
    assert media.sniff_video(b"<html><script>alert(1)</script>") is None
    assert media.sniff_image(PNG) == "image/png"
    assert media.sniff_image(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert media.sniff_image(b"GIF89a") is None


def test_a_file_named_mp4_that_is_not_a_video_is_refused(settings):
    fake = PeerMedia(title="x", type="video")
    fake.file = SimpleUploadedFile("movie.mp4", b"<html><script>x</script></html>")
    with pytest.raises(ValidationError) as error:
        fake.clean()
    assert "not an MP4 or WebM video" in str(error.value)


def test_too_large_videos_and_bad_posters_are_refused(settings, clip):
    settings.HARBOUR_MAX_VIDEO_MB = 0
    big = PeerMedia(title="x", type="video")
    big.file = SimpleUploadedFile("big.mp4", clip)
    big.thumbnail = SimpleUploadedFile("poster.png", b"not an image")
    with pytest.raises(ValidationError) as error:
        big.clean()
    assert set(error.value.message_dict) == {"file", "thumbnail"}
    assert "too large" in error.value.message_dict["file"][0]


def test_ffmpeg_reads_duration_size_and_a_poster(clip):
    video = PeerMedia(title="Clip", type="video")
    video.file.save("clip.mp4", ContentFile(clip), save=False)
    video.save()
    assert 1.5 < video.duration < 2.5
    assert (video.width, video.height) == (640, 360)
    assert media.sniff_image(video.thumbnail.read(8)) == "image/jpeg"


def test_without_ffmpeg_nothing_breaks(monkeypatch, clip):
    monkeypatch.setattr(media.shutil, "which", lambda name: None)
    assert media.generate_clip() is None
    video = PeerMedia(title="Clip", type="video")
    video.file.save("clip.mp4", ContentFile(clip), save=False)
    video.save()
    assert not video.thumbnail and not video.duration


# Documents ------------------------------------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
GOOD = {
    "leaflet.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "plan.docx": DOCX,
    "sheet.xlsx": _zip({"xl/workbook.xml": b"<w/>"}),
    "notes.odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    "read-me.txt": "Tea at 3, Siân\n".encode(),
    "list.csv": b"name,when\nTea,3pm\n",
    "talk.vtt": b"\xef\xbb\xbfWEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
}
BAD = {
    "leaflet.pdf": b"<html><script>alert(1)</script></html>",  # HTML named PDF
    "plan.docx": _zip({"word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}),
    "sheet.xlsx": DOCX,  # a Word file named as a spreadsheet
    "notes.odt": b"PK\x03\x04 not really a zip",
    "read-me.txt": b"MZ\x90\x00\x03\x00\x00\x00",  # an executable
    "talk.vtt": b"<script>alert(1)</script>",
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_documents_that_are_what_their_name_says_are_taken(name):
    upload = SimpleUploadedFile(name, GOOD[name])
    assert media.document_matches_extension(upload, name.rsplit(".", 1)[1])


@pytest.mark.parametrize("name", sorted(BAD))
def test_documents_that_are_not_what_their_name_says_are_refused(name):
    upload = SimpleUploadedFile(name, BAD[name])
    assert not media.document_matches_extension(upload, name.rsplit(".", 1)[1])


def test_the_settings_allow_list_is_the_checked_one(settings):
    assert settings.WAGTAILDOCS_EXTENSIONS == media.DOCUMENT_EXTENSIONS


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("page.html", b"<html></html>", "Documents can be"),
        ("image.svg", b"<svg onload='x'/>", "Documents can be"),
        ("run.exe", b"MZ\x90\x00", "Documents can be"),
        ("leaflet.pdf", b"<html><script>x</script>", "isn't what its name says"),
    ],
)
def test_the_admin_refuses_documents_by_name_and_by_content(name, data, said):
    from wagtail.documents import get_document_model
    from wagtail.documents.forms import get_document_form
    from wagtail.models import Collection

    Form = get_document_form(get_document_model())
    form = Form(
        data={"title": "A leaflet", "collection": Collection.get_first_root_node().pk},
        files={"file": SimpleUploadedFile(name, data)},
    )
    assert not form.is_valid()
    assert said in " ".join(form.errors["file"])
    good = Form(
        data={"title": "A leaflet", "collection": Collection.get_first_root_node().pk},
        files={"file": SimpleUploadedFile("leaflet.pdf", GOOD["leaflet.pdf"])},
    )
    assert good.is_valid(), good.errors
