"""The Wagtail admin as pathway staff see it (home/admin_access.py): another
pathway's things are missing to them, alike in every view; site
administrators see every pathway."""

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupApprovalTask, Workflow

from community.models import CrisisContact, PathwayGroup, Role
from home.admin_access import (
    collection_items_visible_to,
    collections_visible_to,
    visible_in_admin,
)
from home.models import PathwayPage, PeerMedia
from tests.factories import (
    UserFactory,
    enrol_totp,
    make_blog_post,
    make_gift,
    make_member,
)

pytestmark = pytest.mark.django_db


def png() -> ContentFile:
    out = io.BytesIO()
    PILImage.new("RGB", (4, 4)).save(out, "PNG")
    return ContentFile(out.getvalue(), name="picture.png")


def staff(pathway, role=Role.CLINICIAN):
    user = make_member(pathway, role)
    enrol_totp(user)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def theirs(other_pathway):
    """Things of pathway "Eating disorders", which staff of "Perinatal care"
    must not see."""
    other_pathway.refresh_from_db()
    post = make_blog_post(other_pathway, "Hidden story")
    image = get_image_model().objects.create(
        title="Hidden picture", file=png(), collection=other_pathway.collection
    )
    document = get_document_model().objects.create(
        title="Hidden leaflet",
        file=ContentFile(b"hello", name="leaflet.txt"),
        collection=other_pathway.collection,
    )
    video = PeerMedia(
        title="Hidden video",
        type="video",
        collection=other_pathway.collection,
        duration=1,
        thumbnail=png(),
    )
    video.file.save("clip.mp4", ContentFile(b"\0" * 32), save=False)
    video.save()
    return {
        "pathway": other_pathway,
        "post": post,
        "image": image,
        "document": document,
        "video": video,
        "group": PathwayGroup.objects.filter(pathway=other_pathway).first().group,
        "lead": staff(other_pathway, Role.LEAD),
        "workflow": PathwayPage.objects.get(pathway=other_pathway).get_workflow(),
        "contact": CrisisContact.objects.create(
            pathway=other_pathway, name="Hidden line"
        ),
        "gift": make_gift("Hidden gift", pathways=[other_pathway]),
    }


def test_another_pathways_things_are_not_visible_in_the_admin(pathway, theirs):
    mine = staff(pathway)
    task = GroupApprovalTask.objects.get(workflow_tasks__workflow=theirs["workflow"])
    hidden = [
        theirs["pathway"],
        theirs["post"],
        PathwayPage.objects.get(pathway=theirs["pathway"]),
        theirs["image"],
        theirs["document"],
        theirs["video"],
        theirs["pathway"].collection,
        theirs["group"],
        theirs["lead"],
        theirs["workflow"],
        task,
        theirs["contact"],
        theirs["gift"],
        theirs["post"].latest_revision,
    ]
    for obj in hidden:
        assert not visible_in_admin(mine, obj), obj
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for obj in hidden:
        assert visible_in_admin(superuser, obj), obj


def test_own_and_site_wide_things_stay_visible(pathway, home):
    mine = staff(pathway)
    pathway.refresh_from_db()
    own = [
        pathway,
        make_blog_post(pathway, "My story"),
        home,
        pathway.collection,
        Collection.get_first_root_node(),
        PathwayGroup.objects.filter(pathway=pathway).first().group,
        PathwayPage.objects.get(pathway=pathway).get_workflow(),
        CrisisContact.objects.create(pathway=None, name="Samaritans"),
        make_gift("A cup of tea"),
        mine,
        UserFactory(),  # in no pathway
    ]
    for obj in own:
        assert visible_in_admin(mine, obj), obj


def test_querysets_leave_out_another_pathways_files_and_collections(pathway, theirs):
    mine = staff(pathway)
    pathway.refresh_from_db()
    own = get_image_model().objects.create(
        title="My picture", file=png(), collection=pathway.collection
    )
    images = collection_items_visible_to(mine, get_image_model().objects.all())
    assert list(images) == [own]
    collections = collections_visible_to(mine, Collection.objects.all())
    assert pathway.collection in collections
    assert theirs["pathway"].collection not in collections


def test_another_pathways_ids_answer_as_missing_ones(pathway, theirs):
    client = signed_in(staff(pathway))
    post, image = theirs["post"].pk, theirs["image"].pk
    for url, missing in [
        (f"/admin/pages/{post}/edit/", "/admin/pages/987654/edit/"),
        (f"/admin/images/{image}/", "/admin/images/987654/"),
        (f"/admin/media/usage/{theirs['video'].pk}/", "/admin/media/usage/987654/"),
        (
            f"/admin/bulk/wagtailcore/page/delete/?id={post}",
            "/admin/bulk/wagtailcore/page/delete/?id=987654",
        ),
        (
            f"/admin/bulk/wagtailimages/image/delete/?id={image}",
            "/admin/bulk/wagtailimages/image/delete/?id=987654",
        ),
        (f"/admin/users/edit/{theirs['lead'].pk}/", "/admin/users/edit/987654/"),
        (f"/admin/api/main/images/{image}/", "/admin/api/main/images/987654/"),
    ]:
        response = client.get(url)
        assert response.status_code == client.get(missing).status_code, url
        assert "Hidden" not in response.content.decode(), url


def test_the_admin_api_lists_only_what_staff_may_see(pathway, theirs):
    client = signed_in(staff(pathway))
    for endpoint in ("images", "documents"):
        body = client.get(f"/admin/api/main/{endpoint}/").content.decode()
        assert "Hidden" not in body and "leaflet" not in body
    lead = signed_in(theirs["lead"])
    body = lead.get("/admin/api/main/images/").content.decode()
    assert "Hidden picture" in body


def test_reports_are_taken_away_from_pathway_staff(pathway, theirs):
    client = signed_in(staff(pathway))
    for url in (
        "/admin/reports/page-types-usage/",
        "/admin/reports/site-history/",
        "/admin/reports/locked/",
        "/admin/forms/",
        "/admin/pages/usage/home/blogpage/",
        "/admin/workflows/task_chooser/",
        "/admin/snippets/choose/community/crisiscontact/",
    ):
        assert client.get(url).status_code == 404, url


def test_site_administrators_still_see_every_pathway(theirs):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(superuser)
    client = signed_in(superuser)
    body = client.get("/admin/reports/page-types-usage/").content.decode()
    assert "Hidden story" in body
    assert client.get(f"/admin/pages/{theirs['post'].pk}/edit/").status_code == 200
    assert "Hidden picture" in client.get("/admin/api/main/images/").content.decode()
    assert Workflow.objects.filter(pk=theirs["workflow"].pk).exists()
