from django.conf import settings
from django.utils.functional import SimpleLazyObject


def harbour(request):
    """What every page's frame needs: the site name and the languages,
    whether the reader chose easy read, and, only if the page uses them, the
    reader's crisis contacts, unread count, the roles of the care teams of
    their pathways and whether a pathway's page asks them the survey's
    question."""
    from community.notifications.models import Notification
    from community.queries import help_contacts
    from community.survey.asking import Prompt

    user = getattr(request, "user", None)

    def unread():
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.filter(user=user, read_at=None).count()

    def contacts():
        found = help_contacts(user) if user is not None else {}
        return found.get("pathway_contacts", []) + found.get("national_contacts", [])

    def staff_roles():
        if user is None:
            return {}
        from community.queries import staff_roles_for

        return staff_roles_for(user)

    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        # The reader's own choice, from the user row already loaded: the body
        # class, the {% wording %} blocks and nhs_field's labels follow it
        # (decision 0030).
        "easy_read": bool(
            user is not None and user.is_authenticated and user.easy_read
        ),
        # For role badges by names (harbour's `role_badge`); one query, only
        # on pages that show one.
        "staff_roles": SimpleLazyObject(staff_roles),
        "SITE_LANGUAGES": settings.LANGUAGES,
        "unread_notifications": SimpleLazyObject(unread),
        "my_crisis_contacts": SimpleLazyObject(contacts),
        # The helpfulness survey's question, asked on a pathway's pages only
        # (templates/survey/prompt.html): no query unless one looks.
        "survey_prompt": Prompt(user),
    }
