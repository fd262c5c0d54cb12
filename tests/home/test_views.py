"""Video files and posters are served only to members of their pathway: from
local files as inert downloads, from S3 (moto's server here) by a short-lived
signed URL."""

import urllib.request

import boto3
import pytest
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer

from home import media
from home.models import PeerMedia
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clip():
    made = media.generate_clip(1)
    assert made, "ffmpeg is needed for these tests (make test installs it)"
    return made


def video_in(pathway, clip) -> PeerMedia:
    pathway.refresh_from_db()
    video = PeerMedia(title="Clip", type="video", collection=pathway.collection)
    video.file.save("clip.mp4", ContentFile(clip), save=False)
    video.save()
    return video


@pytest.fixture
def local_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_members_get_the_video_and_poster_as_inert_files(
    client, pathway, other_pathway, clip, local_files
):
    video = video_in(pathway, clip)
    client.force_login(make_member(pathway))
    response = client.get(f"/files/videos/{video.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == clip
    poster = client.get(f"/files/videos/{video.pk}/poster/")
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"

    client.force_login(make_member(other_pathway))
    assert client.get(f"/files/videos/{video.pk}/").status_code == 404
    assert client.get(f"/files/videos/{video.pk}/poster/").status_code == 404
    client.logout()
    assert client.get(f"/files/videos/{video.pk}/").status_code == 404
    assert client.get("/files/videos/999999/").status_code == 404


@pytest.fixture
def s3(settings):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - moto's fake credentials
    ).create_bucket(
        Bucket="harbour-media",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "harbour-media",
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    yield endpoint
    server.stop()


def test_on_s3_members_are_sent_to_a_signed_url_and_others_are_not(
    client, pathway, other_pathway, clip, s3
):
    video = video_in(pathway, clip)
    assert video.file.name.startswith("media/") and video.thumbnail
    client.force_login(make_member(pathway))
    response = client.get(f"/files/videos/{video.pk}/")
    assert response.status_code == 302
    assert response.url.startswith(s3) and "Signature=" in response.url
    with urllib.request.urlopen(response.url) as signed:  # noqa: S310 - moto
        assert signed.read() == clip
    # The bucket is private: the plain URL is refused.
    plain = response.url.split("?")[0]
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(plain)  # noqa: S310 - moto

    client.force_login(make_member(other_pathway))
    assert client.get(f"/files/videos/{video.pk}/").status_code == 404


# Every other stored file under /media/ ---------------------------------------------


def _png() -> ContentFile:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 80), "teal").save(out, "PNG")
    return ContentFile(out.getvalue(), name="picture.png")


def test_stored_files_reach_only_people_who_may_see_what_they_belong_to(
    client, local_files, pathway, other_pathway
):
    from django.test import Client
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from community.social import actions as social
    from tests.factories import make_trusted

    pathway.refresh_from_db()
    image = get_image_model().objects.create(
        title="Pathway picture", file=_png(), collection=pathway.collection
    )
    rendition = image.get_rendition("fill-64x64")
    document = get_document_model().objects.create(
        title="Plan",
        file=ContentFile(b"%PDF-1.7\n", name="plan.pdf"),
        collection=pathway.collection,
    )
    owner, friend = make_trusted(pathway), make_trusted(pathway)
    social.do_set_avatar_image(owner, _png())
    urls = [
        image.file.url,
        rendition.url,
        document.file.url,
        owner.avatar_image.url,
    ]
    assert all(url.startswith("/media/") for url in urls)
    member, outsider, anonymous = Client(), Client(), Client()
    member.force_login(friend)
    outsider.force_login(make_member(other_pathway))
    for url in urls:
        response = member.get(url)
        assert response.status_code == 200, url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert outsider.get(url).status_code == 404, url
        assert anonymous.get(url).status_code == 404, url
    assert member.get("/media/avatars/../../manage.py").status_code == 404
    assert member.get("/media/no-such-file.png").status_code == 404


def test_media_has_no_route_around_the_check_even_with_debug_on(settings):
    """With DJANGO_DEBUG=1 the URLs used to add Django's static() view for
    MEDIA_URL, which serves every file to anyone."""
    import importlib

    from django.urls import resolve

    import cms.urls
    from home.views import serve_stored_file

    settings.DEBUG = True
    try:
        debug_urls = importlib.reload(cms.urls)
        match = resolve("/media/avatars/1-20260101.png", urlconf=debug_urls)
        assert match.func is serve_stored_file
    finally:
        settings.DEBUG = False
        importlib.reload(cms.urls)
