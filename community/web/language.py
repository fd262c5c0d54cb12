"""The language a person reads the site in, kept for what Harbour sends them
away from any request of theirs (emails, pushes, their data export): at
sign-in, and whenever a page is in another language than the one kept
(LanguageMiddleware). Why so: docs/decisions/0033-welsh-catalogue.md."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from community.actions import do_remember_language
from community.queries import site_language

# The session remembers which language was last kept, so the profile is
# written at sign-in and on a change, not once a page.
LANGUAGE_KEPT = "harbour_language_kept"


def keep_language(request, user) -> None:
    """Keep the active language as `user`'s when it is not already the one
    this session kept."""
    language = site_language(translation.get_language())
    if request.session.get(LANGUAGE_KEPT) != language:
        do_remember_language(user, language)
        request.session[LANGUAGE_KEPT] = language


@receiver(user_logged_in)
def keep_language_at_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        keep_language(request, user)
