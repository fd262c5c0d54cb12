"""Every pathway that exists already gets its default chat room (new ones get
theirs from chat.signals when they are created)."""

from django.db import migrations


def create_default_rooms(apps, schema_editor):
    Pathway = apps.get_model("community", "Pathway")
    Room = apps.get_model("chat", "Room")
    for pathway in Pathway.objects.exclude(chat_rooms__is_default=True):
        Room.objects.create(
            pathway=pathway, kind="pathway", name=f"{pathway.name} chat", is_default=True
        )


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [
        migrations.RunPython(create_default_rooms, migrations.RunPython.noop),
    ]
