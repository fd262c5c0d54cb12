"""The Wagtail admin, as pathway staff see it: nothing of another pathway.

Wagtail's own permissions already keep pathway staff to their pathway's page
subtree and collection for what they may *change*; but many admin views look an
object up before they check permission (answering "no permission" for another
pathway's page and "not found" for a missing one), and some lists, reports and
drop-downs show every pathway's titles and people. So, for anyone in the admin
who is not a site administrator (superuser):

- `visible_in_admin(user, obj)` says whether an object belongs to a pathway
  they are not in (a page under its landing page, a file in its collection,
  its groups, staff, workflow, tasks, crisis contacts...);
- `keep_to_own_pathways`, around every admin view (cms/urls.py), hands the
  view a missing object's identifier in place of such an object's, in its
  path or, for bulk actions, in its `id` list, so it answers exactly as for a
  missing one; and takes away the views that cannot be narrowed (reports,
  form submissions, page-type listings, the task chooser, choosers of snippets
  they have no permission on);
- the querysets of lists (the admin API, choosers' collections and tags) are
  narrowed with `collection_items_visible_to` and friends, through Wagtail's
  hooks (home/wagtail_hooks.py).

Site administrators manage every pathway in the admin (decision 0002)."""

import json
from functools import wraps

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from wagtail.utils.urlpatterns import decorate_urlpatterns

from community.models import CrisisContact, Pathway, PathwayGroup, User
from community.permissions import visible_pathways
from community.social.models import Gift

from .permissions import can_view_page, pages_visible_to, pathway_of_collection

# Admin views that list across pathways with no hook to narrow them (their
# filters name every pathway's staff and workflows; reports show page titles):
# pathway staff do without them. Routes as Django's resolver writes them.
TAKEN_AWAY = (
    "admin/reports/",
    "admin/localize/reports/",
    "admin/forms/",
    "admin/pages/usage/",
    "admin/workflows/task_chooser/",
)
SNIPPET_CHOOSERS = "admin/snippets/choose/"
TAG_AUTOCOMPLETE = "admin/tag-autocomplete/"

# What another pathway's identifier becomes: a key no object has.
NOTHING = 0

# Which model a URL parameter names, by its name.
PAGE_PARAMS = frozenset(
    {"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"}
)


def admin_confined(user) -> bool:
    """True for someone in the Wagtail admin who sees only their own pathways
    there: everyone with admin access but site administrators. (Others are
    sent to sign in by Wagtail before any object is looked up.)"""
    return (
        user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.has_perm("wagtailadmin.access_admin")
    )


def _visible_pathway_ids(user) -> set[int]:
    cached = getattr(user, "_harbour_visible_pathways", None)
    if cached is None:
        cached = set(visible_pathways(user).values_list("pk", flat=True))
        user._harbour_visible_pathways = cached
    return cached


def _pathway_visible(user, pathway_id) -> bool:
    return pathway_id is None or pathway_id in _visible_pathway_ids(user)


def _collection_visible(user, collection) -> bool:
    pathway = pathway_of_collection(collection)
    return pathway is None or _pathway_visible(user, pathway.pk)


def _group_visible(user, group_id) -> bool:
    owner = PathwayGroup.objects.filter(group_id=group_id).first()
    return owner is None or _pathway_visible(user, owner.pathway_id)


def _workflow_visible(user, workflow) -> bool:
    from wagtail.models import WorkflowPage

    links = WorkflowPage.objects.filter(workflow=workflow).select_related("page")
    return all(can_view_page(user, link.page, in_admin=True) for link in links)


def _task_visible(user, task) -> bool:
    from wagtail.models import Workflow

    workflows = Workflow.objects.filter(workflow_tasks__task=task)
    if not all(_workflow_visible(user, workflow) for workflow in workflows):
        return False
    groups = getattr(task.specific, "groups", None)
    if groups is None:
        return True
    return all(_group_visible(user, pk) for pk in groups.values_list("pk", flat=True))


def _object_of(content_type_id, object_id):
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
        return content_type.get_object_for_this_type(pk=object_id)
    except (ObjectDoesNotExist, ValueError, TypeError):
        return None


