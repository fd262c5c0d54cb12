"""Guards around Wagtail admin views that would otherwise show any page."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.chooser import BrowseView
from wagtail.models import Page

from community.permissions import can_view_page

_browse = BrowseView.as_view()


@require_admin_access
def choose_page_child(request, parent_page_id):
    """Wagtail's page chooser, browsing inside `parent_page_id`: "not found" when
    that page is inside a pathway the staff member does not belong to (its title
    and children would show otherwise)."""
    parent = get_object_or_404(Page, id=parent_page_id)
    if not can_view_page(request.user, parent, in_admin=True):
        raise Http404("No such page")
    return _browse(request, parent_page_id=parent_page_id)
