"""Translating a pathway's pages into Welsh with wagtail-localize: the Welsh
pages stay private to the pathway, peers may work on them through the same
review workflow, PO files export, and the footer offers the translations."""

import pytest
from wagtail.models import Locale, PageViewRestriction, WorkflowPage
from wagtail_localize.models import Translation

from community.models import Role
from home.models import PathwayPage
from home.translations import translate_page
from tests.factories import enrol_totp, make_blog_post, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(pathway):
    return make_blog_post(pathway)


def test_a_welsh_translation_is_private_to_the_pathway(
    client, post, pathway, other_pathway, django_capture_on_commit_callbacks
):
    welsh = Locale.objects.get(language_code="cy")
    with django_capture_on_commit_callbacks(execute=True):
        translated = translate_page(post, welsh)
    assert translated.locale == welsh and translated.live
    assert translated.url.startswith("/cy/")
    landing_cy = PathwayPage.objects.get(pathway=pathway, locale=welsh)
    # The Welsh landing page got the pathway's privacy and workflow.
    assert PageViewRestriction.objects.filter(page=landing_cy).exists()
    assert WorkflowPage.objects.filter(page=landing_cy).exists()

    client.force_login(make_member(pathway))
    assert client.get(translated.url).status_code == 200
    english = client.get(post.url).content.decode()
    assert f'href="{translated.url}"' in english and 'hreflang="cy"' in english
    client.force_login(make_member(other_pathway))
    assert client.get(translated.url).status_code == 404


def test_peers_can_edit_the_translation_and_export_a_po_file(
    client, post, pathway, django_capture_on_commit_callbacks
):
    welsh = Locale.objects.get(language_code="cy")
    with django_capture_on_commit_callbacks(execute=True):
        translated = translate_page(post, welsh)
    peer = make_member(pathway, Role.PEER)
    enrol_totp(peer)
    client.force_login(peer)
    assert client.get(f"/admin/pages/{translated.pk}/edit/").status_code == 200
    translation = Translation.objects.get(
        source__object_id=post.translation_key, target_locale=welsh
    )
    po = client.get(f"/admin/localize/translate/{translation.pk}/pofile/download/")
    assert po.status_code == 200 and b"What helped" in po.content


def test_a_po_file_brings_the_welsh_words_in(
    client, post, pathway, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    welsh = Locale.objects.get(language_code="cy")
    with django_capture_on_commit_callbacks(execute=True):
        translate_page(post, welsh)
    translation = Translation.objects.get(
        source__object_id=post.translation_key, target_locale=welsh
    )
    clinician = make_member(pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    client.force_login(clinician)
    base = f"/admin/localize/translate/{translation.pk}/pofile/"
    exported = client.get(base + "download/").content.decode()
    translated = exported.replace(
        'msgid "What helped"\nmsgstr ""',
        'msgid "What helped"\nmsgstr "Beth a helpodd"',
    )
    assert translated != exported
    upload = SimpleUploadedFile("cy.po", translated.encode(), "text/x-gettext")
    client.post(base + "upload/", {"file": upload, "next": "/admin/"})
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    welsh_post = post.get_translation(welsh)
    assert welsh_post.title == "Beth a helpodd"
