"""community.rights.permissions: a copy of someone's data is theirs alone."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from community.rights.models import DataExport
from community.rights.permissions import access_export, exports_of
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_member_sees_and_opens_only_their_own_exports(pathway):
    mine, theirs = make_member(pathway), make_member(pathway)
    own = DataExport.objects.create(user=mine)
    other = DataExport.objects.create(user=theirs)
    assert list(exports_of(mine)) == [own]
    assert list(exports_of(AnonymousUser())) == []
    assert access_export(mine, own.pk) == own
    for who, pk in [(mine, other.pk), (AnonymousUser(), own.pk), (mine, "nonsense")]:
        with pytest.raises(Http404):
            access_export(who, pk)
