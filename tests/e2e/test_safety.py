"""The safety core in a real browser: a member at risk sees crisis contacts at
once, the on-duty clinician's page shows the alert live (over the site's real
socket) and they acknowledge it; a new parent's hello is calm, an act in
progress is urgent: the author sees crisis contacts, peers do not see it, and
every clinician on duty hears at once; a report reaches the moderation queue
and the reporter hears the outcome; a rule pack asks for a rewrite and keeps
the text. Each page is checked with axe and screenshots are saved at 390px."""

from playwright.sync_api import expect

from community.forums.models import Topic
from community.models import ContentStatus, Role
from community.moderation.models import AlertState, RiskAlert, SafetyLabel
from tests.factories import (
    TOTP_SECRET,
    enrol_totp,
    make_forum,
    make_member,
    make_trusted,
    put_on_duty,
)


def test_a_risk_alert_reaches_the_on_duty_clinician_live(
    new_context,
    phone_page,
    pathway,
    asgi_server,
    sign_in,
    visit,
    submit,
    follow,
    screenshot,
    fits_the_screen,
    check_a11y,
):
    forum = make_forum(pathway)
    clinician = make_member(pathway, Role.CLINICIAN, display_name="Nurse Hazel")
    enrol_totp(clinician)
    put_on_duty(pathway, clinician)
    member = make_trusted(pathway, display_name="Quiet Tide")

    staff_page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(staff_page, clinician, TOTP_SECRET, base=asgi_server)
    visit(staff_page, f"/community/{pathway.slug}/moderation/", asgi_server)
    expect(staff_page.get_by_text("No risk alerts waiting.")).to_be_visible()
    expect(staff_page.locator("#harbour-live")).to_have_attribute("data-state", "open")

    page = phone_page
    sign_in(page, member, base=asgi_server)
    visit(page, f"/community/{pathway.slug}/forums/{forum.slug}/", asgi_server)
    page.get_by_label("Title").fill("Tonight")
    page.get_by_label("Your message").fill("I can't go on. I want to kill myself")
    submit(page, "Post topic")
    card = page.get_by_role("alert").filter(has_text="Help is here, right now")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="116 123")).to_have_attribute(
        "href", "tel:116123"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Tonight")
    screenshot(page, "risk-crisis-contacts-390")
    fits_the_screen(page)
    assert Topic.objects.get().status == ContentStatus.PUBLISHED

    # The clinician's page, not reloaded, announces the alert.
    notice = staff_page.locator("#harbour-live .harbour-notice--alert")
    expect(notice).to_contain_text("Risk alert in Perinatal care")
    check_a11y(staff_page)
    screenshot(staff_page, "risk-alert-live-1280")
    follow(staff_page, "Open the alert")
    expect(staff_page.get_by_text("I want to kill myself")).to_be_visible()
    submit(staff_page, "Acknowledge: I'm taking this")
    expect(staff_page.get_by_text("Acknowledged by Nurse Hazel")).to_be_visible()
    staff_page.get_by_label("Add a note").fill("Called Quiet Tide; safe with family.")
    submit(staff_page, "Add note")
    expect(staff_page.get_by_text("safe with family")).to_be_visible()
    alert = RiskAlert.objects.get()
    assert alert.state == AlertState.ACKNOWLEDGED and alert.acknowledged_by == clinician


def test_an_act_in_progress_is_urgent_for_every_clinician_on_duty_and_hidden_from_peers(
    new_context,
    phone_page,
    pathway,
    asgi_server,
    sign_in,
    visit,
    submit,
    follow,
    screenshot,
    fits_the_screen,
    check_a11y,
):
    forum = make_forum(pathway, "New parents")
    clinicians = [
        make_member(pathway, Role.CLINICIAN, display_name=name)
        for name in ("Nurse Hazel", "Doctor Rowan")
    ]
    staff_pages = []
    for clinician in clinicians:
        enrol_totp(clinician)
        put_on_duty(pathway, clinician)
        staff_page = new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(staff_page, clinician, TOTP_SECRET, base=asgi_server)
        visit(staff_page, f"/community/{pathway.slug}/moderation/", asgi_server)
        expect(staff_page.locator("#harbour-live")).to_have_attribute(
            "data-state", "open"
        )
        staff_pages.append(staff_page)
    parent = make_trusted(pathway, display_name="New Mum")
    peer = make_trusted(pathway, display_name="Other Parent")
    crisis_card = "Help is here, right now"

    # An everyday hello: published, no crisis card, no alert for anyone.
    page = phone_page
    sign_in(page, parent, base=asgi_server)
    visit(page, f"/community/{pathway.slug}/forums/{forum.slug}/", asgi_server)
    page.get_by_label("Title").fill("Hello")
    page.get_by_label("Your message").fill("Just joined. My little one is 3 weeks old.")
    submit(page, "Post topic")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello")
    expect(page.get_by_text("Posted.")).to_be_visible()
    expect(page.get_by_text(crisis_card)).to_have_count(0)
    hello = Topic.objects.get(title="Hello")
    assert hello.status == ContentStatus.PUBLISHED
    assert not RiskAlert.objects.exists()

    # An act in progress: the author sees crisis contacts and a kind word.
    visit(page, f"/community/{pathway.slug}/forums/{forum.slug}/", asgi_server)
    page.get_by_label("Title").fill("Tonight")
    page.get_by_label("Your message").fill("took 30 paracetamol an hour ago")
    submit(page, "Post topic")
    card = page.get_by_role("alert").filter(has_text=crisis_card)
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="116 123")).to_have_attribute(
        "href", "tel:116123"
    )
    expect(page.get_by_text("Your care team has your message now")).to_be_visible()
    screenshot(page, "urgent-crisis-contacts-390")
    fits_the_screen(page)
    urgent = Topic.objects.get(title="Tonight")
    assert urgent.status == ContentStatus.HELD
    alert = RiskAlert.objects.get()
    assert alert.urgent

    # Every clinician on duty, their page not reloaded, hears it at once.
    for staff_page in staff_pages:
        notice = staff_page.locator("#harbour-live .harbour-notice--alert")
        expect(notice).to_contain_text("URGENT risk alert in Perinatal care")
    check_a11y(staff_pages[1])
    screenshot(staff_pages[1], "urgent-alert-live-1280")

    # Another member sees the hello but not the post held for the care team.
    other = new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    sign_in(other, peer, base=asgi_server)
    visit(other, f"/community/{pathway.slug}/forums/{forum.slug}/", asgi_server)
    expect(other.get_by_role("link", name="Hello")).to_be_visible()
    expect(other.get_by_text("Tonight")).to_have_count(0)
    response = visit(
        other, f"/community/{pathway.slug}/topics/{urgent.pk}/", asgi_server
    )
    assert response.status == 404
    expect(other.get_by_text("paracetamol")).to_have_count(0)

    # A clinician's home page leads with it, and opens it.
    staff_page = staff_pages[1]
    visit(staff_page, "/", asgi_server)
    expect(staff_page.get_by_text("1 risk alert is open")).to_be_visible()
    follow(staff_page, "Urgent alert in Perinatal care about New Mum")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text(
        "Urgent risk alert about New Mum"
    )
    expect(staff_page.get_by_text("took 30 paracetamol an hour ago")).to_be_visible()
    screenshot(staff_page, "urgent-alert-page-1280")

    # A sign only the classifier saw waits in the queue, marked for review,
    # and is cleared in one tap with its reason.
    review = _stored_for_review(forum, peer, "We are all so tired this week.")
    visit(staff_page, f"/community/{pathway.slug}/moderation/", asgi_server)
    item = staff_page.locator(f"#clear-{review.pk}")
    expect(staff_page.get_by_text("Please review").first).to_be_visible()
    screenshot(staff_page, "moderation-queue-review-1280")
    with staff_page.expect_navigation():
        item.get_by_role("button", name="An everyday phrase or idiom").click()
    check_a11y(staff_page)
    expect(staff_page.get_by_text("Cleared: not a risk")).to_be_visible()
    label = SafetyLabel.objects.get(case=review)
    assert (label.decision, label.reason) == ("not_a_risk", "everyday")


