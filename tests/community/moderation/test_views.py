"""The moderation queue, risk alerts, the rota, profiles with block and mute,
personal safety settings, notifications and risk phrases, through the test
client: who may open each, bad input shown again, nothing of another pathway."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.forums import actions as forums
from community.models import Block, ContentStatus, Mute, Role
from community.moderation.cases import do_decide_case, do_report
from community.moderation.models import (
    AlertState,
    CaseState,
    DutyShift,
    LabelDecision,
    ModerationCase,
    ReportReason,
    RiskAlert,
    SafetyLabel,
)
from community.moderation.submission import Submission, store_content
from community.notifications.models import Notification
from community.safety.models import RiskPhrase
from tests.factories import (
    enrol_totp,
    make_failed_delivery,
    make_forum,
    make_member,
    make_trusted,
    put_on_duty,
)

pytestmark = pytest.mark.django_db


def staff(client, pathway, role=Role.CLINICIAN):
    user = make_member(pathway, role)
    enrol_totp(user)
    client.force_login(user)
    return user


def held_topic(pathway, body="First post"):
    forum = pathway.forums.first() or make_forum(pathway)
    return forums.do_start_topic(make_member(pathway), forum, "Hi", body).obj


def risky_topic(pathway):
    forum = pathway.forums.first() or make_forum(pathway)
    return forums.do_start_topic(
        make_trusted(pathway), forum, "night", "I want to kill myself"
    ).obj


def stored(pathway, text="Some words of mine", review=(), imminent=(), author=None):
    """A topic stored as the pipeline would with this risk (a review, or an
    urgent act), whatever the detector says of `text` today."""
    from django.db import transaction

    from community.forums.models import Topic
    from community.safety.pipeline import Action, Verdict
    from community.safety.risk import ImminentMatch, RiskResult

    forum = pathway.forums.first() or make_forum(pathway)
    risk = RiskResult(
        scores={category: 1.0 for category, _kind in imminent},
        review=list(review),
        imminent=[ImminentMatch(c, kind, "x") for c, kind in imminent],
    )
    verdict = Verdict(
        text=text, action=Action.HOLD if imminent else Action.PUBLISH, risk=risk
    )
    submission = Submission(
        verdicts={"body": verdict}, verdict=verdict, clean={"body": text}
    )
    with transaction.atomic():
        topic = Topic(
            forum=forum,
            pathway=pathway,
            author=author or make_trusted(pathway),
            title="Hi",
            body=text,
        )
        return store_content(topic, submission)


def test_the_queue_lists_alerts_and_held_posts_oldest_first(client, pathway):
    clinician = staff(client, pathway)
    put_on_duty(pathway, clinician)
    first = held_topic(pathway, "older")
    held_topic(pathway, "newer")
    ModerationCase.objects.filter(object_id=first.pk).update(
        opened_at=timezone.now() - timedelta(hours=1)
    )
    risky_topic(pathway)
    page = client.get(f"/community/{pathway.slug}/moderation/").content.decode()
    assert "Alert about" in page
    assert page.index("older") < page.index("newer")
    assert "Held" in page and "Risk" in page


def test_a_moderator_decides_and_bad_input_is_shown_again(client, pathway):
    staff(client, pathway, Role.PEER)
    topic = held_topic(pathway)
    case = ModerationCase.objects.get()
    url = f"/community/{pathway.slug}/moderation/cases/{case.pk}/"
    assert "First post" in client.get(url).content.decode()
    empty = client.post(url, {}).content.decode()
    assert "Choose what should happen to the post." in empty
    edit = client.post(url, {"decision": "edit_out", "note": "kept"}).content.decode()
    assert "Give the edited text" in edit and 'value="kept"' in edit
    done = client.post(url, {"decision": "approve", "sanction": ""})
    assert done.status_code == 302
    topic.refresh_from_db()
    assert topic.status == ContentStatus.PUBLISHED
    assert ModerationCase.objects.get().state == CaseState.CLOSED


def test_a_clinician_acknowledges_notes_and_resolves_an_alert(client, pathway):
    clinician = staff(client, pathway)
    put_on_duty(pathway, clinician)
    risky_topic(pathway)
    alert = RiskAlert.objects.get()
    url = f"/community/{pathway.slug}/alerts/{alert.pk}/"
    page = client.get(url).content.decode()
    assert "I want to kill myself" in page and "Acknowledge" in page
    client.post(url, {"action": "acknowledge"})
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED and alert.acknowledged_by == clinician
    assert (
        "Write the note first."
        in client.post(url, {"action": "note", "note": ""}).content.decode()
    )
    client.post(url, {"action": "note", "note": "Called them back"})
    assert "Called them back" in client.get(url).content.decode()
    client.post(url, {"action": "resolve"})
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_members_and_other_pathways_staff_reach_no_moderation_page(
    client, pathway, other_pathway
):
    topic = held_topic(pathway)
    risky_topic(pathway)
    case, alert = (
        ModerationCase.objects.get(object_id=topic.pk),
        RiskAlert.objects.get(),
    )
    shift = put_on_duty(pathway, make_member(pathway, Role.CLINICIAN))
    urls = [
        f"/community/{pathway.slug}/moderation/",
        f"/community/{pathway.slug}/moderation/cases/{case.pk}/",
        f"/community/{pathway.slug}/alerts/{alert.pk}/",
        f"/community/{pathway.slug}/rota/",
        f"/community/{pathway.slug}/rota/{shift.pk}/remove/",
    ]
    client.force_login(make_trusted(pathway))
    for url in urls[:-1]:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[-1]).status_code == 404
    staff(client, other_pathway, Role.LEAD)
    urls += [
        f"/community/{other_pathway.slug}/moderation/cases/{case.pk}/",
        f"/community/{other_pathway.slug}/alerts/{alert.pk}/",
        f"/community/{other_pathway.slug}/rota/{shift.pk}/remove/",
    ]
    for url in urls:
        response = client.post(url, {"decision": "hide", "action": "resolve"})
        assert response.status_code == 404, url
    assert ModerationCase.objects.get(pk=case.pk).state == CaseState.OPEN
    assert RiskAlert.objects.get().state == AlertState.OPEN
    assert DutyShift.objects.filter(pk=shift.pk).exists()


def test_leads_edit_the_rota_others_only_see_it(client, pathway):
    peer = make_member(pathway, Role.PEER)
    staff(client, pathway, Role.CLINICIAN)
    url = f"/community/{pathway.slug}/rota/"
    assert "Add a shift" not in client.get(url).content.decode()
    assert client.post(url, {"user": peer.pk}).status_code == 404
    staff(client, pathway, Role.LEAD)
    bad = client.post(
        url,
        {
            "user": peer.pk,
            "starts_at": "2026-11-24T20:00",
            "ends_at": "2026-11-24T08:00",
            "position": 1,
        },
    ).content.decode()
    assert "The shift must end after it starts." in bad
    assert "2026-11-24T20:00" in bad  # what they typed is kept
    member = make_member(pathway)
    not_staff = client.post(
        url,
        {
            "user": member.pk,
            "starts_at": "2026-11-24T08:00",
            "ends_at": "2026-11-24T20:00",
            "position": 1,
        },
    ).content.decode()
    assert "There is a problem" in not_staff
    good = client.post(
        url,
        {
            "user": peer.pk,
            "starts_at": "2026-11-24T08:00",
            "ends_at": "2026-11-24T20:00",
            "position": 2,
        },
    )
    assert good.status_code == 302
    shift = DutyShift.objects.get()
    assert shift.user == peer and shift.position == 2
    client.post(f"/community/{pathway.slug}/rota/{shift.pk}/remove/")
    assert not DutyShift.objects.exists()


def test_profiles_are_for_people_who_share_a_pathway_and_blocks_hide_them(
    client, pathway, other_pathway
):
    me, them = make_member(pathway), make_member(pathway)
    stranger = make_member(other_pathway)
    client.force_login(me)
    assert them.display_name in client.get(f"/people/{them.pk}/").content.decode()
    assert client.get(f"/people/{stranger.pk}/").status_code == 404
    client.post(f"/people/{them.pk}/block/")
    client.post(f"/people/{them.pk}/mute/")
    assert Block.objects.filter(blocker=me, blocked=them).exists()
    assert Mute.objects.filter(muter=me, muted=them).exists()
    client.force_login(them)
    assert client.get(f"/people/{me.pk}/").status_code == 404
    assert client.post(f"/people/{me.pk}/block/").status_code == 404
    client.force_login(me)
    client.post(f"/people/{them.pk}/unblock/")
    client.post(f"/people/{them.pk}/unmute/")
    assert not Block.objects.exists() and not Mute.objects.exists()
    assert client.post(f"/people/{them.pk}/explode/").status_code == 404
    assert client.get(f"/people/{them.pk}/block/").status_code == 405


def test_mute_words_page(client, pathway):
    me = make_member(pathway)
    client.force_login(me)
    assert (
        "Type a word or phrase."
        in client.post("/account/safety/", {"word": ""}).content.decode()
    )
    client.post("/account/safety/", {"word": "Scales"})
    word = me.mute_words.get()
    assert word.word == "scales"
    assert "scales" in client.get("/account/safety/").content.decode()
    client.post("/account/safety/", {"remove": word.pk})
    assert not me.mute_words.exists()


def test_notifications_page_shows_and_reads_them(client, pathway):
    me = make_trusted(pathway)
    forum = make_forum(pathway)
    topic = forums.do_start_topic(me, forum, "Hi", "Hello").obj
    reporter = make_member(pathway)
    do_report(reporter, topic, ReportReason.SPAM)
    do_decide_case(
        make_member(pathway, Role.CLINICIAN).memberships.get(),
        ModerationCase.objects.get(),
        "hide",
    )
    client.force_login(me)
    header = client.get("/notifications/").content.decode()
    assert "has not shown your post" in header
    assert not Notification.objects.filter(user=me, read_at=None).exists()
    assert Notification.objects.get(user=reporter, read_at=None).kind == (
        "report_outcome"
    )


def test_risk_phrases_are_for_leads(client, pathway):
    staff(client, pathway, Role.CLINICIAN)
    assert client.get("/safety/words/").status_code == 404
    staff(client, pathway, Role.LEAD)
    assert (
        "Choose what the phrase is a sign of."
        in client.post(
            "/safety/words/", {"phrase": "off the bridge", "language": "en"}
        ).content.decode()
    )
    client.post(
        "/safety/words/",
        {"phrase": "rainbow bridge", "category": "suicide", "language": "en"},
    )
    phrase = RiskPhrase.objects.get()
    assert "rainbow bridge" in client.get("/safety/words/").content.decode()
    client.post("/safety/words/", {"remove": phrase.pk})
    assert not RiskPhrase.objects.exists()


def test_moderation_home_lists_what_waits(client, pathway):
    staff(client, pathway, Role.PEER)
    held_topic(pathway)
    page = client.get("/moderation/").content.decode()
    assert pathway.name in page and "1 post waiting" in page
    client.force_login(make_member(pathway))
    assert client.get("/moderation/").status_code == 404


def test_a_review_case_says_the_classifier_alone_saw_it(client, pathway):
    clinician = staff(client, pathway)
    put_on_duty(pathway, clinician)
    topic = stored(
        pathway, "there is no reason for me to keep going on like this", ["suicide"]
    )
    case = ModerationCase.objects.get(object_id=topic.pk)
    page = client.get(
        f"/community/{pathway.slug}/moderation/cases/{case.pk}/"
    ).content.decode()
    assert "Only the statistical classifier saw a sign here" in page
    assert "Please review" in page and "Teach Harbour" in page


def test_a_page_can_fetch_the_notices_it_missed(client, pathway):
    from community.notifications.actions import notify

    me, other = make_member(pathway), make_member(pathway)
    first = notify(me, pathway, "moderation", "First")
    notify(other, pathway, "moderation", "Not mine")
    second = notify(me, pathway, "moderation", "Second")
    client.force_login(me)
    url = "/notifications/since/"
    after = client.get(url, {"after": first.pk}).json()["notices"]
    assert [n["message"] for n in after] == ["Second"]
    since = client.get(url, {"since": "0"}).json()["notices"]
    assert [n["id"] for n in since] == [first.pk, second.pk]
    assert client.get(url, {"after": "x"}).status_code == 400


# Deliveries that could not be delivered -------------------------------------------


def test_leads_see_what_could_not_be_delivered_and_try_it_again(
    client, pathway, mailoutbox, django_capture_on_commit_callbacks
):
    from community.models import AuditEvent
    from community.notifications.models import Delivery, DeliveryState

    delivery = make_failed_delivery(
        pathway, make_member(pathway, display_name="Quiet Heron")
    )
    lead = staff(client, pathway, Role.LEAD)
    page = client.get(f"/community/{pathway.slug}/moderation/").content.decode()
    assert "1 notification could not be delivered" in page
    assert "Quiet Heron" in page and "ConnectionRefusedError" in page
    assert delivery.recipient.email not in page  # a display name, not an address
    retry = f"/community/{pathway.slug}/deliveries/{delivery.pk}/retry/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    assert response["Location"].endswith("/moderation/#undelivered")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert [m.to for m in mailoutbox] == [[delivery.recipient.email]]
    assert AuditEvent.objects.filter(action="delivery.retried", actor=lead).exists()
    page = client.get(f"/community/{pathway.slug}/moderation/").content.decode()
    assert "could not be delivered" not in page
    assert Delivery.objects.count() == 1


def test_other_staff_and_other_pathways_leads_neither_see_nor_retry_them(
    client, pathway, other_pathway
):
    from community.notifications.models import DeliveryState

    delivery = make_failed_delivery(
        pathway, make_member(pathway, display_name="Quiet Heron")
    )
    staff(client, pathway, Role.CLINICIAN)
    page = client.get(f"/community/{pathway.slug}/moderation/").content.decode()
    assert "could not be delivered" not in page and "Quiet Heron" not in page
    retry = f"/community/{pathway.slug}/deliveries/{delivery.pk}/retry/"
    assert client.post(retry).status_code == 404

    # A lead of pathway B: A's delivery is "not found" through A's address and
    # through B's, alike with one that does not exist.
    staff(client, other_pathway, Role.LEAD)
    make_member(other_pathway)  # B has members of its own
    assert client.post(retry).status_code == 404
    for pk in (delivery.pk, 999999):
        url = f"/community/{other_pathway.slug}/deliveries/{pk}/retry/"
        assert client.post(url).status_code == 404
    queue = f"/community/{other_pathway.slug}/moderation/"
    assert "Quiet Heron" not in client.get(queue).content.decode()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED


@pytest.mark.parametrize(
    "query",
    [
        {"after": "²"},
        {"since": "²"},
        {"since": str(10**30)},
        {"after": str(10**30)},
        {"after": "-1"},
        {"since": "1" * 10_000},
    ],
)
def test_odd_numbers_for_missed_notices_are_a_clear_400(client, pathway, query):
    client.force_login(make_member(pathway))
    response = client.get("/notifications/since/", query)
    assert response.status_code == 400
    assert response.json() == {"error": "Give after or since."}


@pytest.mark.parametrize("odd", ["²", str(10**30), "-1", ""])
def test_removing_an_odd_mute_word_removes_nothing(client, pathway, odd):
    me = make_member(pathway)
    client.force_login(me)
    client.post("/account/safety/", {"word": "Scales"})
    response = client.post("/account/safety/", {"remove": odd})
    assert response.status_code == 302
    assert me.mute_words.count() == 1


# Reviews, labels, urgent alerts and the home page ------------------------------------


def test_a_review_is_cleared_from_the_queue_in_one_tap_with_a_reason(client, pathway):
    clinician = staff(client, pathway)
    topic = stored(
        pathway, "Just joined. My little one is 3 weeks old.", ["safeguarding"]
    )
    case = ModerationCase.objects.get(object_id=topic.pk)
    queue = f"/community/{pathway.slug}/moderation/"
    page = client.get(queue).content.decode()
    assert "Please review" in page and "An everyday phrase or idiom" in page
    assert not RiskAlert.objects.exists()
    clear = f"/community/{pathway.slug}/moderation/cases/{case.pk}/clear/"
    response = client.post(clear, {"label-reason": "everyday"})
    assert response.status_code == 302 and response.url == queue
    label = SafetyLabel.objects.get()
    assert (label.decision, label.reason, label.decided_by) == (
        LabelDecision.NOT_A_RISK,
        "everyday",
        clinician,
    )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and not case.for_review
    assert "Please review" not in client.get(queue).content.decode()


@pytest.mark.parametrize(
    "posted, said",
    [
        ({}, "Choose a reason, so Harbour can learn from it."),
        ({"label-reason": "<b>nonsense</b>"}, "Choose one of the reasons given."),
        ({"label-reason": "risk_stated"}, "That reason doesn&#x27;t fit"),
        (
            {"label-reason": "plan_or_act", "label-decision": "confirmed"},
            "That reason doesn&#x27;t fit",
        ),
    ],
)
def test_a_bad_or_missing_reason_shows_the_queue_again_kindly(
    client, pathway, posted, said
):
    staff(client, pathway, Role.PEER)
    topic = stored(pathway, review=["suicide"])
    case = ModerationCase.objects.get(object_id=topic.pk)
    response = client.post(
        f"/community/{pathway.slug}/moderation/cases/{case.pk}/clear/", posted
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert said in page and f'id="clear-{case.pk}-error"' in page
    assert "<b>nonsense</b>" not in page
    assert not SafetyLabel.objects.exists()
    case.refresh_from_db()
    assert case.for_review and case.state == CaseState.OPEN


def test_staff_of_another_pathway_can_neither_see_nor_clear_a_review(
    client, pathway, other_pathway
):
    topic = stored(pathway, "A sentence only they should see", ["suicide"])
    case = ModerationCase.objects.get(object_id=topic.pk)
    staff(client, other_pathway, Role.LEAD)
    base = f"/community/{pathway.slug}/moderation"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/cases/{case.pk}/").status_code == 404
    assert (
        client.post(
            f"{base}/cases/{case.pk}/clear/", {"label-reason": "everyday"}
        ).status_code
        == 404
    )
    # Nor through their own pathway's address.
    own = f"/community/{other_pathway.slug}/moderation"
    assert (
        client.post(
            f"{own}/cases/{case.pk}/clear/", {"label-reason": "everyday"}
        ).status_code
        == 404
    )
    assert client.get(f"{own}/cases/{case.pk}/").status_code == 404
    assert "only they should see" not in client.get(f"{own}/").content.decode()
    assert "only they should see" not in client.get("/").content.decode()
    assert not SafetyLabel.objects.exists()
    client.force_login(make_member(pathway))  # a member of the pathway, not staff
    assert (
        client.post(
            f"{base}/cases/{case.pk}/clear/", {"label-reason": "everyday"}
        ).status_code
        == 404
    )


def test_staff_label_an_alert_from_its_page_and_bad_input_is_shown_again(
    client, pathway
):
    clinician = staff(client, pathway)
    stored(pathway, "took them all", imminent=[("suicide", "act")])
    alert = RiskAlert.objects.get()
    url = f"/community/{pathway.slug}/alerts/{alert.pk}/"
    page = client.get(url).content.decode()
    assert "Urgent risk alert about" in page and "Teach Harbour" in page
    bad = client.post(url, {"action": "label", "label-decision": "confirmed"})
    assert bad.status_code == 200
    assert "Choose a reason, so Harbour can learn from it." in bad.content.decode()
    done = client.post(
        url,
        {
            "action": "label",
            "label-decision": "confirmed",
            "label-reason": "plan_or_act",
        },
    )
    assert done.status_code == 302
    label = SafetyLabel.objects.get()
    assert (label.decision, label.tier, label.decided_by) == (
        "confirmed",
        "urgent",
        clinician,
    )
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED


def test_an_urgent_alert_shows_first_in_the_queue_with_the_crisis_team_phone(
    client, pathway
):
    pathway.out_of_hours_phone = "0300 123 4567"
    pathway.save()
    staff(client, pathway)
    risky_topic(pathway)
    stored(pathway, "took them all", imminent=[("suicide", "act")])
    page = client.get(f"/community/{pathway.slug}/moderation/").content.decode()
    assert page.index("Urgent alert about") < page.index("Alert about")
    urgent = RiskAlert.objects.get(urgent=True)
    alert_page = client.get(
        f"/community/{pathway.slug}/alerts/{urgent.pk}/"
    ).content.decode()
    assert "0300 123 4567" in alert_page
    assert "Found: something happening now." in alert_page


def test_staff_see_open_alerts_first_on_their_home_page_urgent_first_own_only(
    client, pathway, other_pathway
):
    from tests.factories import make_site

    make_site()
    risky_topic(pathway)
    stored(pathway, "took them all", imminent=[("suicide", "act")])
    stored(
        other_pathway,
        "elsewhere",
        imminent=[("suicide", "act")],
        author=make_trusted(other_pathway, display_name="Far Away"),
    )
    staff(client, pathway)
    page = client.get("/").content.decode()
    assert "2 risk alerts are open" in page
    assert page.index("Urgent alert in Perinatal care") < page.index(
        "Alert in Perinatal care"
    )
    assert page.index("risk alerts are open") < page.index("Your communities")
    assert "Far Away" not in page and "Eating disorders" not in page
    urgent = RiskAlert.objects.get(pathway=pathway, urgent=True)
    assert f"/community/{pathway.slug}/alerts/{urgent.pk}/" in page
    client.force_login(make_member(pathway))
    assert "risk alert" not in client.get("/").content.decode()


def test_leads_set_the_urgent_minutes_and_the_out_of_hours_route(client, pathway):
    staff(client, pathway, Role.LEAD)
    url = f"/community/{pathway.slug}/settings/"
    form = {
        "name": pathway.name,
        "premoderation_threshold": 3,
        "minimum_age": 16,
        "reports_to_hide": 3,
        "alert_acknowledge_minutes": 15,
        "urgent_acknowledge_minutes": 3,
        "out_of_hours_email": "crisis@trust.example",
        "out_of_hours_phone": "0300 123 4567",
    }
    assert client.post(url, form).status_code == 302
    pathway.refresh_from_db()
    assert pathway.urgent_acknowledge_minutes == 3
    assert pathway.out_of_hours_email == "crisis@trust.example"
    bad = client.post(url, {**form, "urgent_acknowledge_minutes": 0})
    assert bad.status_code == 200 and "nhsuk-error-summary" in bad.content.decode()
    left_out = {k: v for k, v in form.items() if k != "urgent_acknowledge_minutes"}
    assert client.post(url, left_out).status_code == 302
    pathway.refresh_from_db()
    assert pathway.urgent_acknowledge_minutes == 3  # kept when a form leaves it out
    assert (
        client.post(url, {**form, "urgent_acknowledge_minutes": ""}).status_code == 302
    )
    pathway.refresh_from_db()
    assert pathway.urgent_acknowledge_minutes == 5  # blank: the default
