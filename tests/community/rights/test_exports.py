"""A member's copy of their data: what it holds, who may read it, and a walk
of every model that fails when a new link to a person is not covered."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from community.notifications.models import Notification
from community.rights import actions as rights
from community.rights.exports import COVERAGE, EXPORTED, collect
from community.rights.models import DataExport, ExportState
from community.safety.registry import registered_kinds
from tests.community.rights.people import (
    BIO,
    CHAT_BODY,
    REPLY_BODY,
    REPORT_DETAIL,
    TOPIC_BODY,
    WALL_BODY,
    make_full_member,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def links_to_people() -> set[tuple[str, str]]:
    """Every (model, field) whose foreign key points at a person, declared
    on that model (inherited fields are their parent's)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and field.related_model is user_model
                and field.model is model
            ):
                found.add((model._meta.label, field.name))
    return found


def test_every_link_to_a_person_is_exported_or_left_out_for_a_reason():
    by_registry = {
        (kind.model._meta.label, kind.author_field) for kind in registered_kinds()
    }
    missing = links_to_people() - set(COVERAGE) - by_registry
    assert missing == set(), (
        "Add these to community/rights/exports.py COVERAGE (exported, or left "
        f"out with the reason): {sorted(missing)}"
    )
    for _what, why in COVERAGE.values():
        assert why, "every entry names its section or its reason"
    gone = set(COVERAGE) - links_to_people()
    assert gone == set(), f"COVERAGE names links that are gone: {sorted(gone)}"


def test_every_registered_content_kind_is_in_the_export(pathway):
    member = make_full_member(pathway)
    exported = {row["kind"] for row in collect(member.user)["content"]}
    # Comments need a page; every other kind is written by the member above.
    assert exported >= {k.name for k in registered_kinds()} - {"comment"}
    for kind in registered_kinds():
        link = (kind.model._meta.label, kind.author_field)
        assert COVERAGE.get(link, (EXPORTED,))[0] == EXPORTED, link


def test_the_copy_holds_what_the_member_wrote_and_chose(pathway):
    from community.web.consent import do_accept_documents

    member = make_full_member(pathway)
    do_accept_documents(member.user)
    data = collect(member.user)
    texts = [row["text"] for row in data["content"]]
    for body in (TOPIC_BODY, REPLY_BODY, WALL_BODY, CHAT_BODY, BIO):
        assert body in texts
    topic_row = next(r for r in data["content"] if r["kind"] == "topic")
    assert topic_row["earlier_texts"] == ["first draft"]
    assert data["profile"]["email"] == member.email
    assert data["profile"]["date_of_birth"] == "1990-05-17"
    assert data["settings"]["wall_audience"] == "members"
    assert data["settings"]["easy_read"] is False
    assert data["memberships"][0]["community"] == pathway.name
    assert data["reports_made"][0]["detail"] == REPORT_DETAIL
    assert data["mute_words"] == ["calories"]
    assert data["mutes"][0]["person"] == "Birch Bark"
    assert data["wall_messages_to_you"][0]["text"] == "Hello from Birch"
    assert data["two_factor"][0]["type"] == "totp"
    assert "secret" not in json.dumps(data["two_factor"])
    # What they agreed to, and when (do_accept_documents ran before the copy).
    assert {c["document"] for c in data["consents"]} == {"terms", "privacy"}


def test_the_copy_never_says_who_reported_or_blocked_the_member(pathway):
    member = make_full_member(pathway)
    from community.models import Block
    from community.moderation.models import ModerationCase, Report

    Block.objects.create(blocker=member.friend, blocked=member.user)
    case = ModerationCase.objects.create(
        pathway=pathway,
        content_type_id=ContentType.objects.get_for_model(member.reply).pk,
        object_id=member.reply.pk,
        author=member.user,
    )
    Report.objects.create(case=case, reporter=member.friend, reason="unkind")
    data = collect(member.user)
    assert member.friend.display_name not in [b["person"] for b in data["blocks"]]
    assert len(data["reports_made"]) == 1  # their own, not the one about them
    assert "unkind" == data["reports_made"][0]["reason"]


