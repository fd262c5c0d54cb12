"""Guards around Wagtail admin views that would otherwise show any page."""

from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.chooser import BrowseView

from community.permissions import access_page

_browse = BrowseView.as_view()


@require_admin_access
def choose_page_child(request, parent_page_id):
    """Wagtail's page chooser, browsing inside `parent_page_id`: "not found" when
    that page is inside a pathway the staff member does not belong to (its title
    and children would show otherwise)."""
    access_page(request.user, parent_page_id, in_admin=True)
    return _browse(request, parent_page_id=parent_page_id)
