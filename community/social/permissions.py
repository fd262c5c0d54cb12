"""The social wing's part of the access layer: what a person may do with a
wall message beyond reading it (who may read one is the core's rule,
community.permissions.access_wall_post)."""

from django.utils.translation import gettext as _

from community.models import User, WallPost
from community.moderation.errors import Refused
from community.permissions import access_wall_post


def access_removable_wall_post(user: User, pk) -> WallPost:
    """Wall message `pk` for its wall's owner or its writer, to take it off
    the wall. Http404, as `access_wall_post`, when `user` may not read it
    (missing, already removed, another pathway's, a wall closed to them);
    Refused when they may read it but it is neither their wall nor their
    message (nothing leaks: they can see it)."""
    post = access_wall_post(user, pk)
    if user.pk not in (post.owner_id, post.author_id):
        raise Refused(_("Only the wall's owner or the writer can remove this."))
    return post
