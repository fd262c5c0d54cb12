"""Closing an account, by the member or by staff on their written request:
a walk of every model proves nothing personal remains, for both choices."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse

from community import actions
from community.models import AuditEvent, ContentStatus, MembershipStatus, Role, User
from community.moderation.models import Report, RiskAlert, SafetyLabel
from community.notifications.models import PushSubscription
from community.rights import actions as rights
from community.rights.erasure import ERASURE
from community.safety.registry import registered_kinds
from tests.community.rights.people import (
    ALERT_BODY,
    BIO,
    CHAT_BODY,
    ENDPOINT,
    REPLY_BODY,
    REPORT_DETAIL,
    TOPIC_BODY,
    WALL_BODY,
    make_full_member,
)
from tests.community.rights.test_exports import links_to_people
from tests.factories import PASSWORD, make_member, make_pathway

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField)


def rows_holding(needle: str) -> list[str]:
    """Every (model.field) whose stored text contains `needle`."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and field.model is model:
                if model._base_manager.filter(
                    **{f"{field.name}__icontains": needle}
                ).exists():
                    found.append(f"{model._meta.label}.{field.name}")
            if isinstance(field, models.JSONField) and model is AuditEvent:
                for data in model.objects.values_list(field.name, flat=True):
                    if needle.lower() in str(data).lower():
                        found.append(f"{model._meta.label}.{field.name}")
    return found


def test_every_link_to_a_person_has_a_rule_when_an_account_closes():
    by_registry = {
        (kind.model._meta.label, kind.author_field) for kind in registered_kinds()
    }
    missing = links_to_people() - set(ERASURE) - by_registry
    assert missing == set(), (
        "Add these to community/rights/erasure.py ERASURE (and erase them there "
        f"if they are personal): {sorted(missing)}"
    )
    gone = set(ERASURE) - links_to_people()
    assert gone == set(), f"ERASURE names links that are gone: {sorted(gone)}"


@pytest.mark.parametrize("remove_posts", [True, False], ids=["remove", "keep"])
def test_nothing_personal_remains_after_closing(client, pathway, remove_posts):
    member = make_full_member(pathway)
    user = member.user
    actions.do_set_easy_read(user, True)
    client.force_login(user)
    other_device = make_member(pathway)  # someone else's session survives
    client_b = client.__class__()
    client_b.force_login(other_device)
    assert Session.objects.count() == 2

    rights.do_close_account(user, remove_posts=remove_posts)

    user.refresh_from_db()
    assert not user.is_active
    assert user.display_name.startswith("Former member ")
    assert not user.has_usable_password()
    assert user.date_of_birth is None
    assert not user.avatar_image
    assert user.pronouns == ""
    assert not user.easy_read and not user.easy_read_chosen
    for needle in (member.email, member.name, BIO, ENDPOINT, "she/her"):
        assert rows_holding(needle) == [], needle
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not PushSubscription.objects.filter(user=user).exists()
    assert Session.objects.count() == 1  # only the other person's
    assert not User.objects.filter(date_of_birth__isnull=False, pk=user.pk).exists()
    assert not SafetyLabel.objects.exists()
    assert set(user.memberships.values_list("status", flat=True)) == {
        MembershipStatus.SUSPENDED
    }
    # The clinical record stays, naming nobody.
    alert = RiskAlert.objects.get()
    assert alert.author_id == user.pk
    member.alerted.refresh_from_db()
    assert member.alerted.body == ALERT_BODY
    written = (TOPIC_BODY, REPLY_BODY, WALL_BODY, CHAT_BODY, REPORT_DETAIL)
    if remove_posts:
        for needle in written:
            assert rows_holding(needle) == [], needle
        member.topic.refresh_from_db()
        # Others replied under it: it keeps its place, marked removed.
        assert member.topic.status == ContentStatus.PUBLISHED
        assert member.topic.body == ""
        member.reply.refresh_from_db()
        assert member.reply.status == ContentStatus.HIDDEN
        # The words an alert was raised on: for clinicians only now.
        assert member.alerted.status == ContentStatus.HIDDEN
        assert Report.objects.get().detail == ""
    else:
        for needle in (TOPIC_BODY, REPLY_BODY, WALL_BODY, CHAT_BODY):
            assert rows_holding(needle), needle
        member.topic.refresh_from_db()
        assert member.topic.status == ContentStatus.PUBLISHED
        assert member.topic.author.display_name.startswith("Former member")
    event = AuditEvent.objects.get(action="rights.account_closed")
    assert event.data["posts"] == ("removed" if remove_posts else "kept")
    assert event.actor_id == user.pk


def test_a_closed_member_is_signed_out_and_cannot_sign_in(client, pathway):
    user = make_member(pathway)
    email = user.email
    client.force_login(user)
    rights.do_close_account(user, remove_posts=False)
    assert client.get(reverse("community:my_data")).status_code == 302
    assert not client.login(email=email, password=PASSWORD)


