"""The search page: parse the box, ask `queries` what the reader may find."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from . import queries
from .forms import SearchForm

RESULTS_PER_PAGE = 20


@login_required
def search(request):
    """Results for `?q=` across pages, forum topics and replies and wall
    messages the reader may see, in all their pathways or the one `?pathway=`
    names (a slug that is not theirs means all of theirs). Without `?q=` it
    shows the box and a hint; an empty or over-long `q` is a form error. The
    list is the best `queries.MAX_PER_KIND` of each kind, interleaved, paged
    in memory: bounded, so a page costs the same whatever matches. Member
    content is ranked among its most recent matches; the page says so when
    older ones were left out (`limited`)."""
    mine = queries.my_pathways(request.user)
    # No `q` at all: the empty box and a hint, not an error.
    form = SearchForm(request.GET if "q" in request.GET else None, mine)
    found, query = queries.Found([]), ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        chosen = form.cleaned_data.get("pathway")
        found = queries.search_everything(
            request.user,
            query,
            [chosen] if chosen else mine,
            site_wide=chosen is None,
            request=request,
        )
    page_obj = Paginator(found.hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "limited": found.limited,
            "page_query": urlencode(
                {"q": query, "pathway": request.GET.get("pathway", "")}
            ),
        },
    )