def visible_in_admin(user, obj) -> bool:
    """Whether `obj` may be shown to `user` in the Wagtail admin: not part of
    a pathway they are not an active member of. Site administrators see all;
    what belongs to no pathway is left to Wagtail's own permissions."""
    from wagtail.admin.models import EditingSession
    from wagtail.models import (
        Collection,
        Comment,
        Page,
        Revision,
        Task,
        TaskState,
        UploadedFile,
        Workflow,
        WorkflowState,
    )

    if user.is_superuser:
        return True
    if obj is None:
        return True
    if isinstance(obj, Page):
        return can_view_page(user, obj, in_admin=True)
    if isinstance(obj, Collection):
        return _collection_visible(user, obj)
    if hasattr(obj, "collection_id") and hasattr(obj, "collection"):
        return _collection_visible(user, obj.collection)
    if isinstance(obj, Pathway):
        return _pathway_visible(user, obj.pk)
    if isinstance(obj, CrisisContact):
        return _pathway_visible(user, obj.pathway_id)
    if isinstance(obj, Gift):
        offered = set(obj.pathways.values_list("pk", flat=True))
        return not offered or bool(offered & _visible_pathway_ids(user))
    if isinstance(obj, Group):
        return _group_visible(user, obj.pk)
    if isinstance(obj, User):
        theirs = set(obj.memberships.values_list("pathway_id", flat=True))
        return (
            obj.pk == user.pk or not theirs or bool(theirs & _visible_pathway_ids(user))
        )
    if isinstance(obj, Workflow):
        return _workflow_visible(user, obj)
    if isinstance(obj, Task):
        return _task_visible(user, obj)
    if isinstance(obj, TaskState):
        return visible_in_admin(user, obj.workflow_state)
    if isinstance(obj, (WorkflowState, Revision)):
        return visible_in_admin(
            user, _object_of(obj.base_content_type_id, obj.object_id)
        )
    if isinstance(obj, EditingSession):
        return visible_in_admin(user, _object_of(obj.content_type_id, obj.object_id))
    if isinstance(obj, Comment):
        return can_view_page(user, obj.page, in_admin=True)
    if isinstance(obj, UploadedFile):
        return obj.uploaded_by_user_id == user.pk
    return _localize_or_redirect_visible(user, obj)


def _localize_or_redirect_visible(user, obj) -> bool:
    """wagtail-localize's translations, their sources and string segments
    belong where the translated object does; a redirect to a page, where that
    page is."""
    from wagtail.contrib.redirects.models import Redirect
    from wagtail_localize.models import (
        StringSegment,
        Translation,
        TranslationSource,
    )

    if isinstance(obj, StringSegment):
        obj = obj.source
    if isinstance(obj, Translation):
        obj = obj.source
    if isinstance(obj, TranslationSource):
        try:
            return visible_in_admin(user, obj.get_source_instance())
        except ObjectDoesNotExist:
            return True
    if isinstance(obj, Redirect) and obj.redirect_page_id is not None:
        return can_view_page(user, obj.redirect_page, in_admin=True)
    return True


def _without_hidden_collections(user, queryset: QuerySet, path_field: str) -> QuerySet:
    """`queryset` without rows whose collection path (`path_field`) lies in
    another pathway's collection; superusers see everything."""
    if user.is_superuser:
        return queryset
    hidden = (
        Pathway.objects.exclude(pk__in=_visible_pathway_ids(user))
        .exclude(collection=None)
        .values_list("collection__path", flat=True)
    )
    for path in hidden:
        queryset = queryset.exclude(**{f"{path_field}__startswith": path})
    return queryset


def collection_items_visible_to(user, items: QuerySet) -> QuerySet:
    """`items` (images, documents, videos: anything in a collection) without
    those in another pathway's collection."""
    return _without_hidden_collections(user, items, "collection__path")


def collections_visible_to(user, collections: QuerySet) -> QuerySet:
    """`collections` without other pathways' collections and theirs within."""
    return _without_hidden_collections(user, collections, "path")


def tags_visible_to(user, tags, model) -> list:
    """Of `tags` (suggested for `model`'s items), those used on an item the
    user may see: a tag used only in another pathway is not named."""
    from taggit.models import Tag

    if user.is_superuser or model is None:
        return list(tags)
    items = collection_items_visible_to(user, model.objects.all())
    content_type = ContentType.objects.get_for_model(model)
    shown = set(
        Tag.objects.filter(
            pk__in=[tag.pk for tag in tags],
            taggit_taggeditem_items__content_type=content_type,
            taggit_taggeditem_items__object_id__in=items.values("pk"),
        ).values_list("pk", flat=True)
    )
    return [tag for tag in tags if tag.pk in shown]


