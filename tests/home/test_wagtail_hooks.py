"""Wagtail hooks keep each pathway's pages inside it, in the site and the admin."""

import pytest

from community.models import Role
from home.models import PathwayPage
from tests.factories import enrol_totp, make_member

pytestmark = pytest.mark.django_db


def staff_of(client, pathway):
    user = make_member(pathway, Role.CLINICIAN)
    enrol_totp(user)
    client.force_login(user)
    return user


def test_page_chooser_lists_only_my_pathways_pages(
    client, pathway, other_pathway, home
):
    staff_of(client, pathway)
    body = client.get(f"/admin/choose-page/{home.pk}/").content.decode()
    assert pathway.name in body
    assert other_pathway.name not in body


def test_page_chooser_cannot_browse_inside_another_pathway(
    client, pathway, other_pathway
):
    staff_of(client, pathway)
    theirs = PathwayPage.objects.get(pathway=other_pathway)
    assert client.get(f"/admin/choose-page/{theirs.pk}/").status_code == 404
    mine = PathwayPage.objects.get(pathway=pathway)
    assert client.get(f"/admin/choose-page/{mine.pk}/").status_code == 200


def test_page_chooser_search_hides_other_pathways(client, pathway, other_pathway):
    staff_of(client, pathway)
    body = client.get("/admin/choose-page/search/", {"q": "Eating"}).content.decode()
    assert other_pathway.name not in body


def test_admin_explorer_refuses_another_pathways_page(client, pathway, other_pathway):
    staff_of(client, pathway)
    theirs = PathwayPage.objects.get(pathway=other_pathway)
    response = client.get(f"/admin/pages/{theirs.pk}/edit/")
    assert response.status_code in (302, 403, 404)
    assert other_pathway.name not in response.content.decode()
