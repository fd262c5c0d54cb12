"""The access layer: allow, deny and not-found for every role."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from community.actions import do_block
from community.models import Audience, Membership, MembershipStatus, Role
from community.permissions import (
    ROLE_CAPABILITIES,
    Capability,
    access_invitation,
    access_join_request,
    access_pathway,
    access_pathway_capability,
    active_memberships,
    can_view_pathway,
    direct_refusal,
    invitable_roles,
    requires_two_factor,
    visible_pathways,
)
from tests.factories import UserFactory, make_invitation, make_member, membership

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_active_role_can_open_its_pathway(pathway, role):
    user = make_member(pathway, role)
    assert access_pathway(user, pathway.slug) == pathway
    assert can_view_pathway(user, pathway)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_role_opens_another_pathway(pathway, other_pathway, role):
    user = make_member(pathway, role)
    with pytest.raises(Http404):
        access_pathway(user, other_pathway.slug)
    assert not can_view_pathway(user, other_pathway)


def test_missing_and_forbidden_pathways_answer_alike(pathway, other_pathway):
    user = make_member(pathway)
    with pytest.raises(Http404) as missing:
        access_pathway(user, "no-such-pathway")
    with pytest.raises(Http404) as forbidden:
        access_pathway(user, other_pathway.slug)
    assert str(missing.value) == str(forbidden.value)


def test_anonymous_visitor_opens_no_pathway(pathway):
    with pytest.raises(Http404):
        access_pathway(AnonymousUser(), pathway.slug)
    assert list(visible_pathways(AnonymousUser())) == []
    assert list(active_memberships(AnonymousUser())) == []


@pytest.mark.parametrize(
    "status", [MembershipStatus.PENDING, MembershipStatus.SUSPENDED]
)
def test_pending_and_suspended_members_are_not_in(pathway, status):
    user = make_member(pathway)
    mine = membership(user, pathway)
    mine.status = status
    mine.save()
    with pytest.raises(Http404):
        access_pathway(user, pathway.slug)
    assert list(visible_pathways(user)) == []


def test_visible_pathways_lists_only_active_memberships(pathway, other_pathway):
    user = make_member(pathway)
    assert list(visible_pathways(user)) == [pathway]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("capability", list(Capability))
def test_capabilities_follow_the_role_table(pathway, role, capability):
    user = make_member(pathway, role)
    if capability in ROLE_CAPABILITIES[role]:
        granted = access_pathway_capability(user, pathway.slug, capability)
        assert granted.pathway == pathway and granted.role == role
    else:
        with pytest.raises(Http404):
            access_pathway_capability(user, pathway.slug, capability)


def test_capability_in_one_pathway_grants_nothing_in_another(pathway, other_pathway):
    lead = make_member(pathway, Role.LEAD)
    make_member(other_pathway, Role.MEMBER, email="x@example.org")
    for capability in Capability:
        with pytest.raises(Http404):
            access_pathway_capability(lead, other_pathway.slug, capability)


def test_anonymous_has_no_capability(pathway):
    with pytest.raises(Http404):
        access_pathway_capability(AnonymousUser(), pathway.slug, Capability.INVITE)


def test_only_leads_invite_clinicians_and_leads(pathway):
    clinician = membership(make_member(pathway, Role.CLINICIAN), pathway)
    lead = membership(make_member(pathway, Role.LEAD), pathway)
    peer = membership(make_member(pathway, Role.PEER), pathway)
    assert Role.CLINICIAN not in invitable_roles(clinician)
    assert Role.LEAD not in invitable_roles(clinician)
    assert Role.MEMBER in invitable_roles(clinician)
    assert set(invitable_roles(lead)) == set(Role)
    assert invitable_roles(peer) == ()


def test_invitations_are_found_only_inside_their_pathway(pathway, other_pathway):
    invitation = make_invitation(pathway)
    assert access_invitation(pathway, invitation.pk) == invitation
    with pytest.raises(Http404):
        access_invitation(other_pathway, invitation.pk)
    with pytest.raises(Http404):
        access_invitation(pathway, "not-a-number")


def test_join_requests_are_found_only_inside_their_pathway(pathway, other_pathway):
    from community import actions

    pathway.allow_join_requests = True
    pathway.save()
    join_request = actions.do_request_to_join(UserFactory(), pathway)
    assert access_join_request(pathway, join_request.pk) == join_request
    with pytest.raises(Http404):
        access_join_request(other_pathway, join_request.pk)
    with pytest.raises(Http404):
        access_join_request(pathway, None)


@pytest.mark.parametrize(
    ("role", "needs"),
    [
        (Role.MEMBER, False),
        (Role.CARER, False),
        (Role.PEER, True),
        (Role.CLINICIAN, True),
        (Role.LEAD, True),
    ],
)
def test_staff_roles_require_two_factor(pathway, role, needs):
    assert requires_two_factor(make_member(pathway, role)) is needs


def test_site_admins_require_two_factor(db):
    assert requires_two_factor(UserFactory(is_staff=True))
    assert requires_two_factor(UserFactory(is_superuser=True))
    assert not requires_two_factor(AnonymousUser())


# Member content, moderation and people -------------------------------------------


def test_profiles_need_a_shared_pathway_and_no_block(pathway, other_pathway):
    from community.actions import do_block
    from community.permissions import access_profile, has_blocked

    me, them = make_member(pathway), make_member(pathway)
    stranger = make_member(other_pathway)
    assert access_profile(me, them.pk) == them
    assert access_profile(me, me.pk) == me
    for viewer, target in [(me, stranger.pk), (me, 999999), (AnonymousUser(), them.pk)]:
        with pytest.raises(Http404):
            access_profile(viewer, target)
    do_block(them, me)
    assert has_blocked(them, me) and not has_blocked(me, them)
    with pytest.raises(Http404):
        access_profile(me, them.pk)
    assert access_profile(them, me.pk) == me


# Direct messages: who may talk with whom --------------------------------------


def _adults(pathway, **fields):
    return make_member(pathway, **fields), make_member(pathway)


def test_two_adult_members_of_a_pathway_that_allows_it_may_talk(pathway):
    maple, birch = _adults(pathway)
    assert direct_refusal(maple, birch, pathway) is None
    assert direct_refusal(birch, maple, pathway) is None


def test_a_pathway_can_keep_direct_messages_closed(pathway):
    maple, birch = _adults(pathway)
    pathway.direct_messages_allowed = False
    pathway.save()
    assert "turned off" in direct_refusal(maple, birch, pathway)


def test_no_one_talks_directly_with_a_child_or_someone_of_unknown_age(pathway):
    adult = make_member(pathway)
    child = make_member(pathway, date_of_birth=date.today() - timedelta(days=16 * 366))
    unknown = make_member(pathway, date_of_birth=None)
    for other in (child, unknown):
        assert "under 18" in direct_refusal(adult, other, pathway)
        assert "under 18" in direct_refusal(other, adult, pathway)
    # Staff without a date of birth on file are not taken for children.
    clinician = make_member(pathway, Role.CLINICIAN, date_of_birth=None)
    assert direct_refusal(adult, clinician, pathway) is None


def test_a_block_either_way_closes_it_without_naming_the_block(pathway):
    maple, birch = _adults(pathway)
    do_block(birch, maple)
    for one, other in ((maple, birch), (birch, maple)):
        refusal = direct_refusal(one, other, pathway)
        assert "isn't taking direct messages" in refusal and "block" not in refusal


def test_who_can_message_me_is_respected_both_ways(pathway):
    maple, birch = _adults(pathway)
    clinician = make_member(pathway, Role.CLINICIAN)
    birch.message_audience = Audience.STAFF
    birch.save()
    assert direct_refusal(maple, birch, pathway) is not None
    assert direct_refusal(birch, maple, pathway) is not None  # two-way
    assert direct_refusal(clinician, birch, pathway) is None
    birch.message_audience = Audience.NOBODY
    birch.save()
    assert direct_refusal(clinician, birch, pathway) is not None
    assert "Your settings" in direct_refusal(birch, clinician, pathway)


def test_both_must_be_active_members_of_that_pathway(pathway, other_pathway):
    maple, birch = _adults(pathway)
    outsider = make_member(other_pathway)
    assert "not in" in direct_refusal(maple, outsider, pathway)
    Membership.objects.filter(user=birch).update(status=MembershipStatus.SUSPENDED)
    assert "not in" in direct_refusal(maple, birch, pathway)
    assert "yourself" in direct_refusal(maple, maple, pathway)


def test_access_content_asks_a_wall_messages_kind_who_may_read_it(
    pathway, other_pathway
):
    """The access layer names no wing's model: the wall kind's registered
    `readable` and `may_read` hooks keep a removed message and a wall its
    owner closed to the reader out, answered as "not found"."""
    from community.permissions import access_content
    from community.social import actions as social
    from community.social.models import WallPost
    from tests.factories import make_trusted

    owner, writer = make_trusted(pathway), make_trusted(pathway)
    reader = make_member(pathway)
    post = social.do_post_on_wall(writer, owner, pathway, "Hello").obj
    assert access_content(reader, pathway.slug, WallPost, post.pk) == post  # allow
    outsider = make_member(other_pathway)
    for user, pk in [(outsider, post.pk), (reader, 999_999), (reader, "x")]:
        with pytest.raises(Http404):  # not found
            access_content(user, pathway.slug, WallPost, pk)
    owner.wall_audience = Audience.STAFF
    owner.save(update_fields=["wall_audience"])
    with pytest.raises(Http404):  # deny: the owner keeps their wall to staff
        access_content(reader, pathway.slug, WallPost, post.pk)
    clinician = make_member(pathway, Role.CLINICIAN)
    assert access_content(clinician, pathway.slug, WallPost, post.pk) == post
    social.do_remove_wall_post(owner, post)
    with pytest.raises(Http404):  # deny: taken off the wall
        access_content(clinician, pathway.slug, WallPost, post.pk)


def test_mute_words_are_read_once_per_reader_and_forgotten_when_they_change(
    pathway, django_assert_num_queries
):
    """A page asks `visible_content` several times (a wall: messages, replies,
    presents, bio); the reader's mute words are one query, not one each, and
    a word added or removed counts at once."""
    from community.actions import do_add_mute_word, do_remove_mute_word
    from community.forums.models import Topic
    from community.permissions import visible_content
    from tests.community.moderation.posting import post

    reader = make_member(pathway)
    post(pathway, "All about spiders today")
    post(pathway, "A calm walk")

    def titles():
        topics = visible_content(reader, Topic.objects.all(), pathway)
        return sorted(t.body for t in topics)

    assert titles() == ["A calm walk", "All about spiders today"]
    with django_assert_num_queries(1):  # the topics alone: the words are kept
        titles()
    word = do_add_mute_word(reader, "Spiders")
    assert titles() == ["A calm walk"]
    do_remove_mute_word(reader, word.pk)
    assert titles() == ["A calm walk", "All about spiders today"]


def test_a_members_page_skips_the_admin_userbar_and_its_permission_queries(
    client, pathway
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import enrol_totp

    client.force_login(make_member(pathway))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/{pathway.slug}/")
    assert page.status_code == 200
    assert "wagtail-userbar" not in page.content.decode()
    assert not any("auth_permission" in q["sql"] for q in queries.captured_queries)
    # Staff, who may edit the page, still have it.
    lead = make_member(pathway, Role.LEAD)
    enrol_totp(lead)
    client.force_login(lead)
    assert "wagtail-userbar" in client.get(f"/{pathway.slug}/").content.decode()
