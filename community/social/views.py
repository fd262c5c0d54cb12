"""Thin entries for reactions, follows, editing, walls, presents, profiles and
timelines: parse, ask the access layer, call one action, show its answer.
The safety pipeline's requests to rewrite come back as form errors with the
person's text still in the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.actions import SafetyError
from community.audit import audit
from community.forums.permissions import access_topic
from community.forums.queries import unanswered_topics
from community.moderation.forms import submit_member_text, tell_author
from community.moderation.permissions import access_moderated_content
from community.permissions import (
    Capability,
    access_content,
    access_pathway,
    access_pathway_capability,
    access_profile,
    capabilities_by_pathway,
    direct_refusal,
    shared_pathways,
    visible_pathways,
)
from community.queries import relation_to
from community.safety.registry import kind_named
from community.social import actions as social
from community.social import timeline
from community.social.forms import (
    PresentForm,
    PrivacyForm,
    ProfileForm,
    WallPostForm,
    WallReplyForm,
)
from community.social.permissions import (
    access_wall_post,
    can_write_on_wall,
    presents_for,
    profile_text_for,
    wall_posts_for,
    wall_replies_for,
)
from community.social.queries import reactions_to
from community.web.forms import ReplyForm, TopicForm, posted, show_submission_errors

WALL_POSTS_PER_PAGE = 20
RECENT_PRESENTS = 12
EDITABLE_KINDS = {"topic": TopicForm, "reply": ReplyForm, "wall": WallReplyForm}


def _back(request, fallback: str) -> str:
    """The page to return to: a same-site `next`, else `fallback`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() takes a bare word for a view name.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}
    ):
        return wanted
    return fallback


def _kind_or_404(name: str):
    kind = kind_named(name)
    if kind is None:
        raise Http404("No such content")
    return kind


# Reactions, follows, pin and lock ---------------------------------------------------


@require_POST
def react(request, slug, kind, pk):
    """Give or take back a supportive reaction on content the reader can see."""
    content_kind = _kind_or_404(kind)
    obj = access_content(request.user, slug, content_kind.model, pk)
    try:
        social.do_toggle_reaction(request.user, obj, request.POST.get("reaction", ""))
    except SafetyError as error:
        messages.info(request, str(error))
    return redirect(_back(request, content_kind.url(obj)))


@require_POST
def follow(request, slug, pk):
    topic = access_topic(request.user, slug, pk)
    following = request.POST.get("follow") == "1"
    social.do_follow_topic(request.user, topic, following)
    messages.success(
        request,
        _("You'll hear about new replies.")
        if following
        else _("You won't hear about new replies any more."),
    )
    return redirect("community:topic", slug=slug, pk=topic.pk)


@require_POST
def topic_flags(request, slug, pk):
    """A moderator pins/unpins or locks/unlocks a topic."""
    access_pathway_capability(request.user, slug, Capability.MODERATE)
    topic = access_topic(request.user, slug, pk)
    flags = {
        name: request.POST[name] == "1"
        for name in ("pinned", "locked")
        if name in request.POST
    }
    social.do_set_topic_flags(request.user, topic, **flags)
    messages.success(request, _("Saved."))
    return redirect("community:topic", slug=slug, pk=topic.pk)


# Editing ----------------------------------------------------------------------------


def edit(request, slug, kind, pk):
    """The author corrects their post within the edit window."""
    if kind not in EDITABLE_KINDS:
        raise Http404("No such content")
    content_kind = _kind_or_404(kind)
    obj = access_content(request.user, slug, content_kind.model, pk)
    if not social.can_edit(request.user, obj):
        messages.info(
            request,
            _(
                "This can no longer be edited: posts can be changed for a "
                "short time after posting."
            ),
        )
        return redirect(content_kind.url(obj))
    initial = {"body": obj.body, "title": getattr(obj, "title", "")}
    form = EDITABLE_KINDS[kind](posted(request), initial=initial)
    submission = submit_member_text(
        request,
        form,
        lambda data: social.do_edit(request.user, obj, data, get_language()),
    )
    if submission:
        return redirect(content_kind.url(obj))
    return render(
        request,
        "community/edit.html",
        {
            "pathway": obj.pathway,
            "form": form,
            "label": content_kind.label,
            "back": content_kind.url(obj),
        },
    )


