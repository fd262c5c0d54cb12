"""The audit log (community/audit.py): what writes a row (staff looking at a
member's record, sign-ins and their failures, refusals of staff pages), who
reads which rows in the Wagtail admin, that rows are append-only on
PostgreSQL with retention as the one audited exception, and that no row
holds what a member wrote, an email or a display name."""

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from community.audit import (
    audit,
    audit_retention_window,
    audit_rows_for,
    purge_audit_rows,
)
from community.forums import actions as forums
from community.models import AuditEvent, Role
from community.moderation.alerts import do_acknowledge_alert
from community.moderation.cases import do_decide_case, do_report
from community.moderation.models import Decision, ReportReason, RiskAlert
from community.social import actions as social
from tests.factories import (
    PASSWORD,
    UserFactory,
    enrol_totp,
    make_forum,
    make_member,
    make_trusted,
    membership,
    put_on_duty,
    totp_code,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def staff(pathway, role=Role.CLINICIAN, **fields):
    person = make_member(pathway, role, **fields)
    enrol_totp(person)
    return person


def rows(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# What writes a row -----------------------------------------------------------


def test_staff_viewing_a_members_profile_is_audited_in_that_pathway(client, pathway):
    member = make_trusted(pathway)
    clinician = staff(pathway)
    client.force_login(clinician)
    assert client.get(f"/people/{member.pk}/").status_code == 200
    row = rows("staff.viewed_profile").get()
    assert row.actor == clinician and row.pathway == pathway
    assert (row.target_type, row.target_id) == ("community.user", str(member.pk))


def test_a_member_viewing_a_profile_or_staff_their_own_leaves_no_row(client, pathway):
    member, other = make_trusted(pathway), make_trusted(pathway)
    client.force_login(member)
    assert client.get(f"/people/{other.pk}/").status_code == 200
    clinician = staff(pathway)
    client.force_login(clinician)
    assert client.get(f"/people/{clinician.pk}/").status_code == 200
    assert not rows("staff.viewed_profile").exists()


def test_staff_opening_a_risk_alert_is_audited(client, pathway):
    clinician = staff(pathway)
    put_on_duty(pathway, clinician)
    forums.do_start_topic(
        make_trusted(pathway), make_forum(pathway), "Tonight", "I want to end my life"
    )
    alert = RiskAlert.objects.get()
    client.force_login(clinician)
    assert client.get(f"/community/{pathway.slug}/alerts/{alert.pk}/").status_code == (
        200
    )
    row = rows("staff.viewed_alert", actor=clinician).get()
    assert row.pathway == pathway and row.target_id == str(alert.pk)
    # Acting on it writes its own row, not another look.
    client.post(
        f"/community/{pathway.slug}/alerts/{alert.pk}/", {"action": "acknowledge"}
    )
    assert rows("staff.viewed_alert").count() == 1
    assert rows("alert.acknowledged", actor=clinician).exists()


def test_the_case_page_and_history_page_write_their_rows(client, pathway):
    clinician = staff(pathway)
    author = make_trusted(pathway)
    topic = forums.do_start_topic(author, make_forum(pathway), "Hi", "A calm day").obj
    do_report(make_trusted(pathway), topic, ReportReason.UNKIND)
    case = topic_case(topic)
    client.force_login(clinician)
    slug = pathway.slug
    assert client.get(f"/community/{slug}/moderation/cases/{case.pk}/").status_code == (
        200
    )
    assert client.get(f"/community/{slug}/history/topic/{topic.pk}/").status_code == (
        200
    )
    assert rows("staff.viewed_case", actor=clinician, target_id=str(case.pk)).exists()
    history = rows("staff.viewed_history", actor=clinician).get()
    assert history.pathway == pathway and history.target_id == str(topic.pk)


def topic_case(topic):
    from django.contrib.contenttypes.models import ContentType

    from community.moderation.models import ModerationCase

    return ModerationCase.objects.get(
        content_type=ContentType.objects.get_for_model(topic), object_id=topic.pk
    )


def test_a_member_refused_a_staff_page_is_audited_and_still_sees_not_found(
    client, pathway
):
    member = make_trusted(pathway)
    client.force_login(member)
    for url in (
        f"/community/{pathway.slug}/moderation/",
        f"/community/{pathway.slug}/settings/",
        f"/community/{pathway.slug}/rota/",
        "/moderation/",
    ):
        assert client.get(url).status_code == 404
    refused = rows("access.refused", actor=member)
    assert sorted(refused.values_list("data__page", flat=True)) == [
        "moderation",
        "queue",
        "rota",
        "settings",
    ]
    assert refused.filter(pathway=pathway).count() == 3
    assert {row.data["answer"] for row in refused} == {404}


def test_a_missing_member_page_is_not_a_refusal(client, pathway):
    client.force_login(make_trusted(pathway))
    assert client.get(f"/community/{pathway.slug}/topics/999999/").status_code == 404
    assert not rows("access.refused").exists()


def test_sign_in_and_a_failed_sign_in_are_audited_without_the_address(client, home):
    person = UserFactory(email="quiet.heron@example.org")
    client.post("/accounts/login/", {"login": person.email, "password": "wrong-one"})
    failed = rows("sign_in.failed").get()
    assert failed.actor is None and failed.target_id == str(person.pk)
    assert failed.data == {"known_account": True}
    client.post("/accounts/login/", {"login": "nobody@example.org", "password": "x"})
    stranger = rows("sign_in.failed", target_id="").get()
    assert stranger.data == {"known_account": False}
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert rows("sign_in", actor=person).exists()
    dumped = " ".join(str(row.__dict__) for row in AuditEvent.objects.all())
    assert "heron" not in dumped and "nobody@" not in dumped


def test_a_wrong_two_factor_code_is_audited(client, pathway):
    clinician = staff(pathway)
    client.post("/accounts/login/", {"login": clinician.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    failed = rows("two_factor.failed", actor=clinician).get()
    assert failed.data == {"method": "totp", "reauthentication": False}
    assert not rows("sign_in", actor=clinician).exists()
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert rows("sign_in", actor=clinician).exists()


def test_settings_and_rota_changes_are_audited_from_their_pages(client, pathway):
    lead = staff(pathway, Role.LEAD)
    client.force_login(lead)
    response = client.get(f"/community/{pathway.slug}/settings/")
    form = response.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data["reports_to_hide"] = 5
    client.post(f"/community/{pathway.slug}/settings/", data)
    settings_row = rows("pathway.settings", actor=lead, pathway=pathway).get()
    assert "reports_to_hide" in settings_row.data["fields"]
    start = timezone.localtime() + timedelta(hours=1)
    client.post(
        f"/community/{pathway.slug}/rota/",
        {
            "user": lead.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            "position": 1,
        },
    )
    assert rows("rota.added", actor=lead, pathway=pathway).exists()


# Append-only, and retention ----------------------------------------------------


def test_purge_deletes_old_rows_and_records_how_many(pathway):
    old = audit(None, "alert.raised", pathway=pathway)
    with audit_retention_window():  # backdating is a change the trigger refuses
        AuditEvent.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=4000)
        )
    kept = audit(None, "alert.acknowledged", pathway=pathway)
    assert purge_audit_rows(timezone.now() - timedelta(days=365 * 8)) == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    purged = rows("retention.purged").get()
    assert purged.data["count"] == 1 and purged.actor is None


def _on_postgresql() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.skipif(
    not _on_postgresql(),
    reason="the append-only trigger exists on PostgreSQL only (migration 0019); "
    "CI runs the suite on PostgreSQL",
)
def test_on_postgresql_the_trigger_refuses_update_and_delete_outside_retention(
    pathway,
):
    from django.db import DatabaseError

    assert connection.vendor == "postgresql"
    row = audit(None, "alert.raised", pathway=pathway, level=0)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=row.pk).update(action="alert.nothing")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            AuditEvent.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE community_auditevent SET reason = 'x' WHERE id = %s",
                    [row.pk],
                )
    row.refresh_from_db()
    assert row.action == "alert.raised" and row.reason == ""
    # The window closes with its block, even inside a longer transaction.
    with transaction.atomic():
        with audit_retention_window():
            AuditEvent.objects.filter(pk=row.pk).update(reason="retention test")
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic():
                AuditEvent.objects.filter(pk=row.pk).delete()
    assert purge_audit_rows(timezone.now() + timedelta(seconds=1)) >= 1
    assert not AuditEvent.objects.filter(pk=row.pk).exists()
    assert rows("retention.purged").exists()