def tag_names_visible_to(user, names: list[str]) -> list[str]:
    """Of tag `names` (the admin's tag autocompletion), those used on a blog
    post, image, document or video the user may see."""
    from taggit.models import TaggedItem
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtailmedia.models import get_media_model

    from .models import BlogPage, BlogPageTag

    if user.is_superuser:
        return names
    pages = pages_visible_to(user, BlogPage.objects.all(), in_admin=True)
    shown = set(
        BlogPageTag.objects.filter(
            tag__name__in=names, content_object__in=pages
        ).values_list("tag__name", flat=True)
    )
    for model in (get_image_model(), get_document_model(), get_media_model()):
        items = collection_items_visible_to(user, model.objects.all())
        shown |= set(
            TaggedItem.objects.filter(
                tag__name__in=names,
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=items.values("pk"),
            ).values_list("tag__name", flat=True)
        )
    return [name for name in names if name in shown]


# Which object a URL of the admin names ------------------------------------------


def _model_for(app_label, model_name) -> type[Model] | None:
    try:
        return ContentType.objects.get_by_natural_key(
            app_label, model_name
        ).model_class()
    except ContentType.DoesNotExist:
        return None


def _view_model(match) -> type[Model] | None:
    func = match.func
    model = getattr(func, "view_initkwargs", {}).get("model")
    view_class = getattr(func, "view_class", None)
    if model is None and view_class is not None:
        model = getattr(view_class, "model", None)
    if isinstance(model, str):
        from django.apps import apps

        model = apps.get_model(model)
    # Some views work their model out per request (a property on the class).
    if isinstance(model, type) and issubclass(model, Model):
        return model
    return None


def _param_models(match, kwargs) -> list[tuple[str, type[Model], str]]:
    """(name, model, value) for each URL parameter of `match` that names an object."""
    from wagtail.admin.models import EditingSession
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import (
        Collection,
        Page,
        Revision,
        Task,
        TaskState,
        UploadedFile,
        Workflow,
        WorkflowState,
    )
    from wagtail_localize.models import (
        StringSegment,
        Translation,
        TranslationSource,
    )
    from wagtailmedia.models import get_media_model

    by_name = {
        "revision_id": Revision,
        "revision_id_a": Revision,
        "revision_id_b": Revision,
        "image_id": get_image_model(),
        "document_id": get_document_model(),
        "doc_id": get_document_model(),
        "media_id": get_media_model(),
        "collection_id": Collection,
        "task_state_id": TaskState,
        "workflow_state_id": WorkflowState,
        "task_id": Task,
        "workflow_pk": Workflow,
        "session_id": EditingSession,
        "uploaded_file_id": UploadedFile,
        "translation_id": Translation,
        "translation_source_id": TranslationSource,
        "string_segment_id": StringSegment,
        "redirect_id": Redirect,
        **dict.fromkeys(PAGE_PARAMS, Page),
    }
    found = []
    for name, value in kwargs.items():
        model = by_name.get(name)
        if name == "object_id" and "app_label" in kwargs:
            model = _model_for(kwargs["app_label"], kwargs.get("model_name", ""))
        elif name == "pk":
            model = _model_by_route(match.route) or _view_model(match)
        if model is not None:
            found.append((name, model, value))
    return found


