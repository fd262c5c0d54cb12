from django.http import Http404
from wagtail import hooks

from community.permissions import can_view_pathway

from .models import pathway_of


@hooks.register("before_serve_page", order=-100)
def keep_pathway_pages_inside_their_pathway(page, request, serve_args, serve_kwargs):
    """A page under a pathway is "not found" to anyone but its active members,
    before Wagtail's own view restriction would offer a login form (which would
    confirm the page exists)."""
    pathway = pathway_of(page)
    if pathway is not None and not can_view_pathway(request.user, pathway):
        raise Http404("No such page")
