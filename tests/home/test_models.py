"""Wagtail page types: the front door and pathway landing pages."""

import pytest
from django.test import Client

from community.models import Role
from home.models import PathwayPage, pathway_of
from tests.factories import UserFactory, enrol_totp, make_member

pytestmark = pytest.mark.django_db


def test_home_page_lists_only_my_pathways(client, pathway, other_pathway):
    client.force_login(make_member(pathway, Role.CARER))
    body = client.get("/").content.decode()
    assert pathway.name in body and "Relative or carer" in body
    assert other_pathway.name not in body


def test_home_page_links_to_safety_settings_and_moderation_for_staff(client, pathway):
    client.force_login(make_member(pathway))
    body = client.get("/").content.decode()
    assert 'href="/account/safety/"' in body and 'href="/moderation/"' not in body
    peer = make_member(pathway, Role.PEER)
    enrol_totp(peer)
    client.force_login(peer)
    assert 'href="/moderation/"' in client.get("/").content.decode()


def test_pathway_page_links_to_the_forums_and_says_when_no_one_is_on_duty(
    client, pathway
):
    from tests.factories import put_on_duty

    client.force_login(make_member(pathway))
    body = client.get(f"/{pathway.slug}/").content.decode()
    assert f"/community/{pathway.slug}/forums/" in body
    assert "No one from the care team is online right now" in body
    put_on_duty(pathway, make_member(pathway, Role.CLINICIAN))
    body = client.get(f"/{pathway.slug}/").content.decode()
    assert "No one from the care team is online right now" not in body


def test_home_page_invites_visitors_to_join_or_sign_in(client, pathway):
    body = client.get("/").content.decode()
    assert "/join/" in body and "/accounts/login/" in body
    assert pathway.name not in body


def test_every_page_links_to_help_now(client, pathway):
    client.force_login(make_member(pathway))
    for path in ["/", f"/{pathway.slug}/", "/join/", "/accounts/login/", "/nowhere/"]:
        body = Client().get(path).content.decode() + client.get(path).content.decode()
        assert 'href="/help/"' in body, path


def test_pathway_page_shows_its_crisis_contacts(client, pathway):
    from wagtail.models import Locale

    from community.models import CrisisContact

    CrisisContact.objects.create(
        pathway=pathway, name="Perinatal crisis line", locale=Locale.get_default()
    )
    client.force_login(make_member(pathway))
    assert "Perinatal crisis line" in client.get(f"/{pathway.slug}/").content.decode()


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (Role.MEMBER, []),
        (Role.PEER, ["/admin/", "/moderation/", "/rota/"]),
        (Role.CLINICIAN, ["/invitations/", "/requests/", "/moderation/", "/rota/"]),
        (
            Role.LEAD,
            ["/invitations/", "/requests/", "/settings/", "/safety/words/"],
        ),
    ],
)
def test_staff_tools_follow_capabilities(client, pathway, role, links):
    user = make_member(pathway, role)
    enrol_totp(user)
    client.force_login(user)
    body = client.get(f"/{pathway.slug}/").content.decode()
    assert ("Staff tools" in body) is bool(links)
    for link in links:
        assert link in body
    if role == Role.CLINICIAN:
        assert "/settings/" not in body


def test_pathway_of_finds_the_landing_page_pathway(pathway, home):
    landing = PathwayPage.objects.get(pathway=pathway)
    assert pathway_of(landing) == pathway
    assert pathway_of(home) is None


def test_landing_page_is_not_found_for_anyone_outside(client, pathway, other_pathway):
    url = f"/{pathway.slug}/"
    assert Client().get(url).status_code == 404
    client.force_login(make_member(other_pathway))
    assert client.get(url).status_code == 404


def test_site_admins_do_not_read_pathways_they_are_not_members_of(client, pathway):
    """Admins manage pathways in the Wagtail admin; reading is for members."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(admin)
    client.force_login(admin)
    assert client.get(f"/{pathway.slug}/").status_code == 404


def test_a_member_reads_their_landing_page(client, pathway):
    client.force_login(make_member(pathway))
    response = client.get(f"/{pathway.slug}/")
    assert response.status_code == 200
    assert f"<h1>{pathway.name}</h1>" in response.content.decode()