def _model_by_route(route: str) -> type[Model] | None:
    """For a `pk` of a view that does not say its model."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection, Page, Task, Workflow

    for prefix, model in (
        ("admin/pages/", Page),
        ("admin/workflows/tasks/", Task),
        ("admin/workflows/", Workflow),
        ("admin/collections/", Collection),
        ("admin/groups/", Group),
        ("admin/users/", User),
        ("admin/images/", get_image_model()),
        ("admin/documents/", get_document_model()),
    ):
        if route.startswith(prefix):
            return model
    return None


def _hidden(user, model, value) -> bool:
    """True if `value` names an object of `model` the user may not see (a
    missing one is for the view to answer)."""
    try:
        obj = model._default_manager.filter(pk=value).first()
    except (ValueError, TypeError, ValidationError):
        # Not a key of this model ("live" and "earliest" name revisions).
        return False
    return obj is not None and not visible_in_admin(user, obj)


# Page views that act on a page's place in the tree: the tree's root has none.
ROOT_FREE_VIEWS = frozenset({"move_confirm", "set_page_position"})


def refuse_what_wagtail_cannot_do(request, match, kwargs):
    """For anyone, superusers too: requests Wagtail's own views fail on with a
    server error, answered as what they are. Moving or reordering the tree's
    root (it has no parent; Wagtail never offers it) is "not found"; the
    external-link chooser posted without its URL field is a kind 400. None
    for every other request."""
    if match is None:
        return None
    if match.url_name in ROOT_FREE_VIEWS:
        from wagtail.models import Page

        if Page.objects.filter(pk=kwargs.get("page_to_move_id"), depth=1).exists():
            raise Http404
    if (
        match.url_name == "wagtailadmin_choose_page_external_link"
        and request.method == "POST"
        and "external-link-chooser-url" not in request.POST
    ):
        from django.shortcuts import render

        return render(request, "400.html", status=400)
    return None


def keep_to_own_pathways(view):
    """Wraps each view of the Wagtail admin (see `guard_admin_urls`): for
    pathway staff, views taken away answer "not found", identifiers of another
    pathway's things reach the view as missing ones, and listings' tag filters
    name only tags they may see."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        match = request.resolver_match
        refused = refuse_what_wagtail_cannot_do(request, match, kwargs)
        if refused is not None:
            return refused
        if match is None or not admin_confined(request.user):
            return view(request, *args, **kwargs)
        check_admin_request(request.user, match, request, kwargs)
        response = view(request, *args, **kwargs)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            narrow_tag_filter(request.user, response.context_data or {})
        if match.route.startswith(TAG_AUTOCOMPLETE) and response.status_code == 200:
            names = json.loads(response.content)
            response = JsonResponse(
                tag_names_visible_to(request.user, names), safe=False
            )
        return response

    return guarded


def guard_admin_urls(urlconf):
    """The Wagtail admin's URL module with every view wrapped by
    `keep_to_own_pathways`, as Wagtail itself wraps them with
    `require_admin_access` (the admin's own URLs and those hooks add)."""
    decorate_urlpatterns(urlconf.urlpatterns, keep_to_own_pathways)
    return urlconf


def narrow_tag_filter(user, context) -> None:
    """A listing's "Tag" filter offers the most used tags of its model across
    all pathways (Wagtail gives no hook for it): keep those used on an item
    the reader may see."""
    from taggit.models import Tag

    filters = context.get("filters")
    form = getattr(filters, "form", None)
    field = form.fields.get("tag") if form is not None else None
    if field is None:
        return
    names = [name for name, _label in field.choices]
    tags = Tag.objects.filter(name__in=names)
    shown = {tag.name for tag in tags_visible_to(user, tags, filters._meta.model)}
    field.choices = [(name, label) for name, label in field.choices if name in shown]


def check_admin_request(user, match, request, kwargs: dict) -> None:
    """For the admin URL `match`: Http404 if it is a view taken away from
    pathway staff; else each identifier (in the path, or a bulk action's `id`
    list) naming something of a pathway `user` is not in is replaced, in
    place, by one that names nothing, so the view answers exactly as it does
    for a missing object (some say "not found", some "no permission" before
    they look, some refuse the method)."""
    route = match.route
    if route.startswith(TAKEN_AWAY):
        raise Http404("No such page")
    if route.startswith(SNIPPET_CHOOSERS):
        model = _view_model(match)
        if model is None or not _has_any_model_permission(user, model):
            raise Http404("No such page")
    for name, model, value in _param_models(match, kwargs):
        if _hidden(user, model, value):
            kwargs[name] = NOTHING if isinstance(value, int) else str(NOTHING)
    if route.startswith("admin/bulk/"):
        _check_bulk(user, kwargs, request)


def _has_any_model_permission(user, model) -> bool:
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("add", "change", "delete", "view")
    )


def _check_bulk(user, kwargs, request) -> None:
    from wagtail.models import Page

    model = _model_for(kwargs.get("app_label"), kwargs.get("model_name"))
    if model is None:
        return
    query = request.GET.copy()
    parent = query.get("childOf")
    if parent and _hidden(user, Page, parent):
        query["childOf"] = str(NOTHING)
    query.setlist(
        "id",
        [
            str(NOTHING) if _hidden(user, model, value) else value
            for value in query.getlist("id")
        ],
    )
    request.GET = query
