"""The social wing's kinds of member content (wall messages, present notes,
bios), registered with the safety mechanism (connected by community/apps.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.safety.registry import register
from community.social import actions as social
from community.social.models import Present, ProfileText, WallPost
from community.social.permissions import can_see_wall


def profile_url(user_id: int) -> str:
    return reverse("community:profile", kwargs={"user_id": user_id})


def readable_wall_posts(user, posts):
    """A message its wall's owner took off is gone for readers."""
    return posts.filter(removed_by_owner_at=None).select_related("owner")


def may_read_wall_post(user, post) -> bool:
    """The owner chooses who may see their wall at all."""
    return can_see_wall(user, post.owner)


register(
    WallPost,
    name="wall",
    label=_("wall message"),
    url=lambda post: f"{profile_url(post.owner_id)}#wall-{post.pk}",
    published=social.after_wall_post_published,
    readable=readable_wall_posts,
    may_read=may_read_wall_post,
)
register(
    Present,
    name="present",
    label=_("present note"),
    url=lambda present: f"{profile_url(present.recipient_id)}#present-{present.pk}",
    published=social.after_present_published,
)
register(
    ProfileText,
    name="bio",
    label=_("profile text"),
    url=lambda bio: profile_url(bio.author_id),
)
