"""The forums wing's kinds of member content, registered with the safety
mechanism (connected by community/apps.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.forums import live
from community.forums.models import Reply, Topic
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
    published=live.after_reply_published,
)
