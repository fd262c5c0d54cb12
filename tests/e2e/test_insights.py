"""A service lead signs in with two-factor, opens their pathway's insights
on a phone, changes the period, downloads a CSV; the same page on a
desktop, where the survey's answers of the last 90 days are counted. axe
checks every page (issue #20). A member answering the survey in the browser:
tests/e2e/test_survey.py."""

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import SCREENS


def test_a_lead_reads_and_exports_insights(
    phone_page,
    new_context,
    pathway,
    sign_in,
    visit,
    submit,
    check_a11y,
    fits_the_screen,
    screenshot,
):
    from datetime import timedelta

    from django.utils import timezone

    from community.models import Role
    from community.survey.models import SurveyAnswer
    from tests.factories import (
        TOTP_SECRET,
        enrol_totp,
        make_insights_dataset,
        make_member,
    )

    make_insights_dataset(pathway)
    # Six members answered the survey last week, five of them agreeing.
    for score in (5, 5, 4, 4, 5, 2):
        SurveyAnswer.objects.create(
            pathway=pathway,
            user=make_member(pathway),
            score=score,
            answered_at=timezone.now() - timedelta(days=7),
        )
    lead = make_member(pathway, Role.LEAD, display_name="Rowan Lead")
    enrol_totp(lead)
    page = phone_page
    sign_in(page, lead, TOTP_SECRET)
    visit(page, f"/community/{pathway.slug}/insights/")
    expect(page.get_by_role("heading", name="Has Harbour helped?")).to_be_visible()
    page.get_by_label("Between two dates").check()
    page.get_by_label("From").fill("2026-03-23")
    page.get_by_label("To").fill("2026-04-12")
    submit(page, "Show figures")
    expect(page.get_by_text("Showing 23 Mar 2026 to 12 Apr 2026.")).to_be_visible()
    expect(page.get_by_role("img", name="Chart: Activity by kind")).to_be_visible()
    fits_the_screen(page)
    screenshot(page, "insights-390")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Activity by kind” as CSV").click()
    text = Path(download.value.path()).read_text()
    assert "Forum topics,6,fewer than 5,fewer than 5" in text.splitlines(), text
    assert "Presents,fewer than 5,0,fewer than 5" in text

    desktop = new_context(**SCREENS["desktop"])
    desktop.add_cookies(page.context.cookies())
    wide = desktop.new_page()
    visit(wide, f"/community/{pathway.slug}/insights/?period=90")
    check_a11y(wide)
    screenshot(wide, "insights-desktop")
    with wide.expect_download() as download:
        wide.get_by_role(
            "link", name="Download “Has Harbour helped your recovery?” as CSV"
        ).click()
    rows = Path(download.value.path()).read_text().splitlines()
    assert any(row.startswith("The whole period,6,5,83%,") for row in rows), rows
