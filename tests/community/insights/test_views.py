"""The insights pages through the test client: leads see their own
pathways only, site administrators every pathway and the overview, anyone
else "not found"; staff without two-factor are sent to enrol; bad dates
come back to the form; CSV of every table; no figure of another pathway."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from community.insights.tables import Cell
from community.models import Role
from tests.factories import (
    UserFactory,
    enrol_totp,
    make_insights_dataset,
    make_member,
    make_pathway,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 4, 13, 10, 0, tzinfo=UTC)
DATES = "period=dates&start=2026-03-23&end=2026-04-12"


def signed_in(client, pathway, role=Role.LEAD):
    user = make_member(pathway, role)
    enrol_totp(user)
    client.force_login(user)
    return user


def admin(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    enrol_totp(user)
    client.force_login(user)
    return user


def page(pathway, query=""):
    return reverse("community:insights", kwargs={"slug": pathway.slug}) + (
        f"?{query}" if query else ""
    )


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_lead_sees_their_pathway_with_charts_and_tables(client, frozen, pathway):
    make_insights_dataset(pathway)
    signed_in(client, pathway)
    response = client.get(page(pathway, DATES))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Insights: Perinatal care" in html
    assert "Showing 23 Mar 2026 to 12 Apr 2026." in html
    assert (
        'role="img" aria-labelledby="chart-activity-title chart-activity-desc"' in html
    )
    assert '<caption class="nhsuk-table__caption">Activity by kind</caption>' in html
    assert f"insights/activity.csv?{DATES.replace('&', '&amp;')}" in html
    assert "Has Harbour helped?" in html and "No answers yet." in html
    # Aggregates only: nobody's name or words.
    assert "Person " not in html


def test_the_default_period_is_the_last_30_days(client, pathway):
    signed_in(client, pathway)
    response = client.get(page(pathway))
    assert response.status_code == 200
    assert response.context["period"].query == "period=30"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CARER, Role.PEER, Role.CLINICIAN])
def test_anyone_but_a_lead_is_told_not_found(client, pathway, role):
    signed_in(client, pathway, role)
    assert client.get(page(pathway)).status_code == 404
    assert client.get(reverse("community:insights_index")).status_code == 404


def test_a_lead_of_one_pathway_gets_not_found_for_another(
    client, frozen, pathway, other_pathway
):
    make_insights_dataset(other_pathway)
    lead = signed_in(client, pathway)
    assert client.get(page(other_pathway)).status_code == 404
    csv_url = reverse(
        "community:insights_csv", kwargs={"slug": other_pathway.slug, "key": "members"}
    )
    assert client.get(csv_url).status_code == 404
    assert client.get(page(pathway).replace(pathway.slug, "no-such")).status_code == 404
    assert client.get(reverse("community:insights_overview")).status_code == 404
    # Each refusal is audited, as on every staff page (no figures in the row).
    from community.models import AuditEvent

    refused = AuditEvent.objects.filter(action="access.refused", actor=lead)
    assert sorted(refused.values_list("data__page", flat=True)) == [
        "insights",
        "insights",
        "insights_csv",
        "insights_overview",
    ]


def test_another_pathways_figures_never_appear(client, frozen, pathway, other_pathway):
    make_insights_dataset(other_pathway)
    signed_in(client, pathway)
    response = client.get(page(pathway, DATES))
    tables = {
        t.key: t
        for section, _drawn in response.context["sections"]
        for t in section.tables
    }
    assert tables["activity"].cell("All", "Posts and messages") == Cell("0", 0)
    assert tables["members"].cell("Member", "Members") == Cell("0", 0)
    assert tables["alerts"].cell("Urgent", "Alerts") == Cell("0", 0)


def test_staff_without_two_factor_are_sent_to_enrol(client, pathway):
    client.force_login(make_member(pathway, Role.LEAD))
    response = client.get(page(pathway))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_signed_out_is_sent_to_sign_in(client, pathway):
    response = client.get(page(pathway))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=dates&start=2026-04-12&end=2026-03-23", "on or after the first"),
        ("period=dates&start=2026-02-31&end=2026-03-23", "Enter the first day as a"),
        ("period=dates&start=&end=2026-03-23", "Enter the first day of the period"),
        ("period=dates&start=2026-03-01&end=2099-01-01", "today at the latest"),
        ("period=dates&start=2020-01-01&end=2026-03-01", "at most a year"),
        ("period=dates&start=1999-01-01&end=1999-02-01", "from 2020 onwards"),
        ("period=365", "Select a valid choice"),
    ],
)
def test_bad_dates_come_back_to_the_form_kindly(
    client, frozen, pathway, query, message
):
    signed_in(client, pathway)
    response = client.get(page(pathway, query))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "nhsuk-error-summary" in html
    assert "sections" not in response.context
    assert "Showing" not in html
    if "start=2026-02-31" in query:
        assert 'value="2026-02-31"' in html  # what was typed is kept


def test_a_csv_of_a_table(client, frozen, pathway):
    make_insights_dataset(pathway)
    signed_in(client, pathway)
    url = reverse(
        "community:insights_csv", kwargs={"slug": pathway.slug, "key": "members"}
    )
    response = client.get(f"{url}?{DATES}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = "insights-perinatal-care-members-2026-03-23-2026-04-12.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = csv_rows(response)
    assert rows[0] == ["Perinatal care: Members by role"]
    assert rows[1] == ["23 Mar 2026 to 12 Apr 2026"]
    assert rows[3] == [
        "Role",
        "Members",
        "New in the period",
        "Active in the last 7 days",
        "Active in the last 30 days",
    ]
    assert rows[4] == ["Member", "11", "5", "fewer than 5", "11"]
    assert rows[-1] == ["Everyone", "16", "5", "fewer than 5", "14"]


def test_every_table_has_a_csv(client, frozen, pathway):
    signed_in(client, pathway)
    response = client.get(page(pathway, DATES))
    keys = [
        t.key for section, _d in response.context["sections"] for t in section.tables
    ]
    assert len(keys) == 11
    for key in keys:
        url = reverse(
            "community:insights_csv", kwargs={"slug": pathway.slug, "key": key}
        )
        assert client.get(f"{url}?{DATES}").status_code == 200, key
    missing = reverse(
        "community:insights_csv", kwargs={"slug": pathway.slug, "key": "x"}
    )
    assert client.get(missing).status_code == 404


def test_a_csv_with_bad_dates_goes_back_to_the_page(client, pathway):
    signed_in(client, pathway)
    url = reverse(
        "community:insights_csv", kwargs={"slug": pathway.slug, "key": "members"}
    )
    response = client.get(f"{url}?period=dates&start=x&end=y")
    assert response.status_code == 302
    assert response["Location"] == page(pathway, "period=dates&start=x&end=y")


def test_a_formula_in_a_pathway_name_never_runs_in_a_spreadsheet(client, frozen):
    pathway = make_pathway("=HYPERLINK(1)", slug="formula")
    signed_in(client, pathway)
    url = reverse(
        "community:insights_csv", kwargs={"slug": pathway.slug, "key": "topics"}
    )
    rows = csv_rows(client.get(f"{url}?{DATES}"))
    assert rows[0] == ["'=HYPERLINK(1): Topics"]


def test_a_site_administrator_sees_every_pathway_and_the_overview(
    client, frozen, pathway, other_pathway
):
    make_insights_dataset(pathway)
    make_pathway("Psychosis")
    admin(client)
    assert client.get(page(other_pathway)).status_code == 200
    index = client.get(reverse("community:insights_index")).content.decode()
    assert "(the trust’s overview)" in index and "Psychosis" in index
    response = client.get(f"{reverse('community:insights_overview')}?{DATES}")
    assert response.status_code == 200
    tables = {
        t.key: t for section, _d in response.context["sections"] for t in section.tables
    }
    activity = tables["activity"]
    assert activity.columns == [
        "Figure",
        "Eating disorders",
        "Perinatal care",
        "Psychosis",
    ]
    assert [c.text for c in dict(activity.rows)["All: Posts and messages"]] == [
        "0",
        "28",
        "0",
    ]
    assert [c.text for c in dict(activity.rows)["All: Share out of office hours"]] == [
        "–",
        "68%",
        "–",
    ]
    url = reverse("community:insights_overview_csv", kwargs={"key": "activity"})
    rows = csv_rows(client.get(f"{url}?{DATES}"))
    assert rows[3] == ["Figure", "Eating disorders", "Perinatal care", "Psychosis"]
    assert ["All: Posts and messages", "0", "28", "0"] in rows


def test_the_overview_is_the_site_administrators_only(client, pathway, other_pathway):
    signed_in(client, pathway)
    make_member(other_pathway, Role.LEAD, email="x@example.org")
    assert client.get(reverse("community:insights_overview")).status_code == 404
    url = reverse("community:insights_overview_csv", kwargs={"key": "activity"})
    assert client.get(url).status_code == 404


def test_the_index_lists_a_leads_pathways(client, pathway, other_pathway):
    signed_in(client, pathway)
    html = client.get(reverse("community:insights_index")).content.decode()
    assert pathway.name in html
    assert other_pathway.name not in html
    assert "overview" not in html


def test_leads_find_insights_among_their_staff_tools(client, pathway):
    from home.models import PathwayPage

    landing = PathwayPage.objects.get(pathway=pathway, locale__language_code="en")
    signed_in(client, pathway)
    assert page(pathway) in client.get(landing.url).content.decode()
    client.force_login(make_member(pathway))
    assert page(pathway) not in client.get(landing.url).content.decode()


def test_the_survey_section_counts_the_pathways_answers(
    client, frozen, pathway, other_pathway
):
    """The survey wing's answers in the period, as the lead sees them and
    downloads them: 34 of 40 agree (4 or 5), with Wilson's interval; another
    pathway's answers and answers outside the period are not counted."""
    from community.survey.models import SurveyAnswer

    answered_at = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    for n in range(40):
        SurveyAnswer.objects.create(
            pathway=pathway,
            user=make_member(pathway),
            score=5 if n < 30 else 4 if n < 34 else 2,
            answered_at=answered_at,
        )
    SurveyAnswer.objects.create(
        pathway=other_pathway,
        user=make_member(other_pathway),
        score=1,
        answered_at=answered_at,
    )
    SurveyAnswer.objects.create(
        pathway=pathway,
        user=make_member(pathway),
        score=1,
        answered_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    signed_in(client, pathway)
    html = client.get(page(pathway, DATES)).content.decode()
    assert "No answers yet." not in html
    assert "Has Harbour helped your recovery?</caption>" in html
    # Wilson 95% for 34 of 40: 0.709 to 0.929.
    assert "71% to 93%" in html
    assert 'aria-labelledby="chart-survey-title chart-survey-desc"' in html
    url = reverse(
        "community:insights_csv", kwargs={"slug": pathway.slug, "key": "survey"}
    )
    rows = csv_rows(client.get(f"{url}?{DATES}"))
    assert ["The whole period", "40", "34", "85%", "71% to 93%"] in rows


def test_no_answers_say_so(client, frozen, pathway):
    signed_in(client, pathway)
    assert "No answers yet." in client.get(page(pathway, DATES)).content.decode()


def test_the_page_and_its_downloads_count_once(client, frozen, pathway, monkeypatch):
    from community.insights import views

    counted = []
    real = views.figures_for
    monkeypatch.setattr(
        views, "figures_for", lambda *args: counted.append(args) or real(*args)
    )
    signed_in(client, pathway)
    html = client.get(page(pathway, DATES)).content.decode()
    assert "Counted at 2026-04-13 11:00" in html  # London time
    for key in ("members", "activity"):
        url = reverse(
            "community:insights_csv", kwargs={"slug": pathway.slug, "key": key}
        )
        client.get(f"{url}?{DATES}")
    client.get(page(pathway, "period=7"))
    assert len(counted) == 2  # the dates once, the last 7 days once
