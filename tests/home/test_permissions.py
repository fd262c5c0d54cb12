"""Page and file access (home.permissions): allow, deny and not-found."""

import pytest
from django.http import Http404

from home.models import PathwayPage
from home.permissions import access_page
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
