from django.conf import settings


def harbour(request):
    """What every page's frame needs: the site name and the languages."""
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "SITE_LANGUAGES": settings.LANGUAGES,
    }
