"""The social wing's part of the access layer: who may see and write on a
wall, read its messages, presents and profile text, and remove a wall
message. Built on the core's rules (community/permissions.py:
`visible_content`, `shared_pathways`, `has_blocked`)."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from community.actions import Refused
from community.inputs import with_id
from community.models import (
    STAFF_ROLES,
    Audience,
    Membership,
    MembershipStatus,
    Pathway,
    User,
)
from community.permissions import (
    active_memberships,
    has_blocked,
    shared_pathways,
    visible_content,
    visible_pathways,
)
from community.social.models import Present, ProfileText, WallPost


def _is_staff_in_any(user: User, pathways: QuerySet[Pathway]) -> bool:
    return (
        active_memberships(user)
        .filter(pathway__in=pathways, role__in=STAFF_ROLES)
        .exists()
    )


def can_see_wall(viewer: User, owner: User) -> bool:
    """The owner always; else someone who may see the owner's profile and whom
    the owner's "who can see my wall" allows (everyone in a shared pathway, or
    only the care team of one)."""
    if viewer == owner:
        return True
    if owner.wall_audience == Audience.MEMBERS:
        return True
    if owner.wall_audience == Audience.STAFF:
        return _is_staff_in_any(viewer, shared_pathways(viewer, owner))
    return False


def can_write_on_wall(user: User, owner: User, pathway: Pathway) -> bool:
    """`user` may write on `owner`'s wall in `pathway`: both active members of
    it, not blocked by the owner, and the wall open and visible to `user`
    (the owner may always write on their own wall)."""
    both = Membership.objects.filter(
        pathway=pathway, status=MembershipStatus.ACTIVE, user__in=[user, owner]
    ).count() == (1 if user == owner else 2)
    if not both:
        return False
    if user == owner:
        return True
    return (
        owner.wall_open and not has_blocked(owner, user) and can_see_wall(user, owner)
    )


def wall_posts_for(viewer: User, owner: User) -> QuerySet[WallPost]:
    """Top-level messages on `owner`'s wall that `viewer` may read: in a
    pathway the viewer is in (see `visible_content`), not removed by the
    owner. Empty when the owner's wall is closed to the viewer."""
    if not can_see_wall(viewer, owner):
        return WallPost.objects.none()
    return visible_content(
        viewer,
        WallPost.objects.filter(owner=owner, parent=None, removed_by_owner_at=None),
        visible_pathways(viewer),
    )


def wall_replies_for(
    viewer: User, parents: Iterable[WallPost] | QuerySet[WallPost]
) -> QuerySet[WallPost]:
    """Replies under `parents` that `viewer` may read."""
    return visible_content(
        viewer,
        WallPost.objects.filter(parent__in=parents, removed_by_owner_at=None),
        visible_pathways(viewer),
    )


def access_wall_post(user: User, pk: object) -> WallPost:
    """A wall message `user` may read (to reply under or remove); else Http404
    (for the anonymous too)."""
    if not user.is_authenticated:
        raise Http404("No such message")
    readable = visible_content(
        user,
        WallPost.objects.filter(removed_by_owner_at=None),
        visible_pathways(user),
    ).select_related("owner", "pathway", "author")
    post = with_id(readable, pk).first()
    if post is None or not can_see_wall(user, post.owner):
        raise Http404("No such message")
    return post


def presents_for(viewer: User, recipient: User) -> QuerySet[Present]:
    """Presents to `recipient` that `viewer` may see on their wall."""
    if not can_see_wall(viewer, recipient):
        return Present.objects.none()
    return visible_content(
        viewer, Present.objects.filter(recipient=recipient), visible_pathways(viewer)
    )


def profile_text_for(viewer: User, person: User) -> ProfileText | None:
    """`person`'s bio as the viewer may read it: from a pathway they share."""
    return (
        visible_content(
            viewer, ProfileText.objects.filter(author=person), visible_pathways(viewer)
        )
        .order_by("-created_at")
        .first()
    )


def access_removable_wall_post(user: User, pk: object) -> WallPost:
    """Wall message `pk` for its wall's owner or its writer, to take it off
    the wall. Http404, as `access_wall_post`, when `user` may not read it
    (missing, already removed, another pathway's, a wall closed to them);
    Refused when they may read it but it is neither their wall nor their
    message (nothing leaks: they can see it)."""
    post = access_wall_post(user, pk)
    if user.pk not in (post.owner_id, post.author_id):
        raise Refused(_("Only the wall's owner or the writer can remove this."))
    return post
