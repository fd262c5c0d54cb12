from django.http import Http404
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

from community.models import Pathway

from .admin_access import collection_items_visible_to
from .pathways import sync_pathway_structure
from .permissions import can_view_collection_item, can_view_page, pages_visible_to


@hooks.register("after_edit_snippet")
def keep_pathway_structure_in_step(request, instance):
    """A pathway edited in the admin (its name, its description) brings its
    landing page, groups, permissions, collection and workflow in step; a
    new one got them when it was saved (home.signals)."""
    if isinstance(instance, Pathway):
        sync_pathway_structure(instance)


@hooks.register("before_serve_page", order=-100)
def keep_pathway_pages_inside_their_pathway(page, request, serve_args, serve_kwargs):
    """A page under a pathway is "not found" to anyone but its active members,
    before Wagtail's own view restriction would offer a login form (which would
    confirm the page exists)."""
    if not can_view_page(request.user, page):
        raise Http404("No such page")


@hooks.register("construct_page_chooser_queryset")
def hide_other_pathways_in_the_page_chooser(pages, request):
    """Wagtail's page chooser lists every page by default; staff of one pathway
    must not see the page titles of another."""
    return pages_visible_to(request.user, pages, in_admin=True)


@hooks.register("before_serve_document", order=-100)
def keep_pathway_documents_inside_their_pathway(document, request):
    """A document in a pathway's collection is "not found" outside it."""
    if not can_view_collection_item(request.user, document):
        raise Http404("No such document")


@hooks.register("insert_global_admin_js")
def show_upload_progress_for_videos():
    """A progress bar while a large video uploads (wagtailmedia's form)."""
    return format_html(
        '<script src="{}" defer></script>', static("home/upload-progress.js")
    )


# The admin's JSON API (used by its choosers and rich text) lists every image,
# document and page it is given: give it only what the reader may see. After
# Wagtail's own hooks, whose endpoints these replace.


class PathwayImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return collection_items_visible_to(self.request.user, super().get_queryset())


class PathwayDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return collection_items_visible_to(self.request.user, super().get_queryset())


class PathwayPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    def get_base_queryset(self):
        pages = super().get_base_queryset()
        return pages_visible_to(self.request.user, pages, in_admin=True)


@hooks.register("construct_admin_api", order=100)
def keep_the_admin_api_inside_pathways(router):
    router.register_endpoint("images", PathwayImagesAdminAPIViewSet)
    router.register_endpoint("documents", PathwayDocumentsAdminAPIViewSet)
    router.register_endpoint("pages", PathwayPagesAdminAPIViewSet)
