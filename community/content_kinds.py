"""The kinds of member content this app registers with the safety mechanism.
Other apps (comments, chat) register theirs the same way."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models import Present, ProfileText, Reply, Topic, WallPost
from community.safety.registry import register
from community.social import actions as social


def topic_url(topic: Topic) -> str:
    return reverse(
        "community:topic", kwargs={"slug": topic.pathway.slug, "pk": topic.pk}
    )


def reply_url(reply: Reply) -> str:
    return f"{topic_url(reply.topic)}#reply-{reply.pk}"


register(
    Topic,
    name="topic",
    label=_("forum topic"),
    url=topic_url,
    text=lambda topic: f"{topic.title}\n\n{topic.body}",
    published=social.after_topic_published,
)
register(
    Reply,
    name="reply",
    label=_("forum reply"),
    url=reply_url,
    published=social.after_reply_published,
)


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
