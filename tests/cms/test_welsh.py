"""Welsh that is Welsh (issue #21, docs/welsh.md): every string the code marks
has a used Welsh entry in locale/cy, the compiled catalogues match their
sources, /cy/ pages speak Welsh, what stays English says so (lang="en"), and
emails speak their recipient's language, not the sender's."""

from html import escape
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import gettext

from cms.deploy import messages
from community.actions import do_remember_language
from community.forums import actions as forums
from community.models import EmailFrequency, Role
from community.moderation.models import RiskAlert
from community.notifications.actions import notify_many
from community.queries import language_of, languages_of
from community.web import allauth_words
from home.models import PathwayPage
from tests.community.moderation.posting import post
from tests.factories import (
    PASSWORD,
    make_blog_post,
    make_forum,
    make_member,
    make_trusted,
    put_on_duty,
)


def catalogue() -> dict[tuple[str, str], polib.POEntry]:
    entries = {}
    for domain in messages.DOMAINS:
        for entry in polib.pofile(str(messages.po_path(domain))):
            entries[messages.key(entry)] = entry
    return entries


def welsh(english: str) -> str:
    """`english` as the compiled catalogue gives it on a /cy/ page."""
    with translation.override("cy"):
        text = gettext(english)
    assert text != english, f"no Welsh for {english!r}"
    return text


# The catalogue -----------------------------------------------------------------


def test_every_marked_string_has_welsh_that_fits():
    entries = catalogue()
    problems = []
    for marked in messages.marked_strings():
        entry = entries.get((marked.context, marked.msgid))
        if entry is None:
            problems.append(f"{marked.where}: not in locale/cy: {marked.msgid!r}")
        elif not messages.is_translated(entry):
            problems.append(f"{marked.where}: no Welsh (or fuzzy): {marked.msgid!r}")
        elif (why := messages.mismatch(entry)) != "":
            problems.append(f"{marked.where}: {why}: {marked.msgid!r}")
        elif marked.plural and entry.msgid_plural != marked.plural:
            problems.append(f"{marked.where}: plural differs: {marked.msgid!r}")
    assert not problems, (
        "Run `make messages` with the Welsh for these (docs/welsh.md):\n"
        + "\n".join(problems[:40])
    )


def test_the_check_finds_a_string_marked_without_welsh(tmp_path, monkeypatch):
    template = tmp_path / "templates" / "new.html"
    template.parent.mkdir()
    template.write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody translated" %}</p>'
        "{% blocktranslate with n=3 %}{{ n }} new{% endblocktranslate %} 100%"
    )
    script = tmp_path / "templates" / "new.js"
    script.write_text('label.textContent = gettext("Uploading");')
    monkeypatch.setattr(messages, "ROOT", tmp_path)
    monkeypatch.setattr(messages, "SOURCE_FOLDERS", ("templates",))
    found = {m.msgid for m in messages.marked_strings()}
    assert found == {"A sentence nobody translated", "%(n)s new", "Uploading"}
    assert not found & {msgid for _context, msgid in catalogue()}


def test_placeholders_and_markup_must_survive_translation():
    fits = polib.POEntry(
        msgid='Call <a href="tel:999">999</a>, %(name)s.',
        msgstr='Ffoniwch <a href="tel:999">999</a>, %(name)s.',
    )
    lost_link = polib.POEntry(msgid=fits.msgid, msgstr="Ffoniwch 999, %(name)s.")
    lost_name = polib.POEntry(
        msgid=fits.msgid, msgstr='Ffoniwch <a href="tel:999">999</a>.'
    )
    assert messages.mismatch(fits) == ""
    assert "markup" in messages.mismatch(lost_link)
    assert "placeholders" in messages.mismatch(lost_name)


def test_no_entry_is_fuzzy_empty_or_left_over():
    for domain in messages.DOMAINS:
        po = polib.pofile(str(messages.po_path(domain)))
        assert not po.metadata_is_fuzzy, domain  # msgfmt would drop the plural rule
        assert po.metadata["Plural-Forms"] == messages.PLURAL_FORMS
        assert po.obsolete_entries() == []
        assert [e.msgid for e in po if not messages.is_translated(e)] == []


def test_each_compiled_catalogue_is_its_po():
    for po in [*map(messages.po_path, messages.DOMAINS), messages.ENGLISH_WORDING]:
        compiled = {
            messages.key(entry): messages.translations(entry)
            for entry in polib.mofile(str(po.with_suffix(".mo")))
            if entry.msgid
        }
        written = {
            messages.key(entry): messages.translations(entry)
            for entry in polib.pofile(str(po))
            if messages.is_translated(entry)
        }
        assert compiled == written, f"run `make messages` ({po.name} is stale)"


