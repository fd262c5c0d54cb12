"""The safety plan's part of the access layer: whose plan a person may write
and read. A plan is its owner's; the one clinician they share it with reads
it while both still belong to the pathway it was shared in. Everyone else,
other staff and other pathways' staff included, gets "not found"."""

from django.db.models import QuerySet
from django.http import Http404

from community.inputs import with_id
from community.models import Membership, MembershipStatus, Role, User
from community.permissions import active_memberships
from community.safetyplan.models import SafetyPlan

# Who a plan may be shared with: clinicians, who plan safety with people as
# part of their care (not peer supporters, not leads as such).
SHARE_ROLES = frozenset({Role.CLINICIAN})


def may_have_plan(user: User) -> bool:
    """True for a signed-in person with an active membership somewhere, in
    any role: staff are people too (many peer supporters were members)."""
    return bool(user.is_authenticated) and active_memberships(user).exists()


def access_own_plan(user: User) -> SafetyPlan:
    """The user's own plan (unsaved when they have not written one yet): any
    signed-in person with an active membership of a pathway, in any role.
    Else Http404 (signed out, or no pathway): nothing to say there is such a
    page for them."""
    if not may_have_plan(user):
        raise Http404("No safety plan here")
    return SafetyPlan.objects.filter(owner=user).first() or SafetyPlan(owner=user)


def share_choices(user: User) -> QuerySet[Membership]:
    """The memberships a person may share their plan through: the active
    clinicians of the pathways they belong to (never themselves), by name
    and pathway."""
    pathways = active_memberships(user).values("pathway")
    return (
        Membership.objects.filter(
            pathway__in=pathways,
            status=MembershipStatus.ACTIVE,
            role__in=SHARE_ROLES,
            user__is_active=True,
        )
        .exclude(user=user)
        .select_related("user", "pathway")
        .order_by("user__display_name", "pathway__name")
    )


def access_share_choice(user: User, pk: object) -> Membership:
    """One of `share_choices(user)` by id; Http404 for any other, alike for
    a missing one and another pathway's clinician."""
    membership = with_id(share_choices(user), pk).first()
    if membership is None:
        raise Http404("No such clinician")
    return membership


def share_holds(plan: SafetyPlan) -> bool:
    """True while the plan's share still counts: the clinician is an active
    clinician of the pathway it was shared in and the owner still active
    there. A share whose people left lapses without a write."""
    if plan.shared_with_id is None or plan.shared_in_id is None:
        return False
    rows = Membership.objects.filter(
        pathway_id=plan.shared_in_id, status=MembershipStatus.ACTIVE
    )
    return (
        rows.filter(user_id=plan.shared_with_id, role__in=SHARE_ROLES).exists()
        and rows.filter(user_id=plan.owner_id).exists()
    )


def plans_shared_with(user: User) -> list[SafetyPlan]:
    """The plans shared with `user` whose share still holds, by owner name."""
    if not user.is_authenticated:
        return []
    plans = (
        SafetyPlan.objects.filter(shared_with=user)
        .select_related("owner", "shared_in")
        .order_by("owner__display_name")
    )
    return [plan for plan in plans if share_holds(plan)]


def access_shared_plan(user: User, pk: object) -> SafetyPlan:
    """The plan `pk` if it is shared with `user` and the share holds; else
    Http404, alike for a plan that is missing, not shared, shared with
    someone else, or shared in a pathway one of them has left."""
    if not user.is_authenticated:
        raise Http404("No such plan")
    plan = (
        with_id(SafetyPlan.objects.filter(shared_with=user), pk)
        .select_related("owner", "shared_in")
        .first()
    )
    if plan is None or not share_holds(plan):
        raise Http404("No such plan")
    return plan
