"""Business rules: memberships and their groups, invitations, join requests,
the audit rows staff actions leave, and blocks, mutes and mute words (a
pathway's Wagtail side: tests/home/test_pathways.py)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from community import actions
from community.actions import (
    InvitationError,
    SafetyError,
    do_add_mute_word,
    do_block,
    do_mute,
    do_remove_mute_word,
    do_unblock,
    do_unmute,
)
from community.forums.models import Topic
from community.models import (
    AuditEvent,
    Invitation,
    JoinRequest,
    Membership,
    MembershipStatus,
    PathwayGroup,
    Role,
)
from community.permissions import visible_content
from tests.community.moderation.posting import post
from tests.factories import (
    UserFactory,
    make_invitation,
    make_member,
    make_trusted,
    membership,
)

pytestmark = pytest.mark.django_db


# Memberships and groups -------------------------------------------------------


def group_roles(user, pathway):
    return set(
        PathwayGroup.objects.filter(pathway=pathway, group__user=user).values_list(
            "role", flat=True
        )
    )


def test_groups_follow_role_and_status_changes(pathway):
    user = make_member(pathway, Role.MEMBER)
    assert group_roles(user, pathway) == {Role.MEMBER}

    actions.do_add_membership(user, pathway, Role.PEER)
    assert group_roles(user, pathway) == {Role.PEER}

    mine = membership(user, pathway)
    mine.status = MembershipStatus.SUSPENDED
    mine.save()
    assert group_roles(user, pathway) == set()

    mine.status = MembershipStatus.ACTIVE
    mine.save()
    assert group_roles(user, pathway) == {Role.PEER}

    mine.delete()
    assert group_roles(user, pathway) == set()


def test_groups_of_one_pathway_leave_another_untouched(pathway, other_pathway):
    user = make_member(pathway, Role.CARER)
    actions.do_add_membership(user, other_pathway, Role.MEMBER)
    membership(user, pathway).delete()
    assert group_roles(user, other_pathway) == {Role.MEMBER}
    assert group_roles(user, pathway) == set()


# Invitations ----------------------------------------------------------------


def test_clinician_creates_a_single_invitation(pathway):
    clinician = membership(make_member(pathway, Role.CLINICIAN), pathway)
    [invitation] = actions.do_create_invitations(clinician, role=Role.MEMBER, days=7)
    assert invitation.pathway == pathway
    assert invitation.created_by == clinician.user
    assert invitation.batch is None
    assert invitation.state == "open"
    assert timedelta(days=6) < invitation.expires_at - timezone.now() <= timedelta(7)
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == clinician.user and event.data["count"] == 1


def test_a_batch_shares_one_batch_id_and_unique_codes(pathway):
    lead = membership(make_member(pathway, Role.LEAD), pathway)
    batch = actions.do_create_invitations(lead, role=Role.MEMBER, count=25)
    assert len({i.code for i in batch}) == 25
    assert len({i.batch for i in batch}) == 1 and batch[0].batch is not None


@pytest.mark.parametrize("count", [0, 501])
def test_batch_size_is_bounded(pathway, count):
    lead = membership(make_member(pathway, Role.LEAD), pathway)
    with pytest.raises(InvitationError):
        actions.do_create_invitations(lead, role=Role.MEMBER, count=count)
    assert not Invitation.objects.exists()


def test_clinician_cannot_invite_a_lead(pathway):
    clinician = membership(make_member(pathway, Role.CLINICIAN), pathway)
    with pytest.raises(InvitationError):
        actions.do_create_invitations(clinician, role=Role.LEAD)
    assert not Invitation.objects.exists()


def test_redeeming_makes_a_membership_and_uses_the_code(pathway):
    invitation = make_invitation(pathway, Role.CARER)
    user = UserFactory()
    created = actions.do_redeem_invitation(user, invitation.code.lower())
    assert (created.role, created.status) == (Role.CARER, MembershipStatus.ACTIVE)
    invitation.refresh_from_db()
    assert invitation.used_by == user and invitation.state == "used"
    assert AuditEvent.objects.filter(action="invitation.redeem", actor=user).exists()


def test_codes_are_forgiving_of_case_spaces_and_dashes(pathway):
    invitation = make_invitation(pathway, code="ABCDEFGHJK")
    assert actions.check_invitation_code(" abcde-fghjk ") == invitation


@pytest.mark.parametrize("setup", ["used", "expired", "revoked", "forged"])
def test_every_unusable_code_gets_the_same_words(pathway, setup):
    """Used, expired, withdrawn or never made: one message, so a guesser
    cannot tell a real code from a forged one."""
    message = "We couldn't use that invitation code"
    invitation = make_invitation(pathway)
    code = invitation.code
    if setup == "used":
        actions.do_redeem_invitation(UserFactory(), code)
    elif setup == "expired":
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
        invitation.save()
    elif setup == "revoked":
        invitation.revoked_at = timezone.now()
        invitation.save()
    else:
        code = "ZZZZZZZZZZ"
    newcomer = UserFactory()
    with pytest.raises(InvitationError, match=message):
        actions.do_redeem_invitation(newcomer, code)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_invitation_expires_exactly_when_it_says(pathway):
    invitation = make_invitation(pathway)
    with time_machine.travel(invitation.expires_at - timedelta(seconds=1)):
        assert actions.check_invitation_code(invitation.code) == invitation
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        with pytest.raises(InvitationError, match="couldn't use that"):
            actions.check_invitation_code(invitation.code)


def test_too_young_for_the_pathway_is_told_kindly(pathway):
    pathway.minimum_age = 18
    pathway.save()
    invitation = make_invitation(pathway)
    young = UserFactory(date_of_birth=date.today().replace(year=date.today().year - 15))
    with pytest.raises(InvitationError, match="aged 18 or over"):
        actions.do_redeem_invitation(young, invitation.code)
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_a_suspended_member_cannot_rejoin_with_a_new_code(pathway):
    user = make_member(pathway)
    mine = membership(user, pathway)
    mine.status = MembershipStatus.SUSPENDED
    mine.save()
    with pytest.raises(InvitationError, match="paused"):
        actions.do_redeem_invitation(user, make_invitation(pathway).code)
    assert membership(user, pathway).status == MembershipStatus.SUSPENDED


def test_redeeming_a_staff_invitation_upgrades_the_role(pathway):
    user = make_member(pathway, Role.MEMBER)
    actions.do_redeem_invitation(user, make_invitation(pathway, Role.PEER).code)
    assert membership(user, pathway).role == Role.PEER


def test_revoking_closes_the_code_and_is_audited(pathway):
    clinician = membership(make_member(pathway, Role.CLINICIAN), pathway)
    [invitation] = actions.do_create_invitations(clinician, role=Role.MEMBER)
    actions.do_revoke_invitation(clinician, invitation)
    with pytest.raises(InvitationError, match="couldn't use that"):
        actions.check_invitation_code(invitation.code)
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


# Join requests --------------------------------------------------------------


def test_pathways_closed_to_requests_refuse_them(pathway):
    with pytest.raises(InvitationError, match="invitation only"):
        actions.do_request_to_join(UserFactory(), pathway)


def test_request_waits_then_approval_makes_an_active_member(pathway):
    pathway.allow_join_requests = True
    pathway.save()
    user = UserFactory()
    join_request = actions.do_request_to_join(user, pathway, "My GP suggested it")
    assert membership(user, pathway).status == MembershipStatus.PENDING

    clinician = membership(make_member(pathway, Role.CLINICIAN), pathway)
    actions.do_decide_join_request(clinician, join_request, approve=True)
    assert membership(user, pathway).status == MembershipStatus.ACTIVE
    join_request.refresh_from_db()
    assert join_request.decision == JoinRequest.Decision.APPROVED
    assert join_request.decided_by == clinician.user
    event = AuditEvent.objects.get(action="join_request.approve")
    assert "GP" not in str(event.data) and event.reason == ""  # no member text


def test_declining_removes_the_pending_membership(pathway):
    pathway.allow_join_requests = True
    pathway.save()
    user = UserFactory()
    join_request = actions.do_request_to_join(user, pathway)
    clinician = membership(make_member(pathway, Role.CLINICIAN), pathway)
    actions.do_decide_join_request(clinician, join_request, approve=False)
    assert not Membership.objects.filter(user=user, pathway=pathway).exists()
    with pytest.raises(InvitationError):
        actions.check_invitation_code("")


def test_asking_twice_is_refused(pathway):
    pathway.allow_join_requests = True
    pathway.save()
    user = UserFactory()
    actions.do_request_to_join(user, pathway)
    with pytest.raises(InvitationError, match="already asked"):
        actions.do_request_to_join(user, pathway)


def test_settings_changes_are_audited_by_field_name(pathway):
    lead = make_member(pathway, Role.LEAD)
    pathway.minimum_age = 18
    actions.do_update_pathway_settings(lead, pathway, ["minimum_age"])
    event = AuditEvent.objects.get(action="pathway.settings")
    assert event.actor == lead and event.data == {"fields": ["minimum_age"]}


# Display names chosen at the same moment ------------------------------------------


def test_a_look_alike_name_taken_since_the_form_was_checked_gets_a_number(pathway):
    """Two sign-ups can both pass the look-alike check; the unique skeleton
    refused the second with a server error and the new member saw a 500."""
    make_member(pathway, display_name="Ash Hill")
    newcomer = make_member(pathway, display_name="Someone New")
    given = actions.do_claim_display_name(newcomer, "Ash HiII")  # capital i
    newcomer.refresh_from_db()
    assert given == "Ash HiII 2" and newcomer.display_name == "Ash HiII 2"


def test_renaming_to_a_name_taken_in_the_same_moment_is_a_kind_error(pathway):
    from django.core.exceptions import ValidationError

    make_member(pathway, display_name="River Song")
    renamer = make_member(pathway, display_name="Pond")
    with pytest.raises(ValidationError) as raised:
        actions.do_save_display_name(renamer, "river song")
    assert "looks just like it" in raised.value.messages[0]
    renamer.refresh_from_db()
    assert renamer.display_name == "Pond"


# Blocks, mutes and mute words keep what a member reads free of what they chose
# not to see. ----------------------------------------------------------------


def test_blocks_mutes_and_mute_words_leave_content_out_of_what_i_read(pathway):
    reader = make_member(pathway)
    blocked, muted, other = (make_trusted(pathway) for _ in range(3))
    post(pathway, "from the blocked one", author=blocked)
    post(pathway, "from the muted one", author=muted)
    post(pathway, "I had a panic attack on the bus", author=other)
    post(pathway, "A calm walk today", author=other)
    do_block(reader, blocked)
    do_mute(reader, muted)
    do_add_mute_word(reader, "  Panic ATTACK ")
    seen = visible_content(reader, Topic.objects.all(), pathway)
    assert [t.body for t in seen] == ["A calm walk today"]
    do_unblock(reader, blocked)
    do_unmute(reader, muted)
    do_remove_mute_word(reader, reader.mute_words.get().pk)
    assert visible_content(reader, Topic.objects.all(), pathway).count() == 4


def test_no_one_blocks_or_mutes_themselves_and_mute_words_are_bounded(pathway):
    reader = make_member(pathway)
    with pytest.raises(SafetyError):
        do_block(reader, reader)
    with pytest.raises(SafetyError):
        do_mute(reader, reader)
    with pytest.raises(SafetyError):
        do_add_mute_word(reader, "   ")
    with pytest.raises(SafetyError):
        do_add_mute_word(reader, "x" * 61)


# Easy read: a pathway's default and the member's own choice -------------------


def test_joining_a_pathway_with_easy_read_by_default_turns_it_on(db):
    from tests.factories import make_pathway

    easy = make_pathway("Learning disabilities", easy_read_by_default=True)
    member = make_member(easy)
    carer = make_member(easy, Role.CARER)
    member.refresh_from_db()
    carer.refresh_from_db()
    assert member.easy_read and carer.easy_read
    # A default, not a choice: the member has not chosen yet.
    assert not member.easy_read_chosen


def test_easy_read_stays_off_in_other_pathways_and_for_staff(pathway):
    from tests.factories import make_pathway

    easy = make_pathway("Learning disabilities", easy_read_by_default=True)
    member = make_member(pathway)
    clinician = make_member(easy, Role.CLINICIAN)
    member.refresh_from_db()
    clinician.refresh_from_db()
    assert not member.easy_read
    assert not clinician.easy_read


def test_joining_never_overrides_a_members_own_choice(pathway):
    from tests.factories import make_pathway

    member = make_member(pathway)
    actions.do_set_easy_read(member, False)
    easy = make_pathway("Learning disabilities", easy_read_by_default=True)
    actions.do_add_membership(member, easy, Role.MEMBER)
    member.refresh_from_db()
    assert not member.easy_read and member.easy_read_chosen


def test_an_invitation_or_a_join_request_applies_the_default(db):
    from tests.factories import make_pathway

    easy = make_pathway(
        "Learning disabilities", easy_read_by_default=True, allow_join_requests=True
    )
    invited = UserFactory(date_of_birth=date(1990, 1, 1))
    actions.do_redeem_invitation(invited, make_invitation(easy).code)
    asking = UserFactory(date_of_birth=date(1990, 1, 1))
    actions.do_request_to_join(asking, easy)
    invited.refresh_from_db()
    asking.refresh_from_db()
    assert invited.easy_read and asking.easy_read


def test_do_set_easy_read_records_the_choice_either_way(pathway):
    member = make_member(pathway)
    actions.do_set_easy_read(member, True)
    member.refresh_from_db()
    assert member.easy_read and member.easy_read_chosen
    actions.do_set_easy_read(member, False)
    member.refresh_from_db()
    assert not member.easy_read and member.easy_read_chosen