def test_welsh_plurals_use_all_four_forms():
    entry = catalogue()[("", "%(n)s year")]
    with translation.override("cy"):
        # Welsh: one, two, "few" (3 and most others), "many" (8 and 11).
        forms = [
            translation.ngettext("%(n)s year", "%(n)s years", n) for n in (1, 2, 3, 8)
        ]
    assert forms == [entry.msgstr_plural[i] for i in range(4)]
    assert len(set(forms)) == 4


def test_allauths_words_are_marked_as_allauth_and_django_look_them_up():
    """Marked msgids that allauth or Django no longer use (an upgrade
    reworded them) would be Welsh that never shows."""
    import allauth
    import django

    used = set()
    for package, catalogue in (
        (allauth, "locale/en/LC_MESSAGES/django.po"),
        (django, "contrib/auth/locale/en/LC_MESSAGES/django.po"),
    ):
        path = Path(package.__path__[0]) / catalogue
        for entry in polib.pofile(str(path)):
            used |= {entry.msgid, entry.msgid_plural or entry.msgid}
    marked = list(messages.python_strings(Path(allauth_words.__file__)))
    assert len(marked) == len(allauth_words.ALLAUTH_WORDS) + len(
        allauth_words.ALLAUTH_PLURALS
    )
    assert [m.msgid for m in marked if not {m.msgid, m.plural or m.msgid} <= used] == []
    english = {entry.msgid for entry in polib.pofile(str(messages.ENGLISH_WORDING))}
    assert english <= {m.msgid for m in marked}


# Pages ---------------------------------------------------------------------------


@pytest.fixture
def welsh_member(client, pathway):
    member = make_trusted(pathway)
    # Signing in keeps the language it happens in: English here, whatever
    # page an earlier test left this thread in.
    with translation.override("en"):
        client.force_login(member)
    return member


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.content.decode()
    assert '<html lang="cy"' in body
    return body


@pytest.mark.django_db
def test_signed_out_pages_speak_welsh(client, home):
    assert welsh("Sign in") in page(client, "/cy/accounts/login/")
    assert welsh("Get help now") in page(client, "/cy/help/")
    assert welsh("Get help now") in page(client, "/cy/offline/")


@pytest.mark.django_db
def test_allauths_pages_and_emails_speak_welsh_and_plain_english(
    client, pathway, mailoutbox
):
    """allauth has no Welsh and writes Title Case: its pages, errors and the
    password reset email get Harbour's Welsh and sentence case instead."""
    member = make_trusted(pathway)
    body = page(client, "/cy/accounts/password/reset/")
    assert welsh("Password Reset") in body and welsh("Reset My Password") in body
    english = client.get("/accounts/password/reset/").content.decode()
    assert "Reset your password" in english and "Reset my password" in english
    assert "Password Reset" not in english and "Reset My Password" not in english

    wrong = client.post(
        "/cy/accounts/login/", {"login": member.email, "password": "not it"}
    )
    assert (
        escape(
            welsh("The email address and/or password you specified are not correct.")
        )
        in wrong.content.decode()
    )
    assert wrong.context["form"].data["login"] == member.email  # kept

    client.post("/cy/accounts/password/reset/", {"email": member.email})
    [email] = mailoutbox
    assert email.subject.endswith(welsh("Password Reset Email"))
    assert welsh("Hello from %(site_name)s!") % {"site_name": "Harbour"} in email.body
    assert "/cy/accounts/password/reset/key/" in email.body
    client.post("/accounts/password/reset/", {"email": member.email})
    assert mailoutbox[1].subject.endswith("] Reset your password")

    client.force_login(member)
    with translation.override("cy"):
        too_common = gettext("This password is too common.")
    refused = client.post(
        "/cy/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "password", "password2": "password"},
    )
    assert escape(too_common) in refused.content.decode()
    assert welsh("Current Password") in refused.content.decode()


@pytest.mark.django_db
def test_community_pages_speak_welsh(client, pathway, welsh_member):
    landing = PathwayPage.objects.get(pathway=pathway)
    body = page(client, "/cy" + landing.url)
    assert welsh("Go to the forums") in body
    forum = make_forum(pathway)
    body = page(client, f"/cy/community/{pathway.slug}/forums/{forum.slug}/")
    assert welsh("Start a topic") in body
    topic = forums.do_start_topic(welsh_member, forum, "Tea", "A good day").obj
    body = page(client, f"/cy/community/{pathway.slug}/topics/{topic.pk}/")
    assert welsh("Forums") in body


