"""A pathway created in the Wagtail admin gets the same structure as one made
in code: groups, a private landing page, permissions and an audit row."""

import pytest

from community.models import AuditEvent, Pathway, PathwayGroup
from home.models import PathwayPage
from tests.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


def test_admin_creates_a_pathway_with_its_structure(client, home):
    admin = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin)
    client.force_login(admin)
    response = client.post(
        "/admin/snippets/community/pathway/add/",
        {
            "name": "Veterans' mental health",
            "slug": "veterans",
            "description": "",
            "minimum_age": 18,
            "premoderation_threshold": 3,
            "rule_packs": "[]",
            "reports_to_hide": 3,
            "alert_acknowledge_minutes": 15,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pathway = Pathway.objects.get(slug="veterans")
    assert PathwayGroup.objects.filter(pathway=pathway).count() == 5
    assert PathwayPage.objects.get(pathway=pathway).live
    assert AuditEvent.objects.filter(action="pathway.create", actor=admin).exists()


def test_staff_of_a_pathway_cannot_reach_the_pathway_list(client, pathway):
    from community.models import Role
    from tests.factories import make_member

    lead = make_member(pathway, Role.LEAD)
    enrol_totp(lead)
    client.force_login(lead)
    response = client.get("/admin/snippets/community/pathway/")
    assert response.status_code in (302, 403)
