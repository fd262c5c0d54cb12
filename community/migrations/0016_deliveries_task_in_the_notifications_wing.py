"""The `deliver` task moved from community/deliveries.py to the notifications
wing. django-tasks-db stores a task by its dotted path, so deliveries queued
before the move would fail to run after it: point their rows at the new home
(and back, if this migration is reversed)."""

from django.db import migrations

OLD = "community.deliveries.deliver"
NEW = "community.notifications.deliveries.deliver"


def repoint(old: str, new: str):
    def run(apps, schema_editor):
        task_results = apps.get_model("django_tasks_database", "DBTaskResult")
        task_results.objects.filter(task_path=old).update(task_path=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0015_urgent_alerts_and_safety_labels"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(repoint(OLD, NEW), repoint(NEW, OLD))]