@pytest.mark.django_db
def test_english_page_words_on_a_welsh_page_are_marked_english(
    client, pathway, welsh_member
):
    landing = PathwayPage.objects.get(pathway=pathway)
    body = page(client, "/cy" + landing.url)
    assert f'<h1 lang="en">{escape(landing.title)}</h1>' in body
    english = client.get(landing.url).content.decode()
    assert f"<h1>{escape(landing.title)}</h1>" in english


@pytest.mark.django_db
def test_a_pathways_name_on_a_welsh_page_is_marked_english(
    client, pathway, welsh_member
):
    """Pathway names are written in English and not translated."""
    name = escape(pathway.name)
    body = page(client, f"/cy/community/{pathway.slug}/forums/")
    assert f'<span lang="en">{name}</span>' in body
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<span" not in title  # no markup where none can be
    english = client.get(f"/community/{pathway.slug}/forums/").content.decode()
    assert name in english and '<span lang="en">' not in english


@pytest.mark.django_db
def test_forums_and_listed_pages_on_a_welsh_page_are_marked_english(
    client, pathway, welsh_member
):
    """Forum names and descriptions are written in English and not
    translated; an English page listed on a Welsh page keeps its language."""
    forum = make_forum(pathway, "Night owls")
    forum.description = "Awake & worried? Say hello."
    forum.save()
    body = page(client, f"/cy/community/{pathway.slug}/forums/")
    assert '<span lang="en">Night owls</span>' in body
    assert '<span lang="en">Awake &amp; worried? Say hello.</span>' in body
    body = page(client, f"/cy/community/{pathway.slug}/forums/{forum.slug}/")
    assert '<h1><span lang="en">Night owls</span></h1>' in body
    english = client.get(f"/community/{pathway.slug}/forums/").content.decode()
    assert "Night owls" in english and '<span lang="en">' not in english

    post = make_blog_post(pathway, "What helped")
    body = page(client, "/cy" + PathwayPage.objects.get(pathway=pathway).url)
    assert f'href="{post.url}" lang="en">What helped</a>' in body
    more = welsh("More in %(title)s") % {"title": '<span lang="en">Stories</span>'}
    assert more in body


@pytest.mark.django_db
def test_english_crisis_contacts_on_a_welsh_page_are_marked_english(client, home):
    body = page(client, "/cy/help/")
    assert '<li lang="en">' in body
    assert '<li lang="en">' not in client.get("/help/").content.decode()


@pytest.mark.django_db
def test_the_error_page_speaks_the_readers_language():
    from django.template import loader

    with translation.override("cy"):
        body = loader.get_template("500.html").render()
    assert '<html lang="cy">' in body
    assert welsh("Sorry, something went wrong") in body
    assert welsh("If you need help now") in body


@pytest.mark.django_db
def test_scripts_get_their_welsh_from_the_catalogue_view(client):
    response = client.get("/cy/jsi18n/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    entry = catalogue()[
        ("", "The upload failed. Please check your connection and try again.")
    ]
    assert entry.msgstr in response.content.decode()


# The language a person reads in, for what is sent to them ------------------------


@pytest.mark.django_db
def test_the_language_a_member_reads_in_is_kept(client, pathway, welsh_member):
    assert language_of(welsh_member) == "en"  # signed in on an English page
    page(client, "/cy/help/")
    assert language_of(welsh_member) == "cy"
    client.get("/help/")
    assert language_of(welsh_member) == "en"
    assert languages_of([welsh_member.pk, 0]) == {welsh_member.pk: "en", 0: "en"}


@pytest.mark.django_db
def test_a_notice_email_speaks_its_recipients_language(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    english = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    cymraeg = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    do_remember_language(cymraeg, "cy")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify_many([english, cymraeg], pathway, "moderation", "Seen", "/help/")
    sent = {message.to[0]: message for message in mailoutbox}
    assert sent[english.email].subject == "A new notification on Harbour"
    assert sent[cymraeg.email].subject == welsh("A new notification on Harbour")
    assert "/cy/notifications/" in sent[cymraeg.email].body
    assert "/cy/" not in sent[english.email].body


@pytest.mark.django_db
def test_a_risk_alert_email_speaks_the_clinicians_language(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    clinician = make_member(pathway, Role.CLINICIAN)
    do_remember_language(clinician, "cy")
    put_on_duty(pathway, clinician)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        post(pathway, "I'm going to end my life")
    [email] = mailoutbox
    assert email.to == [clinician.email]
    english = (
        "URGENT Harbour risk alert: %(pathway)s"
        if RiskAlert.objects.get().urgent
        else "Harbour risk alert: %(pathway)s"
    )
    assert email.subject == welsh(english) % {"pathway": pathway.name}
    assert "/cy/" in email.body