def _stored_for_review(forum, author, text):
    """A topic the classifier alone flagged (built as the pipeline would, so
    the journey does not hang on what the detector says of `text` today);
    returns its moderation case."""
    from django.db import transaction

    from community.moderation.models import ModerationCase
    from community.moderation.submission import Submission, store_content
    from community.safety.pipeline import Action, Verdict
    from community.safety.risk import RiskResult

    verdict = Verdict(
        text=text, action=Action.PUBLISH, risk=RiskResult(review=["suicide"])
    )
    submission = Submission(
        verdicts={"body": verdict}, verdict=verdict, clean={"body": text}
    )
    with transaction.atomic():
        topic = Topic(
            forum=forum, pathway=forum.pathway, author=author, title="Tired", body=text
        )
        store_content(topic, submission)
    return ModerationCase.objects.get(object_id=topic.pk, content_type__model="topic")


def test_a_report_is_moderated_and_the_reporter_hears_the_outcome(
    phone_page,
    new_context,
    pathway,
    sign_in,
    visit,
    submit,
    follow,
    screenshot,
    fits_the_screen,
):
    forum = make_forum(pathway)
    author = make_trusted(pathway, display_name="Sharp Words")
    reporter = make_member(pathway, display_name="Gentle Dawn")
    peer = make_member(pathway, Role.PEER, display_name="Wren Peer")
    enrol_totp(peer)
    from community.forums import actions as forums

    topic = forums.do_start_topic(
        author, forum, "Everyone here is pathetic", "You are all pathetic."
    ).obj

    page = phone_page
    sign_in(page, reporter)
    visit(page, f"/community/{pathway.slug}/topics/{topic.pk}/")
    screenshot(page, "topic-390")
    fits_the_screen(page)
    follow(page, "Report post by Sharp Words")
    submit(page, "Send report")  # nothing chosen: told, not lost
    expect(page.get_by_text("Choose a reason.").first).to_be_visible()
    page.get_by_label("It is unkind or hurtful").check()
    page.get_by_label("Anything else a moderator should know").fill("Very unkind")
    screenshot(page, "report-390")
    submit(page, "Send report")
    expect(page.get_by_text("Thank you for telling us")).to_be_visible()

    reporter_page = page
    page = new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    sign_in(page, peer, TOTP_SECRET)
    visit(page, f"/community/{pathway.slug}/moderation/")
    screenshot(page, "moderation-queue-390")
    fits_the_screen(page)
    follow(page, "Forum topic by Sharp Words")
    page.get_by_label("Hide it").check()
    page.get_by_label("Warning", exact=True).check()
    page.get_by_label("Why (kept in the audit log, not shown to the member)").fill(
        "Unkind to everyone"
    )
    screenshot(page, "moderation-case-390")
    fits_the_screen(page)
    submit(page, "Save decision")
    expect(page.get_by_text("Decision saved")).to_be_visible()
    topic.refresh_from_db()
    assert topic.status == ContentStatus.HIDDEN

    page = reporter_page
    visit(page, "/notifications/")
    expect(page.get_by_text("A moderator looked at it and removed it")).to_be_visible()
    screenshot(page, "notifications-390")


def test_a_rule_pack_asks_for_a_rewrite_and_keeps_the_text(
    phone_page, other_pathway, sign_in, visit, submit, screenshot, fits_the_screen
):
    other_pathway.rule_packs = ["eating_disorders"]
    other_pathway.save()
    forum = make_forum(other_pathway)
    member = make_trusted(other_pathway, display_name="Willow")
    page = phone_page
    sign_in(page, member)
    visit(page, f"/community/{other_pathway.slug}/forums/{forum.slug}/")
    page.get_by_label("Title").fill("A hard week")
    page.get_by_label("Your message").fill("I got down to 45kg and a size 6")
    submit(page, "Post topic")
    expect(
        page.get_by_role("alert").filter(has_text="There is a problem")
    ).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value(
        "I got down to 45kg and a size 6"
    )
    expect(page.get_by_label("Title")).to_have_value("A hard week")
    screenshot(page, "rule-pack-rewrite-390")
    fits_the_screen(page)
    assert not Topic.objects.exists()
