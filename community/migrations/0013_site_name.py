"""Emails say Harbour, not "example.com": allauth prefixes subjects with the
name of django.contrib.sites' Site and writes its domain into messages, and
the Site Django makes by default is "example.com". The site's own name and
host (from WAGTAILADMIN_BASE_URL) replace that default; a Site an
administrator has already named is left alone."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc or "localhost"
    site = Site.objects.filter(pk=settings.SITE_ID).first()
    if site is None:
        Site.objects.create(
            pk=settings.SITE_ID, domain=host, name=settings.WAGTAIL_SITE_NAME
        )
    elif site.domain == "example.com":
        site.domain, site.name = host, settings.WAGTAIL_SITE_NAME
        site.save(update_fields=["domain", "name"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0012_deliveries"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
