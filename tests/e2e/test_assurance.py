"""Issue 19's pages at phone width: the privacy page, the consent page a
member meets after the terms change, and the audit log an administrator reads
in the Wagtail admin (finding the sign-ins of this very journey). Each fits
the screen, passes axe and is saved as a PNG for a person to look at."""

import os
import shutil
from pathlib import Path

from playwright.sync_api import expect

from community.models import AuditEvent, Consent, Role, User
from tests.factories import TOTP_SECRET, UserFactory, enrol_totp, make_member

# A second folder for the pictures, when asked (HARBOUR_SHOTS=/some/folder).
SHOTS = os.environ.get("HARBOUR_SHOTS", "")


def _keep(path: Path) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)


def test_privacy_consent_and_the_audit_log_on_a_phone(
    phone_page, pathway, settings, visit, sign_in, submit, fits_the_screen, screenshot
):
    page = phone_page
    visit(page, "/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your information on Harbour"
    )
    expect(page.get_by_text("8 years")).to_be_visible()
    _keep(screenshot(page, "privacy-390"))
    fits_the_screen(page)

    member = make_member(pathway, Role.MEMBER, display_name="Morning Tide")
    settings.HARBOUR_DOCUMENTS = {
        **settings.HARBOUR_DOCUMENTS,
        "terms": {"version": "2027-01", "summary": "Moderators reply within a day."},
    }
    Consent.objects.create(user=member, document="terms", version="2026-12")
    User.objects.filter(pk=member.pk).update(
        consented_versions="privacy:2026-12,terms:2026-12"
    )
    sign_in(page, member)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We have updated our terms"
    )
    _keep(screenshot(page, "consent-390"))
    fits_the_screen(page)
    submit(page, "I agree")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Morning Tide")
    assert Consent.objects.filter(user=member, version="2027-01").exists()
    page.context.clear_cookies()

    admin = UserFactory(is_staff=True, is_superuser=True, display_name="Site Admin")
    enrol_totp(admin)
    sign_in(page, admin, TOTP_SECRET)
    visit(page, "/admin/audit/")
    expect(page.get_by_role("cell", name="consent.accepted")).to_be_visible()
    _keep(screenshot(page, "audit-admin-390"))
    visit(page, f"/admin/audit/?action=sign_in&person={member.pk}")
    expect(page.get_by_role("cell", name="sign_in", exact=True)).to_be_visible()
    _keep(screenshot(page, "audit-admin-filtered-390"))
    assert AuditEvent.objects.filter(action="sign_in", actor=member).exists()
