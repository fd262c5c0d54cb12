"""Page and file access (home.permissions): allow, deny and not-found."""

import pytest
from django.http import Http404

from home.models import PathwayPage
from home.permissions import access_page, access_stored_file
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_access_page_allows_own_and_site_pages_and_hides_others(
    pathway, other_pathway, home
):
    user = make_member(pathway)
    mine = PathwayPage.objects.get(pathway=pathway)
    theirs = PathwayPage.objects.get(pathway=other_pathway)
    assert access_page(user, mine.pk).pk == mine.pk
    assert access_page(user, home.pk).pk == home.pk
    for missing_or_forbidden in (theirs.pk, 999999, "x"):
        with pytest.raises(Http404):
            access_page(user, missing_or_forbidden)
    admin = UserFactory(is_superuser=True)
    assert access_page(admin, theirs.pk, in_admin=True).pk == theirs.pk
    with pytest.raises(Http404):
        access_page(admin, theirs.pk)


def test_access_stored_file_follows_the_collection_and_hides_the_rest(
    pathway, other_pathway, settings, tmp_path
):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    pathway.refresh_from_db()
    document = get_document_model().objects.create(
        title="Plan",
        file=ContentFile(b"%PDF-1.7\n", name="plan.pdf"),
        collection=pathway.collection,
    )
    name = document.file.name
    assert access_stored_file(make_member(pathway), name).name == name
    outsider = make_member(other_pathway)
    with pytest.raises(Http404) as forbidden:
        access_stored_file(outsider, name)
    with pytest.raises(Http404) as missing:
        access_stored_file(outsider, "documents/no-such-file.pdf")
    assert str(forbidden.value) == str(missing.value)
