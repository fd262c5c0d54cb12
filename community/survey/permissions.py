"""The survey's part of the access layer: who may answer it where."""

from django.http import Http404

from community.models import Membership, User
from community.permissions import membership_by_slug


def access_survey(user: User, slug: str) -> Membership:
    """The user's active membership of pathway `slug` in which they may
    answer the survey: a member or a carer there, never staff (a peer
    supporter, clinician or lead of that pathway) and never a site
    administrator. Else Http404, alike for a pathway that is missing, not
    theirs, or one they work in, so nothing says which pathways exist."""
    membership = membership_by_slug(user, slug)
    if membership.is_staff_role or user.is_staff or user.is_superuser:
        raise Http404("No such pathway")
    return membership
