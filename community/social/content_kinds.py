"""The social wing's kinds of member content (wall messages, present notes,
bios), registered with the safety mechanism (connected by community/apps.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models import Present, ProfileText, WallPost
from community.safety.registry import register
from community.social import actions as social


def profile_url(user_id: int) -> str:
    return reverse("community:profile", kwargs={"user_id": user_id})


register(
    WallPost,
    name="wall",
    label=_("wall message"),
    url=lambda post: f"{profile_url(post.owner_id)}#wall-{post.pk}",
    published=social.after_wall_post_published,
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
