"""National crisis contacts exist on every Harbour site from its first migration,
so no page ever shows an empty "If you need help now" list."""

from django.db import migrations

NATIONAL_CONTACTS = [
    ("Emergency services", "999", "If your life or someone else's is in danger now."),
    ("NHS 111, option 2", "111", "Urgent mental health help, any time, day or night."),
    ("Samaritans", "116 123", "Free, any time, day or night. You don't have to be suicidal."),
    ("Shout", "85258", "Text SHOUT to 85258 for free, confidential text support, 24/7."),
]


def add_contacts(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    CrisisContact = apps.get_model("community", "CrisisContact")
    locale = Locale.objects.order_by("pk").first()
    if locale is None:
        locale = Locale.objects.create(language_code="en")
    for order, (name, phone, description) in enumerate(NATIONAL_CONTACTS):
        CrisisContact.objects.get_or_create(
            pathway=None,
            name=name,
            locale=locale,
            defaults={"phone": phone, "description": description, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_pathway_watched_words"),
        ("wagtailcore", "0054_initial_locale"),
    ]

    operations = [migrations.RunPython(add_contacts, migrations.RunPython.noop)]