def history(request, slug, kind, pk):
    """What a post said before its author edited it (moderators only)."""
    content_kind = _kind_or_404(kind)
    membership = access_pathway_capability(request.user, slug, Capability.MODERATE)
    obj = access_moderated_content(membership, content_kind.model, pk)
    audit(
        request.user,
        "staff.viewed_history",
        pathway=membership.pathway,
        target=obj,
        kind=content_kind.name,
    )
    return render(
        request,
        "community/history.html",
        {
            "pathway": membership.pathway,
            "obj": obj,
            "label": content_kind.label,
            "back": content_kind.url(obj),
            "revisions": social.revisions_of(obj),
        },
    )


def unanswered(request, slug):
    """Topics nobody has replied to yet, longest waiting first (care team)."""
    membership = access_pathway_capability(request.user, slug, Capability.MODERATE)
    page = Paginator(unanswered_topics(request.user, membership.pathway), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/unanswered.html",
        {"pathway": membership.pathway, "page_obj": page},
    )


# Profiles and walls -----------------------------------------------------------------


def profile(request, user_id):
    """A member's profile and wall, for people who share a pathway with them
    and have not been blocked by them: their bio, presents, wall messages with
    replies, and the form to write on the wall."""
    person = access_profile(request.user, user_id)
    is_me = person == request.user
    shared = list(shared_pathways(request.user, person).order_by("name"))
    writable = [p for p in shared if can_write_on_wall(request.user, person, p)]
    form = (
        WallPostForm(posted(request), pathways=writable, own_wall=is_me)
        if writable
        else None
    )
    if form is not None:
        submission = submit_member_text(
            request,
            form,
            lambda data: social.do_post_on_wall(
                request.user,
                person,
                form.chosen_pathway(),
                data["body"],
                milestone=data.get("milestone", False),
                language=get_language(),
            ),
        )
        if submission:
            return redirect(f"{request.path}#wall-{submission.obj.pk}")
    elif request.method == "POST":
        messages.info(request, _("You can't write on this wall."))
    if not is_me and request.method == "GET":
        # Staff looking at a member's profile is on the record, once for each
        # shared pathway they look after (its lead reads the row).
        capabilities = capabilities_by_pathway(request.user)
        for pathway in shared:
            if Capability.MODERATE in capabilities.get(pathway.pk, ()):
                audit(
                    request.user, "staff.viewed_profile", pathway=pathway, target=person
                )
    posts = wall_posts_for(request.user, person).select_related("author", "pathway")
    page = Paginator(posts, WALL_POSTS_PER_PAGE).get_page(request.GET.get("page"))
    replies: dict[int, list] = {}
    for reply in (
        wall_replies_for(request.user, list(page))
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        replies.setdefault(reply.parent_id, []).append(reply)
    posts = list(page)
    return render(
        request,
        "community/profile.html",
        {
            "person": person,
            "pathways": shared,
            "is_me": is_me,
            "bio": profile_text_for(request.user, person),
            "presents": presents_for(request.user, person)
            .select_related("author", "gift", "gift__image", "pathway")
            .order_by("-created_at")[:RECENT_PRESENTS],
            "form": form,
            "page_obj": page,
            "posts": [(post, replies.get(post.pk, [])) for post in posts],
            "reactions": reactions_to(request.user, "wall", posts),
            "editable": {p.pk for p in posts if social.can_edit(request.user, p)},
            "can_send_present": not is_me and bool(shared),
            # Where the two may talk directly (chat opens the conversation).
            "message_pathways": []
            if is_me
            else [p for p in shared if not direct_refusal(request.user, person, p)],
            **relation_to(request.user, person),
        },
    )


@login_required
@require_POST
def wall_reply(request, pk):
    """Reply under a wall message. On a request to rewrite, the form comes
    back on its own page with the text kept."""
    post = access_wall_post(request.user, pk)
    form = WallReplyForm(request.POST)
    try:
        submission = submit_member_text(
            request,
            form,
            lambda data: social.do_post_on_wall(
                request.user,
                post.owner,
                post.pathway,
                data["body"],
                parent=post,
                language=get_language(),
            ),
        )
    except SafetyError as error:
        messages.info(request, str(error))
        return redirect(_wall_url(post.owner_id, post.pk))
    if submission:
        return redirect(_wall_url(post.owner_id, submission.obj.pk))
    return render(
        request,
        "community/wall_reply.html",
        {"post": post, "form": form, "back": _wall_url(post.owner_id, post.pk)},
    )


@login_required
@require_POST
def wall_remove(request, pk):
    post = access_wall_post(request.user, pk)
    try:
        social.check_remove_wall_post(request.user, post.pk)
    except SafetyError as error:
        messages.info(request, str(error))
    else:
        messages.success(request, _("Removed from the wall."))
    return redirect("community:profile", user_id=post.owner_id)


def _wall_url(owner_id: int, pk: int) -> str:
    return f"{reverse('community:profile', kwargs={'user_id': owner_id})}#wall-{pk}"


def send_present(request, user_id):
    """Choose a present and a short note for someone in a shared pathway."""
    person = access_profile(request.user, user_id)
    if person == request.user:
        raise Http404("No such person")
    pathways = list(shared_pathways(request.user, person).order_by("name"))
    gifts = social.gifts_for(pathways[0]) if pathways else None
    data = posted(request)
    if data and data.get("pathway"):
        chosen = next((p for p in pathways if str(p.pk) == data["pathway"]), None)
        gifts = social.gifts_for(chosen) if chosen else gifts
    form = PresentForm(data, pathways=pathways, gifts=gifts)
    submission = submit_member_text(
        request,
        form,
        lambda data: social.do_send_present(
            request.user,
            person,
            form.chosen_pathway(),
            data["gift"],
            data["note"],
            get_language(),
        ),
    )
    if submission:
        return redirect("community:profile", user_id=person.pk)
    return render(
        request,
        "community/send_present.html",
        {"person": person, "form": form},
    )


def picture(request, user_id):
    """A member's uploaded picture, to people who may see their profile."""
    person = access_profile(request.user, user_id)
    if not person.avatar_image:
        raise Http404("No picture")
    response = FileResponse(person.avatar_image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def profile_settings(request):
    """The member's own profile (pronouns, picture, bio) and privacy."""
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    bio = profile_text_for(user, user)
    profile_form = ProfileForm(
        posted(request) if which == "profile" else None,
        request.FILES if which == "profile" else None,
        user=user,
        initial={
            "display_name": user.display_name,
            "pronouns": user.pronouns,
            "avatar": user.avatar,
            "bio": bio.body if bio else "",
        },
    )
    privacy_form = PrivacyForm(
        posted(request) if which == "privacy" else None,
        initial={
            "wall_audience": user.wall_audience,
            "wall_open": user.wall_open,
            "message_audience": user.message_audience,
            "show_presence": user.show_presence,
            "share_read_receipts": user.share_read_receipts,
        },
    )
    if which == "privacy" and privacy_form.is_valid():
        social.do_set_privacy(user, **privacy_form.cleaned_data)
        messages.success(request, _("Your privacy settings are saved."))
        return redirect("community:profile_settings")
    if which == "profile" and profile_form.is_valid():
        data = profile_form.cleaned_data
        try:
            submission = social.do_set_profile(
                user,
                display_name=data["display_name"],
                bio=data["bio"],
                pronouns=data["pronouns"],
                avatar=data["avatar"],
                language=get_language(),
            )
        except SafetyError as error:
            profile_form.add_error(None, str(error))
            submission = None
        if submission is not None and submission.needs_rewrite:
            show_submission_errors(profile_form, submission)
        elif not profile_form.errors:
            if data["remove_picture"]:
                social.do_set_avatar_image(user, None)
            elif data["picture"]:
                social.do_set_avatar_image(user, data["picture"])
            if submission is not None and (
                submission.verdict.messages or submission.verdict.show_crisis_contacts
            ):
                tell_author(request, submission)  # held, or signs of risk
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("community:profile", user_id=user.pk)
    return render(
        request,
        "community/profile_settings.html",
        {"profile_form": profile_form, "privacy_form": privacy_form, "person": user},
    )


# Timelines --------------------------------------------------------------------------


def pathway_timeline(request, slug):
    """What's new in one pathway, newest first, paged by cursor."""
    pathway = access_pathway(request.user, slug)
    items, more = timeline.entries(request.user, [pathway], request.GET.get("before"))
    return render(
        request,
        "community/timeline.html",
        {"pathway": pathway, "entries": items, "next_cursor": more},
    )


@login_required
def feed(request):
    """The member's home feed across all their pathways."""
    items, more = timeline.entries(
        request.user, visible_pathways(request.user), request.GET.get("before")
    )
    return render(
        request,
        "community/timeline.html",
        {"pathway": None, "entries": items, "next_cursor": more},
    )
