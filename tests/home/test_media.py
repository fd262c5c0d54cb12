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
