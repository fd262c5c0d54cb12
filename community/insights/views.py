"""The insights pages: a pathway's figures for its service leads and the
site's administrators, the trust's overview of every pathway for the
administrators, and a CSV of every table. Each view asks the access layer
(permissions.py), reads the period and calls the figures; nothing here
counts anything itself."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from community.insights.charts import chart
from community.insights.export import table_csv
from community.insights.figures import Figures, figures_for
from community.insights.periods import Period, read_period
from community.insights.permissions import (
    access_insights,
    access_overview,
    insight_pathways,
)
from community.insights.tables import (
    Section,
    Table,
    all_tables,
    sections,
    side_by_side,
    survey_table,
)
from community.models import Pathway
from community.survey.queries import SurveySummary, survey_summary


def _survey_for(pathway: Pathway, period: Period) -> SurveySummary:
    """The helpfulness survey's figures for `pathway` in `period` (the
    survey wing's own aggregate: answers, agreeing, Wilson interval, weeks)."""
    return survey_summary(pathway, period.start, period.end)


# Counting a large pathway takes a second or more; the page and the CSV of
# each of its tables ask for the same figures within moments, so they are kept
# a few minutes (per pathway and period, after the access check).
FIGURES_SECONDS = 300


def _figures(pathway: Pathway, period: Period) -> Figures:
    start, end = int(period.start.timestamp()), int(period.end.timestamp())
    key = f"insights:{pathway.pk}:{start}:{end}"
    found = cache.get(key)
    if found is None:
        found = figures_for(pathway, period, timezone.now())
        cache.set(key, found, FIGURES_SECONDS)
    return found


def _drawn(found: list[Section]) -> list[tuple[Section, list[tuple[Table, str]]]]:
    return [(s, [(t, chart(t)) for t in s.tables]) for s in found]


def _period_words(period: Period) -> str:
    return _("%(first)s to %(last)s") % {
        "first": date_format(period.first_day, "j M Y"),
        "last": date_format(period.last_day, "j M Y"),
    }


@login_required
@require_safe
def index(request):
    """The pathways whose insights the reader may open; "not found" for
    anyone with none."""
    pathways = list(insight_pathways(request.user))
    if not pathways:
        raise Http404("No such page")
    return render(
        request,
        "insights/index.html",
        {"pathways": pathways, "overview": request.user.is_superuser},
    )


@login_required
@require_safe
def pathway_insights(request, slug):
    """One pathway's figures for the chosen period (the form again, with
    what to correct, when the dates will not do)."""
    pathway = access_insights(request.user, slug)
    form, period = read_period(request.GET)
    context: dict = {"pathway": pathway, "form": form, "period": period}
    if period is not None:
        figures = _figures(pathway, period)
        found = sections(figures)
        survey = _survey_for(pathway, period)
        context.update(
            counted_at=_stamp(figures.now),
            sections=_drawn(found),
            period_words=_period_words(period),
            survey=survey,
            survey_table=survey_table(survey),
        )
        if context["survey_table"] is not None:
            context["survey_chart"] = chart(context["survey_table"])
    return render(request, "insights/pathway.html", context)


@login_required
@require_safe
def overview(request):
    """Every pathway side by side, for site administrators only."""
    pathways = list(access_overview(request.user))
    form, period = read_period(request.GET)
    context: dict = {"form": form, "period": period, "pathways": pathways}
    if period is not None:
        context.update(
            sections=_drawn(_overview_sections(pathways, period)),
            period_words=_period_words(period),
        )
    return render(request, "insights/overview.html", context)


def _overview_sections(pathways: list[Pathway], period: Period) -> list[Section]:
    return side_by_side([(p.name, sections(_figures(p, period))) for p in pathways])


def _csv(
    request, tables: list[Table], key: str, name: str, period: Period
) -> HttpResponse:
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        raise Http404("No such table")
    heading = [
        f"{name}: {table.title}",
        _period_words(period),
        _("Made %(when)s") % {"when": _stamp(timezone.now())},
    ]
    response = HttpResponse(
        table_csv(table, heading), content_type="text/csv; charset=utf-8"
    )
    days = f"{period.first_day}-{period.last_day}"
    filename = f"insights-{slugify(name)}-{key}-{days}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@login_required
@require_safe
def pathway_csv(request, slug, key):
    """One table of a pathway's page as CSV; with dates to correct, back to
    the page, which says what."""
    pathway = access_insights(request.user, slug)
    _form, period = read_period(request.GET)
    if period is None:
        url = reverse("community:insights", kwargs={"slug": slug})
        return redirect(f"{url}?{request.GET.urlencode()}")
    found = all_tables(sections(_figures(pathway, period)))
    survey = survey_table(_survey_for(pathway, period))
    if survey is not None:
        found.append(survey)
    return _csv(request, found, key, pathway.name, period)


@login_required
@require_safe
def overview_csv(request, key):
    """One table of the trust's overview as CSV (site administrators)."""
    pathways = list(access_overview(request.user))
    _form, period = read_period(request.GET)
    if period is None:
        url = reverse("community:insights_overview")
        return redirect(f"{url}?{request.GET.urlencode()}")
    found = all_tables(_overview_sections(pathways, period))
    return _csv(request, found, key, _("All pathways"), period)