def test_asking_makes_the_zip_and_tells_the_member(
    client, pathway, django_capture_on_commit_callbacks
):
    member = make_full_member(pathway)
    client.force_login(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:my_data"))
    assert response.status_code == 302
    export = DataExport.objects.get(user=member.user)
    assert export.state == ExportState.READY
    assert export.expires_at is not None
    assert (export.expires_at - export.ready_at).days == 7
    notice = Notification.objects.get(user=member.user, kind="export_ready")
    assert notice.url == reverse("community:my_data")
    page = client.get(reverse("community:my_data"))
    download = reverse("community:download_export", kwargs={"export_id": export.pk})
    assert download in page.content.decode()

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert TOPIC_BODY in [row["text"] for row in data["content"]]
    html = archive.read("index.html").decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "default-src 'none'" in html


def test_nobody_else_reaches_a_copy(
    client, pathway, django_capture_on_commit_callbacks
):
    member = make_full_member(pathway)
    with django_capture_on_commit_callbacks(execute=True):
        export = rights.do_request_export(member.user)
    download = reverse("community:download_export", kwargs={"export_id": export.pk})
    # Not signed in: to the sign-in page, never the file.
    assert client.get(download).status_code == 302
    # Another member: not found, a kind page.
    client.force_login(member.friend)
    response = client.get(download)
    assert response.status_code == 404
    assert b"PK" not in response.content[:2]
    # A malformed id: not found, never a 500.
    client.force_login(member.user)
    bad = reverse("community:download_export", kwargs={"export_id": "not-an-id"})
    assert client.get(bad).status_code == 404
    delete = reverse("community:delete_export", kwargs={"export_id": "12345"})
    assert client.post(delete).status_code == 404


def test_the_file_is_not_served_from_media(
    client, pathway, django_capture_on_commit_callbacks
):
    member = make_full_member(pathway)
    with django_capture_on_commit_callbacks(execute=True):
        export = rights.do_request_export(member.user)
    export.refresh_from_db()
    client.force_login(member.user)
    assert client.get(export.file.url).status_code == 404


def test_a_second_ask_while_one_is_being_made_is_refused_kindly(client, pathway):
    member = make_member(pathway)
    client.force_login(member)
    client.post(reverse("community:my_data"))  # the task waits for the commit
    response = client.post(reverse("community:my_data"), follow=True)
    assert "being prepared" in response.content.decode()
    assert DataExport.objects.filter(user=member).count() == 1


def test_deleting_a_copy_removes_its_file(
    client, pathway, django_capture_on_commit_callbacks
):
    member = make_member(pathway)
    with django_capture_on_commit_callbacks(execute=True):
        export = rights.do_request_export(member)
    export.refresh_from_db()
    name, storage = export.file.name, export.file.storage
    assert storage.exists(name)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community:delete_export", kwargs={"export_id": export.pk}))
    assert not DataExport.objects.exists()
    assert not storage.exists(name)


def test_the_account_page_links_to_the_data_page(client, pathway):
    client.force_login(make_member(pathway))
    page = client.get(reverse("account_email")).content.decode()
    assert reverse("community:my_data") in page
    assert reverse("community:close_account") in page


def test_the_copy_holds_survey_answers_and_when_they_were_asked(pathway):
    from tests.community.rights.people import SURVEY_COMMENT

    member = make_full_member(pathway)
    data = collect(member.user)
    [answer] = data["survey_answers"]
    assert (answer["score"], answer["answer"]) == (4, "Agree")
    assert answer["community"] == pathway.name
    assert data["survey_asked"][0]["last_asked_at"]
    comment = next(r for r in data["content"] if r["kind"] == "survey")
    assert comment["text"] == SURVEY_COMMENT