# Who reads which rows ------------------------------------------------------------


def _listed(client, query=""):
    response = client.get(f"/admin/audit/{query}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_site_administrator_reads_every_row_and_filters_them(
    client, pathway, other_pathway
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin)
    here = audit(admin, "rota.added", pathway=pathway)
    there = audit(None, "alert.raised", pathway=other_pathway)
    client.force_login(admin)
    page = _listed(client)
    assert "rota.added" in page and "alert.raised" in page
    assert "alert.raised" not in _listed(client, f"?pathway={pathway.pk}")
    assert "rota.added" not in _listed(client, "?action=alert.")
    by_person = _listed(client, f"?person={admin.pk}")
    assert "rota.added" in by_person and "alert.raised" not in by_person
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "rota.added" not in _listed(client, f"?created_at_from={tomorrow}")
    inspect = client.get(f"/admin/audit/inspect/{there.pk}/")
    assert inspect.status_code == 200
    assert str(here.pk) not in inspect.content.decode()


def test_the_csv_export_holds_the_rows_the_reader_may_read(
    client, pathway, other_pathway
):
    lead = staff(pathway, Role.LEAD)
    audit(lead, "rota.added", pathway=pathway, position=1)
    audit(None, "alert.raised", pathway=other_pathway)
    client.force_login(lead)
    response = client.get("/admin/audit/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(body)))
    assert {row["Action"] for row in table} >= {"rota.added"}
    assert all(row["Action"] != "alert.raised" for row in table)
    assert "person" in table[0] and "pathway" in table[0]


def test_a_lead_reads_only_their_own_pathways_rows_in_the_admin(
    client, pathway, other_pathway
):
    lead = staff(pathway, Role.LEAD)
    theirs = audit(None, "alert.raised", pathway=pathway)
    elsewhere = audit(None, "alert.escalated", pathway=other_pathway)
    sitewide = audit(None, "risk_phrase.added")
    client.force_login(lead)
    page = _listed(client)
    assert "alert.raised" in page
    assert "alert.escalated" not in page and "risk_phrase.added" not in page
    assert other_pathway.name not in _listed(client)  # not even in the filter
    assert client.get(f"/admin/audit/inspect/{theirs.pk}/").status_code == 200
    assert client.get(f"/admin/audit/inspect/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/admin/audit/inspect/{sitewide.pk}/").status_code == 404
    # Asking for the other pathway by filter finds nothing either.
    assert "alert.escalated" not in _listed(client, f"?pathway={other_pathway.pk}")
    readable = set(audit_rows_for(lead))
    assert theirs in readable and not {elsewhere, sitewide} & readable


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.PEER, Role.MEMBER])
def test_no_one_but_leads_and_administrators_reads_the_audit(client, pathway, role):
    person = staff(pathway, role)
    audit(None, "alert.raised", pathway=pathway)
    client.force_login(person)
    response = client.get("/admin/audit/")
    assert response.status_code in (302, 403, 404)
    assert b"alert.raised" not in response.content
    assert not audit_rows_for(person).exists()