def test_closing_asks_for_the_password_and_a_wrong_one_is_a_kind_error(client, pathway):
    user = make_member(pathway)
    client.force_login(user)
    page = client.get(reverse("community:close_account"))
    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()
    response = client.post(reverse("community:close_account"), {"posts": "keep"})
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    wrong = client.post(response["Location"], {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert "password" in wrong.content.decode().lower()
    user.refresh_from_db()
    assert user.is_active
    right = client.post(response["Location"], {"password": PASSWORD})
    assert right.status_code == 302
    assert right["Location"].endswith(reverse("community:account_closed"))
    user.refresh_from_db()
    assert not user.is_active


def test_closing_without_a_choice_says_what_is_missing(client, pathway):
    """Before the password is asked for: nobody types it only to be told
    the form was not finished."""
    user = make_member(pathway)
    client.force_login(user)
    response = client.post(reverse("community:close_account"), {})
    assert response.status_code == 200
    assert "Choose what should happen" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active


@pytest.fixture
def lead(pathway):
    from tests.factories import enrol_totp

    lead = make_member(pathway, Role.LEAD, display_name="Lead Oak")
    enrol_totp(lead)
    return lead


def staff_client(client, staff):
    client.force_login(staff)
    session = client.session
    # Two-factor done, as the staff middleware asks.
    session["account_authentication_methods"] = [
        {"method": "password", "at": 0},
        {"method": "mfa", "type": "totp", "at": 0},
    ]
    session.save()
    return client


def test_a_lead_closes_a_members_account_with_a_reason(client, pathway, lead):
    member = make_full_member(pathway)
    c = staff_client(client, lead)
    url = reverse("community:close_account_for", kwargs={"user_id": member.user.pk})
    missing = c.post(url, {"posts": "remove", "reason": "  "})
    assert missing.status_code == 200
    assert "Please say why" in missing.content.decode()
    member.user.refresh_from_db()
    assert member.user.is_active
    done = c.post(url, {"posts": "remove", "reason": "Letter of 3 March, filed"})
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.is_active
    event = AuditEvent.objects.get(action="rights.account_closed")
    assert event.actor == lead
    # In the pathway's own audit, which its lead reads.
    assert event.pathway == pathway
    assert event.reason == "Letter of 3 March, filed"
    assert event.data["by_staff"] is True
    assert member.email not in str(event.data) and TOPIC_BODY not in str(event.data)


def test_a_lead_cannot_close_anyone_outside_their_pathway_or_staff(
    client, pathway, lead
):
    elsewhere = make_member(make_pathway())
    clinician = make_member(pathway, Role.CLINICIAN)
    c = staff_client(client, lead)
    for person in (elsewhere, clinician, lead):
        url = reverse("community:close_account_for", kwargs={"user_id": person.pk})
        assert c.post(url, {"posts": "keep", "reason": "asked"}).status_code == 404
        person.refresh_from_db()
        assert person.is_active
    bad = reverse("community:close_account_for", kwargs={"user_id": "nobody"})
    assert c.get(bad).status_code == 404


def test_a_member_cannot_close_another_members_account(client, pathway):
    member, other = make_member(pathway), make_member(pathway)
    client.force_login(member)
    url = reverse("community:close_account_for", kwargs={"user_id": other.pk})
    assert client.post(url, {"posts": "keep", "reason": "x"}).status_code == 404
    assert client.get(reverse("community:close_accounts")).status_code == 404


def test_an_administrator_finds_and_closes_an_account(client, pathway):
    admin = User.objects.create_superuser(
        email="admin@example.org", password=PASSWORD, display_name="Admin"
    )
    from community.web.consent import current_versions, signature
    from tests.factories import enrol_totp

    enrol_totp(admin)
    admin.consented_versions = signature(current_versions())  # as at sign-up
    admin.save()
    member = make_member(pathway, display_name="Willow Tree")
    c = staff_client(client, admin)
    found = c.get(reverse("community:close_accounts"), {"q": "willow"})
    assert "Willow Tree" in found.content.decode()
    url = reverse("community:close_account_for", kwargs={"user_id": member.pk})
    assert c.post(url, {"posts": "keep", "reason": "Email of 1 May"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert rights.check_closure_reason(" ok ") == "ok"


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        # Production with Redis: read from the cache, written to both.
        "django.contrib.sessions.backends.cached_db",
    ],
)
def test_closing_ends_every_session_in_the_database_and_the_cache(
    client, pathway, settings, engine
):
    from importlib import import_module

    settings.SESSION_ENGINE = engine
    user = make_member(pathway)
    client.force_login(user)
    key = client.session.session_key
    store = import_module(engine).SessionStore
    assert store(session_key=key).get("_auth_user_id") == str(user.pk)
    rights.do_close_account(user, remove_posts=False)
    assert not Session.objects.filter(session_key=key).exists()
    # A fresh store finds nothing: not in the table, not in the cache.
    assert store(session_key=key).load() == {}


@pytest.mark.parametrize("remove_posts", [True, False], ids=["remove", "keep"])
def test_closing_keeps_survey_scores_for_the_figures_under_nobody(
    pathway, remove_posts
):
    from community.survey.models import SurveyAnswer, SurveyPrompt
    from tests.community.rights.people import SURVEY_COMMENT

    member = make_full_member(pathway)
    rights.do_close_account(member.user, remove_posts=remove_posts)
    answer = SurveyAnswer.objects.get()
    assert answer.score == 4 and answer.user.display_name.startswith("Former member")
    assert not SurveyPrompt.objects.exists()
    assert bool(rows_holding(SURVEY_COMMENT)) is not remove_posts
