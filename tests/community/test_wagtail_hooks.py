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


def test_moderators_see_their_queues_in_the_admin_and_no_one_elses(
    client, pathway, other_pathway
):
    from community.forums import actions as forums
    from community.models import Role
    from tests.factories import make_forum, make_member

    forums.do_start_topic(
        make_member(pathway, display_name="Held Author"),
        make_forum(pathway),
        "Hi",
        "Firstpostmarker",
    )
    peer = make_member(pathway, Role.PEER)
    enrol_totp(peer)
    client.force_login(peer)
    menu = client.get("/admin/").content.decode()
    assert "/admin/moderation/" in menu
    page = client.get("/admin/moderation/").content.decode()
    assert "Held Author" in page and "Firstpostmarker" in page

    outsider = make_member(other_pathway, Role.CLINICIAN)
    enrol_totp(outsider)
    client.force_login(outsider)
    page = client.get("/admin/moderation/").content.decode()
    assert "Held Author" not in page and "Firstpostmarker" not in page
    assert other_pathway.name in page

    editor = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(editor)
    client.force_login(editor)
    assert "/admin/moderation/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/moderation/").status_code == 404


def test_only_site_admins_see_every_undelivered_notification_in_the_admin(
    client, pathway, django_capture_on_commit_callbacks
):
    from community.models import Role
    from community.notifications.models import Delivery, DeliveryState
    from tests.factories import make_member

    delivery = Delivery.objects.create(
        channel="push",
        recipient=make_member(pathway, display_name="Quiet Heron"),
        pathway=pathway,
        payload="{}",
        state=DeliveryState.FAILED,
        attempts=8,
        last_error="HTTP 500",
    )
    lead = make_member(pathway, Role.LEAD)
    enrol_totp(lead)
    client.force_login(lead)
    assert "/admin/deliveries/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/deliveries/").status_code == 404
    retry = f"/admin/deliveries/{delivery.pk}/retry/"
    assert client.post(retry).status_code == 404

    admin = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin)
    client.force_login(admin)
    assert "/admin/deliveries/" in client.get("/admin/").content.decode()
    page = client.get("/admin/deliveries/").content.decode()
    assert "1 notification could not be delivered" in page
    assert "Quiet Heron" in page and "HTTP 500" in page and pathway.name in page
    assert delivery.recipient.email not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    delivery.refresh_from_db()
    # Retried: no phone to send to now (no subscription), so nothing is sent.
    assert delivery.state == DeliveryState.GONE
    assert AuditEvent.objects.filter(action="delivery.retried", actor=admin).exists()
