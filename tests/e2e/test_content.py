"""Reading a pathway's blog on a phone: the content warning is folded until
the reader opens it, the author shows by display name, and a member of another
pathway gets "not found". Each page is checked with axe; screenshots at 390px."""

import re

from playwright.sync_api import expect

from community.models import Role
from home.models import BlogIndexPage, BlogPage, PathwayPage
from tests.e2e.waiting import wait_until
from tests.factories import make_member


def test_a_member_reads_a_post_behind_a_content_warning(
    phone_page,
    submit,
    pathway,
    other_pathway,
    sign_in,
    visit,
    follow,
    screenshot,
    fits_the_screen,
    live_server,
):
    landing = PathwayPage.objects.get(pathway=pathway)
    peer = make_member(pathway, Role.PEER, display_name="Wren Peer")
    blog = BlogIndexPage(title="Stories and blogs", slug="blog")
    landing.add_child(instance=blog)
    blog.save_revision().publish()
    post = BlogPage(
        title="My story",
        slug="my-story",
        owner=peer,
        content_warning="mentions self-harm",
        body=[("rich_text", "<p>A year ago I was in hospital.</p>")],
    )
    blog.add_child(instance=post)
    post.save_revision().publish()

    from home.models import ResourcePage

    resource = ResourcePage(
        title="Getting through a hard night",
        slug="hard-night",
        body=[("rich_text", "<p>Try the 5-4-3-2-1 exercise.</p>")],
    )
    landing.add_child(instance=resource)
    resource.save_revision().publish()

    page = phone_page
    sign_in(page, make_member(pathway, display_name="Maple"))
    visit(page, resource.url)  # a resource page, checked by axe
    screenshot(page, "resource-390")
    visit(page, blog.url)  # the blog index, checked by axe
    visit(page, f"/{pathway.slug}/")
    follow(page, "My story")
    expect(page.get_by_text("By Wren Peer")).to_be_visible()
    body = page.get_by_text("A year ago I was in hospital.")
    expect(body).to_be_hidden()
    screenshot(page, "blog-warning-folded-390")
    fits_the_screen(page)
    page.get_by_text("Content warning: mentions self-harm").click()
    expect(body).to_be_visible()
    screenshot(page, "blog-warning-open-390")

    # A comment, and one kept for a rewrite (a new member's posts are held).
    page.get_by_label("Your comment").fill("Thank you for sharing this.")
    page.get_by_label("Tell me when someone replies").check()
    submit(page, "Post comment")
    expect(page.get_by_text("Thank you for sharing this.")).to_be_visible()
    expect(page.get_by_text("Waiting for a moderator").first).to_be_visible()
    screenshot(page, "blog-comment-390")
    fits_the_screen(page)

    outsider = phone_page.context.browser.new_context(
        viewport={"width": 390, "height": 844}
    ).new_page()
    sign_in(outsider, make_member(other_pathway))
    response = visit(outsider, post.url)
    assert response.status == 404
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_a_member_watches_a_peer_video_with_captions_on_a_phone(
    phone_page,
    other_pathway,
    live_server,
    pathway,
    sign_in,
    visit,
    screenshot,
    fits_the_screen,
    settings,
    tmp_path,
):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from home import media
    from home.models import PeerMedia, VideoIndexPage, VideoPage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    pathway.refresh_from_db()
    clip = media.generate_clip(2)
    assert clip, "ffmpeg is needed (make test installs it)"
    video = PeerMedia(title="Hello", type="video", collection=pathway.collection)
    video.file.save("hello.mp4", ContentFile(clip), save=False)
    video.save()
    captions = get_document_model()(title="Captions", collection=pathway.collection)
    captions.file.save(
        "hello.vtt",
        ContentFile(b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello from a peer.\n"),
        save=False,
    )
    captions.save()
    landing = PathwayPage.objects.get(pathway=pathway)
    index = VideoIndexPage(title="Videos from peers", slug="videos")
    landing.add_child(instance=index)
    index.save_revision().publish()
    page = VideoPage(
        title="Hello from a peer",
        slug="hello",
        owner=make_member(pathway, Role.PEER, display_name="Wren Peer"),
        video=video,
        captions=captions,
        transcript="<p>Hello from a peer.</p>",
    )
    index.add_child(instance=page)
    page.save_revision().publish()

    browser_page = phone_page
    sign_in(browser_page, make_member(pathway))
    visit(browser_page, index.url)  # the video index, checked by axe
    visit(browser_page, page.url)
    player = browser_page.locator("video")
    expect(player).to_be_visible()
    wait_until(
        browser_page,
        "() => document.querySelector('video').readyState >= 1"
        " && document.querySelector('video').textTracks[0].mode === 'showing'",
    )
    duration = browser_page.evaluate("() => document.querySelector('video').duration")
    assert 1.5 < duration < 2.5
    expect(browser_page.get_by_role("heading", name="Transcript")).to_be_visible()
    screenshot(browser_page, "video-390")
    fits_the_screen(browser_page)

    # Someone from another pathway gets "not found" for the page, the video
    # file, its poster and its captions document.
    outsider = browser_page.context.browser.new_context(
        viewport={"width": 390, "height": 844}
    ).new_page()
    sign_in(outsider, make_member(other_pathway))
    for url in (
        page.url,
        f"/files/videos/{video.pk}/",
        f"/files/videos/{video.pk}/poster/",
        captions.url,
    ):
        assert outsider.goto(live_server.url + url).status == 404, url


def test_a_peer_uploads_a_video_in_the_admin_with_a_progress_bar(
    page, pathway, sign_in, live_server, settings, tmp_path
):
    """The Wagtail admin is Wagtail's (axe is run on Harbour's own pages)."""
    from home import media
    from home.models import PeerMedia
    from tests.factories import TOTP_SECRET, enrol_totp

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    clip_path = tmp_path / "peer-video.mp4"
    clip_path.write_bytes(media.generate_clip(2))
    peer = make_member(pathway, Role.PEER, display_name="Wren Peer")
    enrol_totp(peer)
    sign_in(page, peer, TOTP_SECRET)
    response = page.goto(live_server.url + "/admin/media/video/add/")
    assert response.status == 200, page.content()[:500]
    page.get_by_label("Title").fill("My first video")
    page.set_input_files('input[name="file"]', str(clip_path))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
        page.wait_for_selector("progress")
    uploaded = PeerMedia.objects.get(title="My first video")
    pathway.refresh_from_db()
    assert uploaded.collection == pathway.collection
    assert uploaded.duration > 1 and uploaded.thumbnail


def test_a_peer_submits_a_post_and_a_clinician_approves_it_in_the_admin(
    page,
    new_context,
    pathway,
    other_pathway,
    sign_in,
    visit,
    live_server,
    screenshot,
):
    """The editorial workflow in a real browser: a peer drafts a blog post and a
    video page and submits them for review; a clinician of the pathway approves
    them; a member reads them; a member of another pathway gets "not found"."""
    from tests.factories import TOTP_SECRET, enrol_totp

    landing = PathwayPage.objects.get(pathway=pathway)
    blog = BlogIndexPage(title="Stories and blogs", slug="blog")
    landing.add_child(instance=blog)
    blog.save_revision().publish()
    peer = make_member(pathway, Role.PEER, display_name="Wren Peer")
    clinician = make_member(pathway, Role.CLINICIAN, display_name="Nurse Hazel")
    enrol_totp(peer)
    enrol_totp(clinician)

    sign_in(page, peer, TOTP_SECRET)
    page.goto(f"{live_server.url}/admin/pages/add/home/blogpage/{blog.pk}/")
    page.locator("#id_title").fill("Small steps")
    page.locator("#id_introduction").fill("What helped me this month.")
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Submit to Review")).click()
    post = BlogPage.objects.get(title="Small steps")
    assert not post.live and post.current_workflow_state is not None
    screenshot(page, "admin-peer-submitted-1280")

    # And a video page, the same way (its video file is chosen later).
    from home.models import VideoIndexPage, VideoPage

    videos = VideoIndexPage(title="Videos from peers", slug="videos")
    landing.add_child(instance=videos)
    videos.save_revision().publish()
    page.goto(f"{live_server.url}/admin/pages/add/home/videopage/{videos.pk}/")
    page.locator("#id_title").fill("My first week")
    page.locator("#id_introduction").fill("A message for new members.")
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Submit to Review")).click()
    video_page = VideoPage.objects.get(title="My first week")
    assert not video_page.live and video_page.current_workflow_state is not None

    reviewer = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(reviewer, clinician, TOTP_SECRET)
    reviewer.goto(f"{live_server.url}/admin/pages/{post.pk}/edit/")
    reviewer.get_by_role("button", name="More actions").click()
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="Approve and Publish", exact=True).click()
    screenshot(reviewer, "admin-clinician-approved-1280")
    post.refresh_from_db()
    assert post.live
    reviewer.goto(f"{live_server.url}/admin/pages/{video_page.pk}/edit/")
    reviewer.get_by_role("button", name="More actions").click()
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="Approve and Publish", exact=True).click()
    video_page.refresh_from_db()
    assert video_page.live

    reader = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(reader, make_member(pathway))
    visit(reader, video_page.url)
    expect(reader.get_by_text("Placeholder:")).to_be_visible()
    visit(reader, post.url)
    expect(reader.get_by_role("heading", level=1)).to_have_text("Small steps")
    expect(reader.get_by_text("By Wren Peer")).to_be_visible()

    outsider = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(outsider, make_member(other_pathway))
    assert visit(outsider, post.url).status == 404
