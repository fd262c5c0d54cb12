"""Blog, blog index and resource pages: what members read, content warnings
folded as each reader chose, documents only inside their pathway, and index
pages that cost the same number of queries whatever their length."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from community.models import Role
from home.models import BlogIndexPage, BlogPage, PathwayPage, ResourcePage
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def blog_with_posts(pathway, count=1, warning=""):
    landing = PathwayPage.objects.get(pathway=pathway)
    author = make_member(pathway, Role.PEER, display_name="Wren Peer")
    blog = BlogIndexPage(title="Stories", slug="stories")
    landing.add_child(instance=blog)
    blog.save_revision().publish()
    posts = []
    for n in range(count):
        post = BlogPage(
            title=f"Post {n}",
            slug=f"post-{n}",
            owner=author,
            content_warning=warning,
            body=[("rich_text", "<p>" + "word " * 450 + "</p>")],
        )
        blog.add_child(instance=post)
        post.save_revision().publish()
        posts.append(post)
    return blog, posts


def test_a_post_shows_its_author_by_display_name_and_reading_time(client, pathway):
    blog, (post,) = blog_with_posts(pathway)
    reader = make_member(pathway)
    client.force_login(reader)
    page = client.get(post.url).content.decode()
    assert "By Wren Peer" in page and "3 min read" in page
    assert post.owner.email not in page
    index = client.get(blog.url).content.decode()
    assert "Post 0" in index
    landing = client.get(f"/{pathway.slug}/").content.decode()
    assert "Latest from your community" in landing and "Post 0" in landing


def test_a_content_warning_folds_the_body_until_the_reader_chooses(client, pathway):
    _blog, (post,) = blog_with_posts(pathway, warning="mentions self-harm")
    reader = make_member(pathway)
    client.force_login(reader)
    page = client.get(post.url).content.decode()
    assert "Content warning: mentions self-harm" in page
    assert '<details class="nhsuk-details harbour-warning">' in page
    client.post("/account/safety/", {"content_warnings": "expand"})
    reader.refresh_from_db()
    assert reader.content_warnings == "expand"
    page = client.get(post.url).content.decode()
    assert '<details class="nhsuk-details harbour-warning" open>' in page
    client.post("/account/safety/", {"content_warnings": "nonsense"})
    reader.refresh_from_db()
    assert reader.content_warnings == "collapse"


def test_content_pages_are_not_found_outside_the_pathway(
    client, pathway, other_pathway
):
    blog, (post,) = blog_with_posts(pathway)
    client.force_login(make_member(other_pathway))
    for url in (blog.url, post.url):
        assert client.get(url).status_code == 404


def test_documents_are_served_only_inside_their_pathway(
    client, pathway, other_pathway, settings, tmp_path
):
    # Served from disk as in development (the test settings keep files in memory,
    # which Wagtail's serve view cannot stream).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    pathway.refresh_from_db()
    document = get_document_model()(title="Plan", collection=pathway.collection)
    document.file.save("plan.txt", ContentFile(b"safety plan"), save=False)
    document.save()
    landing = PathwayPage.objects.get(pathway=pathway)
    resource = ResourcePage(
        title="Plans",
        slug="plans",
        body=[("document", {"document": document, "description": ""})],
    )
    landing.add_child(instance=resource)
    resource.save_revision().publish()
    client.force_login(make_member(pathway))
    assert f'href="{document.url}"' in client.get(resource.url).content.decode()
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"safety plan"
    client.force_login(make_member(other_pathway))
    assert client.get(document.url).status_code == 404
    client.logout()
    assert client.get(document.url).status_code == 404


@pytest.mark.parametrize("count", [2, 8])
def test_the_blog_index_runs_a_constant_number_of_queries(
    client, pathway, count, django_assert_num_queries
):
    blog, _posts = blog_with_posts(pathway, count)
    client.force_login(make_member(pathway))
    client.get(blog.url)
    with django_assert_num_queries(BLOG_INDEX_QUERIES):
        assert client.get(blog.url).status_code == 200


# Session and user, the pathway check before serving, Wagtail's site, page and
# view-restriction lookups, the posts with their authors and tags, the unread
# badge, the footer's translations (a member has no Wagtail user bar), the
# page's locale (lang="en" on an English page shown in Welsh: docs/welsh.md):
# the same for 2 posts or 8.
BLOG_INDEX_QUERIES = 21


def video_page_in(pathway, **fields):
    from home.models import VideoIndexPage, VideoPage

    landing = PathwayPage.objects.get(pathway=pathway)
    index = VideoIndexPage(title="Videos", slug="videos")
    landing.add_child(instance=index)
    index.save_revision().publish()
    page = VideoPage(title="Welcome", slug="welcome", **fields)
    index.add_child(instance=page)
    page.save_revision().publish()
    return index, page


def test_a_video_page_plays_with_captions_on_and_the_transcript_below(client, pathway):
    from home.models import PeerMedia

    pathway.refresh_from_db()
    # Duration and poster known, so nothing is read from the (absent) file.
    video = PeerMedia.objects.create(
        title="Clip",
        type="video",
        file="media/clip.mp4",
        duration=4,
        thumbnail="media_thumbnails/clip.jpg",
    )
    captions = get_document_model().objects.create(
        title="Captions", file="documents/clip.vtt", collection=pathway.collection
    )
    index, page = video_page_in(
        pathway,
        video=video,
        captions=captions,
        transcript="<p>Hello and welcome.</p>",
    )
    client.force_login(make_member(pathway))
    body = client.get(page.url).content.decode()
    assert f'<source src="/files/videos/{video.pk}/" type="video/mp4">' in body
    assert f'src="{captions.url}"' in body and " default>" in body
    assert "Transcript" in body and "Hello and welcome." in body
    assert "Welcome" in client.get(index.url).content.decode()
    page.captions_on = False
    page.save_revision().publish()
    assert " default>" not in client.get(page.url).content.decode()


def test_a_video_page_without_a_video_is_clearly_a_placeholder(client, pathway):
    _index, page = video_page_in(pathway, transcript="<p>Words.</p>")
    client.force_login(make_member(pathway))
    body = client.get(page.url).content.decode()
    assert "Placeholder:" in body and "<video" not in body


def test_captions_must_be_webvtt(pathway):
    from django.core.exceptions import ValidationError

    from home.models import VideoPage

    srt = get_document_model().objects.create(title="c", file="documents/c.srt")
    with pytest.raises(ValidationError):
        VideoPage(title="x", slug="x", captions=srt).clean()


@pytest.mark.parametrize("count", [2, 8])
def test_the_video_index_runs_a_constant_number_of_queries(
    client, pathway, count, django_assert_num_queries
):
    from home.models import PeerMedia, VideoIndexPage, VideoPage

    landing = PathwayPage.objects.get(pathway=pathway)
    index = VideoIndexPage(title="Videos", slug="videos")
    landing.add_child(instance=index)
    index.save_revision().publish()
    author = make_member(pathway, Role.PEER)
    for n in range(count):
        video = PeerMedia.objects.create(
            title=f"Clip {n}",
            type="video",
            file=f"media/clip{n}.mp4",
            duration=4,
            thumbnail=f"media_thumbnails/clip{n}.jpg",
        )
        page = VideoPage(
            title=f"Video {n}", slug=f"video-{n}", owner=author, video=video
        )
        index.add_child(instance=page)
        page.save_revision().publish()
    client.force_login(make_member(pathway))
    client.get(index.url)
    with django_assert_num_queries(VIDEO_INDEX_QUERIES):
        assert client.get(index.url).status_code == 200


# As the blog index: the videos come with their authors and files in one query.
VIDEO_INDEX_QUERIES = 20


def test_scheduled_publishing_makes_a_post_live_at_its_time(pathway):
    from datetime import timedelta

    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    landing = PathwayPage.objects.get(pathway=pathway)
    blog = BlogIndexPage(title="Stories", slug="stories")
    landing.add_child(instance=blog)
    blog.save_revision().publish()
    later = timezone.now() + timedelta(hours=2)
    post = BlogPage(title="Tomorrow", slug="tomorrow", live=False)
    blog.add_child(instance=post)
    revision = post.save_revision(approved_go_live_at=later)
    post.refresh_from_db()
    assert not post.live and revision.approved_go_live_at == later
    call_command("publish_scheduled")
    post.refresh_from_db()
    assert not post.live
    with time_machine.travel(later + timedelta(minutes=1)):
        call_command("publish_scheduled")
    post.refresh_from_db()
    assert post.live
