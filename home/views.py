"""Guards around Wagtail admin views that would otherwise show any page, the
one way video files and posters are served, and the one way any other stored
file under /media/ is served from local storage."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.chooser import BrowseView

from .permissions import access_media, access_page, access_stored_file

_browse = BrowseView.as_view()


@require_admin_access
def choose_page_child(request, parent_page_id):
    """Wagtail's page chooser, browsing inside `parent_page_id`: "not found" when
    that page is inside a pathway the staff member does not belong to (its title
    and children would show otherwise)."""
    access_page(request.user, parent_page_id, in_admin=True)
    return _browse(request, parent_page_id=parent_page_id)


def serve_media(request, pk, part="file"):
    """A video file or its poster, for people who may watch it. Remote storage
    (S3 in production) gets a short-lived signed URL; local files are streamed
    as inert downloads of their checked type, never as active content."""
    item = access_media(request.user, pk)
    field = item.thumbnail if part == "poster" else item.file
    if not field:
        raise Http404("No such file")
    try:
        field.path  # noqa: B018 - only local storage has a path
    except NotImplementedError:
        return redirect(field.url)
    content_type = "image/jpeg" if part == "poster" else item.content_type
    if part == "poster" and field.name.lower().endswith((".png", ".webp")):
        content_type = "image/" + field.name.rsplit(".", 1)[1].lower()
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def serve_stored_file(request, name):
    """A file from local media storage (the demo's media/ folder), at the URL
    its storage gives it, to people who may see what it belongs to
    (`access_stored_file`): Wagtail's image renditions, documents, posters and
    profile pictures. Served as an inert download of its type, never as
    active content. With S3, files have signed URLs instead and never come
    here; there is no other route to /media/ in any settings."""
    field = access_stored_file(request.user, name)
    response = FileResponse(field.open("rb"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
