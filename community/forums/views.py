"""Thin entries for forums and reporting: parse, ask the access layer, call
one action, show its answer. The safety pipeline's requests to rewrite come
back as form errors with the person's text still in the form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community.actions import SafetyError
from community.forums import actions as forums
from community.forums.live import new_replies
from community.forums.permissions import access_forum, access_topic
from community.forums.queries import (
    follows_topic,
    forums_of,
    replies_to,
    reply_counts,
    topics_in,
)
from community.inputs import whole_number
from community.moderation.cases import do_report
from community.moderation.forms import ReportForm, submit_member_text
from community.permissions import (
    Capability,
    access_content,
    access_pathway,
    has_capability,
)
from community.safety.registry import kind_named
from community.social import actions as social
from community.social.queries import reactions_to
from community.web.forms import ReplyForm, TopicForm, posted

TOPICS_PER_PAGE = 20
REPLIES_PER_PAGE = 30


def forum_list(request, slug):
    pathway = access_pathway(request.user, slug)
    return render(
        request,
        "community/forum_list.html",
        {"pathway": pathway, "forums": forums_of(pathway)},
    )


def forum(request, slug, forum_slug):
    """A forum's topics, newest activity first, and the form to start one."""
    forum = access_forum(request.user, slug, forum_slug)
    form = TopicForm(posted(request))
    submission = submit_member_text(
        request,
        form,
        lambda data: forums.do_start_topic(
            request.user, forum, data["title"], data["body"], get_language()
        ),
    )
    if submission:
        return redirect("community:topic", slug=slug, pk=submission.obj.pk)
    topics = topics_in(request.user, forum)
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(
        request,
        "community/forum.html",
        {
            "pathway": forum.pathway,
            "forum": forum,
            "page_obj": page,
            "form": form,
            "reply_counts": reply_counts(page.object_list),
        },
    )


def topic(request, slug, pk):
    """A topic and its replies with their reactions, and the form to reply
    (prefilled with a quote when `?quote=` names a reply or the topic)."""
    topic = access_topic(request.user, slug, pk)
    quote = quoted(request.user, topic, request.GET.get("quote"))
    form = ReplyForm(posted(request), initial={"body": quote})
    submission = submit_member_text(
        request,
        form,
        lambda data: forums.do_reply(request.user, topic, data["body"], get_language()),
    )
    if submission:
        return redirect(f"{request.path}?page=last#reply-{submission.obj.pk}")
    replies = replies_to(request.user, topic)
    paginator = Paginator(replies, REPLIES_PER_PAGE)
    wanted = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if wanted == "last" else wanted)
    shown = list(page)
    return render(
        request,
        "community/topic.html",
        {
            **replies_context(request.user, topic, shown),
            "page_obj": page,
            "form": form,
            "following": follows_topic(request.user, topic),
            "topic_reactions": reactions_to(request.user, "topic", [topic])[topic.pk],
            "topic_editable": social.can_edit(request.user, topic),
            "last_reply_id": max((r.pk for r in shown), default=0),
            # The live page's catch-up asks from here, so a held reply
            # approved later (an older id) still finds its place on it.
            "live_floor": 0
            if page.number == 1
            else min((r.pk for r in shown), default=1) - 1,
        },
    )


def topic_replies(request, slug, pk):
    """The replies after `?after=<id>` the reader may see, as the topic page
    draws them (templates/community/topic_reply.html): the live topic's
    fetch (community/forums/live.py). An HTML fragment, never member HTML:
    the same escaping as the page."""
    topic = access_topic(request.user, slug, pk)
    after = whole_number(request.GET.get("after")) or 0
    replies, more = new_replies(request.user, topic, after)
    return render(
        request,
        "community/topic_replies.html",
        {**replies_context(request.user, topic, replies), "more": more},
    )


def replies_context(reader, topic, shown) -> dict:
    """What drawing `shown` (replies of `topic`) needs, for the page and the
    live fetch alike."""
    return {
        "pathway": topic.pathway,
        "topic": topic,
        "can_moderate": has_capability(reader, topic.pathway, Capability.MODERATE),
        "reactions": reactions_to(reader, "reply", shown),
        "editable": {r.pk for r in shown if social.can_edit(reader, r)},
        "replies": shown,
    }


def quoted(reader, topic, wanted) -> str:
    """A visible reply (or, for "topic", the topic) as a quote to reply
    with; empty when there is nothing to quote."""
    if not wanted:
        return ""
    source = topic
    if wanted != "topic":
        source = replies_to(reader, topic).filter(pk=whole_number(wanted)).first()
    if source is None:
        return ""
    lines = "\n".join(f"> {line}" for line in source.body.splitlines()[:8])
    return f"> {source.author.display_name}:\n{lines}\n\n"


def report(request, slug, kind, pk):
    """Report a piece of content the reader can see, into the moderation queue."""
    content_kind = kind_named(kind)
    if content_kind is None:
        raise Http404("No such content")
    obj = access_content(request.user, slug, content_kind.model, pk)
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_report(
                request.user,
                obj,
                form.cleaned_data["reason"],
                form.cleaned_data["detail"],
            )
        except SafetyError as error:
            messages.info(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Thank you for telling us. A moderator will look at it, and "
                    "we'll let you know what happened."
                ),
            )
        obj.refresh_from_db(fields=["status"])
        if obj.is_published:
            return redirect(content_kind.url(obj))
        return redirect("community:forums", slug=slug)
    return render(
        request,
        "community/report.html",
        {
            "pathway": obj.pathway,
            "form": form,
            "label": content_kind.label,
            "back": content_kind.url(obj),
        },
    )