def test_the_admin_offers_no_way_to_change_or_delete_a_row(client, pathway):
    admin = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(admin)
    row = audit(admin, "rota.added", pathway=pathway)
    client.force_login(admin)
    for url in (
        f"/admin/audit/edit/{row.pk}/",
        f"/admin/audit/delete/{row.pk}/",
        "/admin/audit/new/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code in (404, 405)
    assert AuditEvent.objects.filter(pk=row.pk, action="rota.added").exists()


# No member text in any row ------------------------------------------------------

# Keyword arguments an `audit(...)` call may pass as data: ids, counts, choice
# and field names. A new key is a decision: add it here only when it can never
# hold what a member wrote, an email or a display name.
SAFE_DATA_KEYS = {
    "answer",
    "attempts",
    "batch",
    "before",
    "by_staff",  # closing an account: whether staff did it
    "erased",  # closing an account: counts of rows, by kind
    "because",
    "category",
    "channel",
    "count",
    "days",
    "decision",
    "error",  # deliveries' _error_label: an exception's class and a status
    "fields",  # the names of the settings changed, not their values
    "kind",
    "known_account",
    "label_reason",  # a choice from LABEL_REASONS
    "language",
    "level",
    "method",
    "page",
    "posts",  # closing an account: "removed" or "kept"
    "reauthentication",
    "risk_alert",
    "role",
    "size",  # an export's size in bytes
    "strikes",
    "to_leads",
    "urgent",
    "versions",  # consent: "privacy:V,terms:V"
}
# Arguments that are not data.
NAMED = {"pathway", "target", "reason"}
# Source words that would carry a member's words or identity into a row.
FORBIDDEN_IN_SOURCE = (
    "body",
    "text",
    "email",
    "display_name",
    "bio",
    "title",
    "detail",
    "clean",
    "phrase.phrase",
)


def _audit_calls():
    for folder in ("community", "chat", "home", "search", "cms"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "audit"
                ):
                    yield path.relative_to(ROOT), node


def test_every_audit_call_passes_only_ids_and_names():
    calls = list(_audit_calls())
    assert len(calls) > 30  # the walk found them
    problems = []
    for path, call in calls:
        for keyword in call.keywords:
            where = f"{path}:{call.lineno}"
            if keyword.arg is None:
                # **why in alerts.escalation: built from counts and roles.
                if ast.unparse(keyword.value) != "why":
                    problems.append(f"{where}: **{ast.unparse(keyword.value)}")
                continue
            source = ast.unparse(keyword.value)
            if keyword.arg not in NAMED and keyword.arg not in SAFE_DATA_KEYS:
                problems.append(f"{where}: data key {keyword.arg}={source}")
            if any(word in source for word in FORBIDDEN_IN_SOURCE):
                problems.append(f"{where}: {keyword.arg}={source}")
    assert problems == []


def test_a_whole_journey_leaves_no_member_text_email_or_name_in_any_row(
    client, pathway
):
    """A member signs in, posts something risky and something ordinary, is
    reported, renames themself; staff look at the profile, the alert and
    the case, acknowledge, edit the post and mute the member. Not one row
    holds a word they wrote, their email or a name they used."""
    marker = "Marmalade-lighthouse"
    member = make_trusted(
        pathway, display_name="Zephyrine Quill", email="zq.private@example.org"
    )
    clinician = staff(pathway)
    put_on_duty(pathway, clinician)
    client.post("/accounts/login/", {"login": member.email, "password": "nope"})
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    forum = make_forum(pathway)
    risky = forums.do_start_topic(
        member, forum, f"{marker} title", f"{marker}: I want to end my life tonight"
    ).obj
    calm = forums.do_start_topic(member, forum, "Tea", f"{marker} tea at four").obj
    do_report(make_trusted(pathway), calm, ReportReason.UNKIND, f"{marker} in a report")
    social.do_post_on_wall(member, member, pathway, f"{marker} on my wall")
    client.force_login(member)
    client.post(
        "/account/profile/",
        {"display_name": "Yarrow Finch", "pronouns": "", "bio": f"{marker} bio"},
    )
    client.force_login(clinician)
    client.get(f"/people/{member.pk}/")
    alert = RiskAlert.objects.get()
    client.get(f"/community/{pathway.slug}/alerts/{alert.pk}/")
    do_acknowledge_alert(clinician, alert)
    moderator = membership(clinician, pathway)
    case = topic_case(calm)
    client.get(f"/community/{pathway.slug}/moderation/cases/{case.pk}/")
    do_decide_case(
        moderator,
        case,
        Decision.EDIT_OUT,
        note="edited after review",
        edited_text="tea at four",
        sanction="mute",
    )
    assert risky.pk and AuditEvent.objects.count() > 8
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "sign_in",
        "sign_in.failed",
        "alert.raised",
        "staff.viewed_profile",
        "staff.viewed_alert",
        "staff.viewed_case",
        "case.decided",
        "member.mute",
    } <= actions
    for row in AuditEvent.objects.all():
        stored = (
            f"{row.action} {row.target_type} {row.target_id} {row.reason} {row.data}"
        )
        for secret in (marker, "Zephyrine", "Quill", "Yarrow", "zq.private"):
            assert secret not in stored, (row.action, stored)
