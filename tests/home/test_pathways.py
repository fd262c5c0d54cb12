"""A pathway's Wagtail side (home.pathways, run by home.signals when a pathway
is saved new): landing page, privacy, page permissions, collection, workflow."""

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import GroupPagePermission, PageViewRestriction

from community import actions
from community.models import AuditEvent, Pathway, PathwayGroup, Role
from home.models import PathwayPage
from home.pathways import sync_pathway_structure
from tests.factories import make_pathway

pytestmark = pytest.mark.django_db


def page_permissions(pathway, role):
    group = PathwayGroup.objects.get(pathway=pathway, role=role).group
    landing = PathwayPage.objects.get(pathway=pathway)
    return set(
        GroupPagePermission.objects.filter(group=group, page=landing).values_list(
            "permission__codename", flat=True
        )
    )


def test_creating_a_pathway_makes_groups_private_page_and_permissions(home):
    pathway = make_pathway("Perinatal care")
    groups = {pg.role: pg.group for pg in PathwayGroup.objects.filter(pathway=pathway)}
    assert set(groups) == set(Role)

    landing = PathwayPage.objects.get(pathway=pathway)
    assert landing.live and landing.get_parent().specific == home
    restriction = PageViewRestriction.objects.get(page=landing)
    assert restriction.restriction_type == PageViewRestriction.GROUPS
    assert set(restriction.groups.all()) == set(groups.values())

    assert page_permissions(pathway, Role.MEMBER) == set()
    assert page_permissions(pathway, Role.CARER) == set()
    assert page_permissions(pathway, Role.PEER) == {"add_page", "change_page"}
    assert "publish_page" in page_permissions(pathway, Role.CLINICIAN)
    assert "publish_page" in page_permissions(pathway, Role.LEAD)

    admin = Permission.objects.get(codename="access_admin")
    assert admin in groups[Role.PEER].permissions.all()
    assert admin not in groups[Role.MEMBER].permissions.all()
    assert AuditEvent.objects.filter(action="pathway.create", pathway=pathway).exists()


def test_syncing_a_pathway_twice_changes_nothing(pathway):
    before = (
        PathwayGroup.objects.count(),
        GroupPagePermission.objects.count(),
        PathwayPage.objects.count(),
    )
    sync_pathway_structure(pathway)
    after = (
        PathwayGroup.objects.count(),
        GroupPagePermission.objects.count(),
        PathwayPage.objects.count(),
    )
    assert before == after


def test_a_pathway_made_without_a_home_page_is_not_made_at_all(db):
    # The Wagtail side is made inside the creating transaction: when it
    # fails, no pathway is left without its landing page.
    with pytest.raises(RuntimeError):
        actions.do_create_pathway(slug="lonely", name="Lonely")
    assert not Pathway.objects.filter(slug="lonely").exists()
    assert not PathwayGroup.objects.exists()


def test_a_pathway_created_in_code_gets_its_wagtail_side_too(home):
    pathway = Pathway.objects.create(slug="plain", name="Plain")
    landing = PathwayPage.objects.get(pathway=pathway)
    assert PageViewRestriction.objects.filter(page=landing).exists()
    assert pathway.collection is not None
