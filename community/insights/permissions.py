"""The insights wing's part of the access layer: which pathways' figures a
person may read. A service lead reads their own pathways'; a site
administrator reads every pathway's and the trust's overview; anyone else
is answered "not found", as for a page that does not exist (decision 2), so
a stranger learns nothing of which pathways exist.

Two-factor is not asked here: community.web.middleware sends staff (leads
and site administrators alike) to enrol before any page but the account
pages, as it does for the moderation queue and the rota."""

from django.db.models import QuerySet
from django.http import Http404

from community.models import Membership, MembershipStatus, Pathway, Role, User


def insight_pathways(user: User) -> QuerySet[Pathway]:
    """The pathways whose insights `user` may read, by name: every pathway
    for a site administrator, those they actively lead for a service lead,
    none for anyone else (signed out included)."""
    if not user.is_authenticated:
        return Pathway.objects.none()
    if user.is_superuser:
        return Pathway.objects.order_by("name")
    led = Membership.objects.filter(
        user=user, role=Role.LEAD, status=MembershipStatus.ACTIVE
    ).values("pathway")
    return Pathway.objects.filter(pk__in=led).order_by("name")


def access_insights(user: User, slug: str) -> Pathway:
    """The pathway `slug` if `user` may read its insights (`insight_pathways`);
    Http404 alike for a missing pathway and another's."""
    pathway = insight_pathways(user).filter(slug=slug).first()
    if pathway is None:
        raise Http404("No such pathway")
    return pathway


def access_overview(user: User) -> QuerySet[Pathway]:
    """Every pathway, for the trust's overview, if `user` is a site
    administrator; Http404 for anyone else (a lead of every pathway
    included: the overview is the trust's)."""
    if not (user.is_authenticated and user.is_superuser):
        raise Http404("No such page")
    return insight_pathways(user)
