"""A starter catalogue of presents, so a new site can send them at once;
editors change it in the Wagtail admin (Snippets > Presents)."""

from django.db import migrations

STARTERS = [
    ("A cup of tea", "tea"),
    ("A flower", "flower"),
    ("A star", "star"),
    ("Some sunshine", "sun"),
    ("A heart", "heart"),
    ("A rainbow", "rainbow"),
]


def add_presents(apps, schema_editor):
    Gift = apps.get_model("community", "Gift")
    if Gift.objects.exists():
        return
    Gift.objects.bulk_create(
        Gift(name=name, icon=icon, position=n) for n, (name, icon) in enumerate(STARTERS)
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0008_social")]

    operations = [migrations.RunPython(add_presents, migrations.RunPython.noop)]
