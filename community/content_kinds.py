"""The kinds of member content this app registers with the safety mechanism.
Other apps (comments, chat) register theirs the same way."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Reply, Topic
from .safety.registry import register


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
)
register(Reply, name="reply", label=_("forum reply"), url=reply_url)
